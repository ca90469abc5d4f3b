// Profiles in the formats that predate profile.proto and that `go tool pprof` still reads: Go's text
// heap/contention/count profiles (`heap profile: 1: 2 [3: 4] @ heap/1048576`, `--- contention:`,
// `goroutine profile: total 12`), gperftools/Java text sections (`--- heapz 1 ---`, `--- threadz`) and
// the legacy binary CPU profile (machine words 0, 3, 0, period, 0 in either byte order). We do not
// convert them: pprof does, exactly, and says what the recognised kind is.

const TEXT_HEADERS: Array<[RegExp, string]> = [
  [/^heap profile: *\d+: *\d+ *\[ *\d+: *\d+ *\] *@/, 'heap profile (text)'],
  [/^--- (contention|mutex|delay)/, 'contention profile (text)'],
  [/^\w+ profile: total \d+\s*$/, 'count profile (text, e.g. goroutine or threadcreate with debug=1)'],
  [/^--- (heapz|heap|threadz|growthz|fragmentationz|profile|symbol)\b/, 'legacy text profile'],
];

/** What legacy pprof format `head` is, or undefined. */
export function legacyPprofKind(head: Uint8Array): string | undefined {
  if (isLegacyCpu(head)) return 'legacy binary CPU profile';
  const text = Buffer.from(head.subarray(0, 256)).toString('latin1');
  const first = text.split('\n')[0]!.trim();
  for (const [re, kind] of TEXT_HEADERS) if (re.test(first)) return kind;
  return undefined;
}

/** Header words 0, 3, 0 (count, header words, version) as 32- or 64-bit integers, little- or big-endian. */
function isLegacyCpu(b: Uint8Array): boolean {
  const word = (i: number, size: 4 | 8, le: boolean): number | undefined => {
    if (b.length < (i + 1) * size) return undefined;
    let v = 0;
    for (let k = 0; k < size; k++) {
      const byte = b[i * size + (le ? size - 1 - k : k)]!;
      v = v * 256 + byte;
    }
    return v;
  };
  for (const size of [8, 4] as const) {
    for (const le of [true, false]) {
      if (word(0, size, le) === 0 && word(1, size, le) === 3 && word(2, size, le) === 0 && (word(3, size, le) ?? 0) > 0) return true;
    }
  }
  return false;
}

export function legacyPprofMessage(kind: string): string {
  return `legacy pprof format (${kind}): convert it with \`go tool pprof -proto FILE > FILE.pb.gz\` and put the .pb.gz in the bundle`;
}
