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
