/**
 * The one error type gen-appup raises for bad input: it names the file and what is wrong.
 * The CLI prints `message` on one line and exits 1; library callers can read the parts.
 */
export class GenAppupError extends Error {
  readonly file: string;
  readonly detail: string;
  constructor(file: string, detail: string) {
    const [f, d] = [oneLine(file, 1000), oneLine(detail, 600)];
    super(f ? `${f}: ${d}` : d);
    this.file = f;
    this.detail = d;
    this.name = "GenAppupError";
  }
}

/**
 * Text for a one-line message: control characters escaped (a newline in a path or a value would
 * split it), and cut at `max` characters (a bad value can be megabytes long).
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return flat.length <= max ? flat : `${flat.slice(0, max)}... (${flat.length - max} more characters)`;
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
