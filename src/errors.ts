/**
 * The one error type gen-appup raises for bad input: it names the file and what is wrong.
 * The CLI prints `message` on one line and exits 1; library callers can read the parts.
 */
export class GenAppupError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(file ? `${file}: ${detail}` : detail);
    this.name = "GenAppupError";
  }
}

/** Re-raises any failure inside `fn` as a GenAppupError naming `file`. */
export function naming<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GenAppupError) throw e.file ? e : new GenAppupError(file, e.detail);
    throw new GenAppupError(file, e instanceof Error ? e.message : String(e));
  }
}

const ERRNO: Record<string, string> = {
  ENOENT: "does not exist",
  ENOTDIR: "a part of this path is a file, not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/** A file system error in words ("does not exist", "permission denied"), else its own message. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.code && ERRNO[err.code]) || err.message || String(e);
}
