// Rendering a mined cluster as a Loki pattern filter that keeps every line of the cluster.
//
// Evidence, not shape: a token is written literally when its raw text was the same on every line of
// the cluster (`caller=http.go:194` stays), and as `<_>` (or `key=<_>`, from the masked template) only
// where it varied. Whitespace is written exactly as it was; where it varied (aligned columns, padding)
// a `<_>` takes it. Loki's pattern syntax has no escape, so a literal `<name>` (`<nil>`, `<init>`) would
// be read as a named capture: its `<` is covered by a `<_>` instead. Loki's captures never match the
// empty string, so varying leading/trailing whitespace (which may be absent) is taken together with
// the first/last character of the adjacent token.
import { captureAt } from './lokipattern.js';
import { WILDCARD } from './tokenize.js';

const CAP = 0;
type Part = string | typeof CAP;

/** Appends, joining adjacent literals and adjacent captures (Loki rejects two captures in a row). */
function push(parts: Part[], p: Part): void {
  if (p === '') return;
  const last = parts.length - 1;
  if (last >= 0 && p === CAP && parts[last] === CAP) return;
  if (last >= 0 && p !== CAP && parts[last] !== CAP) parts[last] = (parts[last] as string) + p;
  else parts.push(p);
}

export interface Evidence {
  /** Raw text of each token while constant on every line (null once it varied). */
  lit: Array<string | null>;
  /** Whitespace before each token and after the last, while constant. */
  seps: Array<string | null>;
  /** Common prefix, common suffix and shortest length of each token's raw values. */
  pre: string[];
  suf: string[];
  minLen: Int32Array;
}

// Month and weekday names are parts of timestamps: values, even without a digit.
const DATE_WORDS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * A varying token keeps literal what all its values share at either end, but only as far as the
 * structure says it is constant: the masked template's text before its first (after its last)
 * wildcard (`uid=<_>`, `ts=<_>` — not `ts=2024-01-01T00:00:<_>` because two lines happened to share
 * the minute), or whole words inside a token that covers several (`(200) <_>`). Values seen so far
 * may share more, but the pattern has to hold for the lines that come next. The capture keeps at
 * least one character of the shortest value (Loki's captures are never empty).
 */
function tokenParts(template: string, ev: Evidence, k: number): Part[] {
  const lit = ev.lit[k];
  if (lit !== null && lit !== undefined) return [lit];
  const w = template.indexOf(WILDCARD);
  const tPre = w < 0 ? template : template.slice(0, w);
  const tSuf = w < 0 ? template : template.slice(template.lastIndexOf(WILDCARD) + WILDCARD.length);
  const evPre = ev.pre[k]!;
  const evSuf = ev.suf[k]!;
  // Whole words shared at the start (end) of a multi-word value, up to the first word shaped like a
  // value (a digit in it): `(GET) <_>` yes, `[07.27 <_>` no — the day two lines share is no rule.
  let i = 0;
  for (let w = 0; w < evPre.length; w++) {
    const c = evPre.charCodeAt(w);
    if (c >= 48 && c <= 57) break;
    if (isSpace(c)) {
      if (DATE_WORDS.has(evPre.slice(i, w).replace(/^\W+|\W+$/g, ''))) break;
      i = w + 1;
    }
  }
  let pre = evPre.startsWith(tPre) && tPre.length > i ? tPre : evPre.slice(0, i);
  let j = evSuf.length;
  for (let w = evSuf.length - 1; w >= 0; w--) {
    const c = evSuf.charCodeAt(w);
    if (c >= 48 && c <= 57) break;
    if (isSpace(c)) {
      if (DATE_WORDS.has(evSuf.slice(w + 1, j).replace(/^\W+|\W+$/g, ''))) break;
      j = w;
    }
  }
  let suf = evSuf.endsWith(tSuf) && tSuf.length > evSuf.length - j ? tSuf : evSuf.slice(j);
  const min = ev.minLen[k]!;
  if (pre.length + suf.length >= min) suf = '';
  if (pre.length >= min) pre = '';
  const out: Part[] = [];
  push(out, pre);
  push(out, CAP);
  push(out, suf);
  return out;
}

/** The Loki pattern of a cluster (see the file comment). `seps` has one more entry than `tokens`. */
export function renderPattern(tokens: string[], ev: Evidence): string {
  const n = tokens.length;
  const seps = ev.seps;
  const parts: Part[] = [];
  const toks = tokens.map((t, k) => tokenParts(t, ev, k));
  for (let k = 0; k < n; k++) {
    const tp = toks[k]!;
    if (k === 0) {
      if (seps[0] !== null) push(parts, seps[0]!);
      else if (tp[0] === CAP) push(parts, CAP);
      else {
        // Leading whitespace that is sometimes absent: the capture also takes the token's first character.
        push(parts, CAP);
        tp[0] = (tp[0] as string).slice(1);
      }
    } else push(parts, seps[k] !== null ? seps[k]! : CAP);
    if (k === n - 1 && seps[n] === null && tp[tp.length - 1] !== CAP) {
      const lastLit = tp[tp.length - 1] as string;
      tp[tp.length - 1] = lastLit.slice(0, -1);
      tp.push(CAP);
    }
    for (const p of tp) push(parts, p);
  }
  if (n === 0) push(parts, seps[0] ?? CAP);
  else if (seps[n] !== null) push(parts, seps[n]!);
  else push(parts, CAP);
  return partsToPattern(escapeCaptures(parts));
}

/** Covers the `<` of any `<name>` inside a literal with a capture (there is no escape in Loki's syntax). */
function escapeCaptures(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    if (p === CAP) {
      push(out, CAP);
      continue;
    }
    let from = 0;
    for (let i = p.indexOf('<'); i >= 0; i = p.indexOf('<', i + 1)) {
      if (captureAt(p, i) === 0) continue;
      push(out, p.slice(from, i));
      push(out, CAP);
      from = i + 1;
    }
    push(out, p.slice(from));
  }
  return out;
}

function partsToPattern(parts: Part[]): string {
  let s = '';
  for (const p of parts) s += p === CAP ? '<_>' : p;
  return s;
}
