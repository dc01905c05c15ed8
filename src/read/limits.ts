/**
 * What gen-appup reads at most, so that a hostile or broken input costs bounded memory and time.
 * Each is well above what OTP and mix write; the README lists them.
 */
export const LIMITS = {
  /** A file read whole: a beam, an .app, a .rel, an appup, sys.config. */
  fileBytes: 256 * 1024 * 1024,
  /** A release tarball, as stored and once gunzipped. */
  tarballBytes: 1024 * 1024 * 1024,
  /** What a gzipped beam, a compressed literal table or a compressed term inflates to. */
  inflatedBytes: 256 * 1024 * 1024,
} as const;

/** A byte count for messages: "256 MiB". */
export function bytesText(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1 && n % 1024 === 0) [n, i] = [n / 1024, i + 1];
  return `${n} ${units[i]}`;
}
