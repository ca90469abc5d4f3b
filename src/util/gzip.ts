// Gzip by magic bytes: bundle files, pprof payloads and file heads are recognised by content, not by name.

/** True when the bytes start with gzip's magic number (1f 8b). */
export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}
