// Tokenising and masking of log lines for pattern mining.
//
// A line is split on whitespace; each token is then looked at piece by piece, pieces being the runs
// between common punctuation (= : , ; ( ) [ ] { } " ' < > |). A piece that carries a digit (numbers,
// hex ids, uuids, ips, durations, timestamps, versions), or that looks like a path/URL or a long hex
// string, is a variable and becomes `<*>`; the punctuation around it is kept so that `uid=42` becomes
// `uid=<*>` and the key stays readable. A token whose pieces are all variables becomes a bare `<*>`.
// Consecutive bare `<*>` collapse into one so that variable-length lists (stack addresses, argument
// lists) do not split a template. One configuration for every log: no per-source regexes.

import { headerEnd, headerLevelStart, headerLevelEnd } from './header.js';

export const WILDCARD = '<*>';

/** Longest line looked at; longer lines are cut (and counted by callers). */
export const MAX_LINE_CHARS = 4096;
/** Most tokens kept per line; the rest collapse into a trailing wildcard. */
export const MAX_TOKENS = 96;

const enum C {
  Space = 32,
  Tab = 9,
  NL = 10,
  CR = 13,
}

// Characters that separate pieces inside a whitespace token (kept in the output).
const DELIM = new Uint8Array(128);
for (const ch of '=:,;()[]{}"\'<>|') DELIM[ch.charCodeAt(0)] = 1;

function isSpace(c: number): boolean {
  return c === C.Space || c === C.Tab || c === C.NL || c === C.CR || c === 0x0b || c === 0x0c;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Whether a piece (no delimiters inside) is a variable value. */
export function isVariablePiece(s: string, start: number, end: number): boolean {
  let hexOnly = true;
  let slashes = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (c === 47 /* / */ || c === 92 /* \ */) slashes++;
    else if (c === 46 /* . */) {
      dots++;
      hexOnly = false;
    } else if (hexOnly && !isHexLetter(c)) hexOnly = false;
  }
  const len = end - start;
  // Paths and URLs: two separators, or one with a dotted name (com.app/.Activity, /etc/x.conf).
  if (len > 2 && (slashes >= 2 || (slashes >= 1 && dots >= 1))) return true;
  // Dotted names with two or more inner dots: host names, class and property names.
  if (dots >= 2 && s.charCodeAt(start) !== 46 && s.charCodeAt(end - 1) !== 46) return true;
  // Long hex-looking words (ids without digits are rare but exist).
  if (hexOnly && len >= 16) return true;
  // Booleans are values.
  if (len === 4 || len === 5) return isBoolean(s, start, len);
  return false;
}

function isBoolean(s: string, start: number, len: number): boolean {
  const c0 = s.charCodeAt(start) | 32;
  if (len === 4) return c0 === 116 && (s.charCodeAt(start + 1) | 32) === 114 && (s.charCodeAt(start + 2) | 32) === 117 && (s.charCodeAt(start + 3) | 32) === 101;
  return c0 === 102 && (s.charCodeAt(start + 1) | 32) === 97 && (s.charCodeAt(start + 2) | 32) === 108 && (s.charCodeAt(start + 3) | 32) === 115 && (s.charCodeAt(start + 4) | 32) === 101;
}

// Piece boundaries of the token being masked (reused: masking is the hot loop of the miner).
let starts = new Int32Array(64);
let ends = new Int32Array(64);
const vars = new Uint8Array(4096);

/** Masks one whitespace-delimited token: returns the masked token (may be WILDCARD). */
export function maskToken(tok: string): string {
  const n = tok.length;
  if (n > starts.length) {
    starts = new Int32Array(n + 1);
    ends = new Int32Array(n + 1);
  }
  let pieces = 0;
  let varPieces = 0;
  let pieceStart = 0;
  let afterEquals = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? tok.charCodeAt(i) : 32;
    if (i === n || (c < 128 && DELIM[c] === 1)) {
      if (i > pieceStart) {
        // The value of a key=value pair is a variable whatever it looks like.
        const v = afterEquals || isVariablePiece(tok, pieceStart, i);
        if (pieces < vars.length) {
          starts[pieces] = pieceStart;
          ends[pieces] = i;
          vars[pieces] = v ? 1 : 0;
        }
        pieces++;
        if (v) varPieces++;
        afterEquals = c === 61 /* = */;
      } else afterEquals = false;
      pieceStart = i + 1;
    }
  }
  if (varPieces === 0) return tok;
  if (varPieces === pieces || pieces > vars.length) return WILDCARD;
  // Rebuild: constant pieces and delimiters as they were, variable pieces as <*>.
  let out = '';
  let pos = 0;
  for (let k = 0; k < pieces; k++) {
    if (vars[k] === 0) continue;
    out += tok.slice(pos, starts[k]) + WILDCARD;
    pos = ends[k]!;
  }
  return out + tok.slice(pos);
}

// Units that belong to the number before them ("5.2 KB", "12 ms", "0 bytes"): absorbed into the variable.
const UNITS = new Set(['b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'bytes', 'byte', 'ns', 'us', 'µs', 'ms', 's', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minutes', 'h', 'hours', '%']);

// Lowercased first characters of the units: a cheap filter before the set lookup.
const UNIT_FIRST = new Uint8Array(128);
for (const u of UNITS) if (u.charCodeAt(0) < 128) UNIT_FIRST[u.charCodeAt(0)] = 1;

/** Whether a token holds a wildcard and otherwise only punctuation (`<*>`, `(<*>)`, `<*>.<*>`). */
function onlyPunctAndWildcards(tok: string): boolean {
  let wild = false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c === 60 && tok.startsWith(WILDCARD, i)) {
      wild = true;
      i += WILDCARD.length - 1;
      continue;
    }
    if (c >= 128 || DELIM[c] !== 1) if (c !== 46 && c !== 45 && c !== 47 && c !== 64 && c !== 35 && c !== 42) return false;
  }
  return wild;
}

const outTokens: string[] = [];
/** A token with more pieces than this becomes a bare wildcard. */
const MAX_PIECES = 4096;
// Bounds of the variable pieces of the token being masked (reused across calls).
const varStarts = new Int32Array(MAX_PIECES);
const varEnds = new Int32Array(MAX_PIECES);
// Per-character flags over the whole UTF-16 range (64 KiB, only the ASCII part is hot): one table load
// classifies a character with no range checks. Non-ASCII characters are ordinary letters (NONHEX).
const F_DIGIT = 1;
const F_SLASH = 2;
const F_DOT = 4;
const F_NONHEX = 8;
/** `*`: a token holding one may spell `<*>` literally, so it is never part of a run of plain tokens. */
const F_STAR = 16;
/** Whitespace: ends the token. */
const F_SPACE = 64;
/** Delimiter: ends the piece (flags ≥ F_SPACE end a piece). */
const F_DELIM = 128;
const FL = new Uint8Array(65536).fill(F_NONHEX);
// Where an unquoted `key=value` value ends: whitespace , ) ] } ;
const KV_END = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  if (c === 32 || (c >= 9 && c <= 13)) FL[c] = F_SPACE;
  else if (DELIM[c] === 1) FL[c] = F_DELIM;
  else if (c >= 48 && c <= 57) FL[c] = F_DIGIT;
  else if (c === 47 || c === 92) FL[c] = F_SLASH;
  else if (c === 46) FL[c] = F_DOT | F_NONHEX;
  else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) FL[c] = 0;
  else if (c === 42) FL[c] = F_STAR | F_NONHEX;
  if (c === 32 || (c >= 9 && c <= 13) || c === 44 || c === 41 || c === 93 || c === 125 || c === 59) KV_END[c] = 1;
}
const DATE_WORDS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
const DATE_FIRST = new Uint8Array(128);
for (const w of DATE_WORDS) DATE_FIRST[w.charCodeAt(0)] = 1;

// JSON keys whose string value is the message itself (kept as words); other string values are variables.
const MESSAGE_KEYS = new Set(['msg', 'message', 'event', 'error', 'err', 'exception', 'reason', 'log', 'body']);
const JSON_STRING = /"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** In a JSON line, replaces string values of non-message keys by <*> (values may hold spaces: user agents, names). */
export function maskJsonStrings(line: string): string {
  if (line.length > MAX_LINE_CHARS) line = line.slice(0, MAX_LINE_CHARS);
  return line.replace(JSON_STRING, (m: string, key: string, value: string) => (value === '' || MESSAGE_KEYS.has(key.toLowerCase()) ? m : `"${key}":"${WILDCARD}"`));
}

// Where maskJsonStrings shortened the line: end of each replacement in the rewritten line and the
// characters it removed, so spans found on the rewritten line map back to the line as received.
const jsonRwEnd: number[] = [];
const jsonDelta: number[] = [];

function maskJsonTracked(line: string): string {
  jsonRwEnd.length = 0;
  jsonDelta.length = 0;
  if (line.length > MAX_LINE_CHARS) line = line.slice(0, MAX_LINE_CHARS);
  let out = '';
  let last = 0;
  JSON_STRING.lastIndex = 0;
  for (let m = JSON_STRING.exec(line); m; m = JSON_STRING.exec(line)) {
    const key = m[1]!;
    const value = m[2]!;
    if (value === '' || MESSAGE_KEYS.has(key.toLowerCase())) continue;
    const rep = `"${key}":"${WILDCARD}"`;
    out += line.slice(last, m.index) + rep;
    last = m.index + m[0].length;
    jsonRwEnd.push(out.length);
    jsonDelta.push(m[0].length - rep.length);
  }
  return jsonRwEnd.length === 0 ? line : out + line.slice(last);
}

/** Most key tokens a line yields (MAX_TOKENS plus the trailing wildcard). */
const MAX_SPANS = MAX_TOKENS + 2;
/**
 * Where each token of the last `maskKey` result lies in its line: token k is
 * `line.slice(spanStart[k], spanEnd[k])` (a collapsed wildcard covers several words and the spaces
 * between them). The whitespace between tokens is what lies between spans. Read right after the call.
 */
export const spanStart = new Int32Array(MAX_SPANS);
export const spanEnd = new Int32Array(MAX_SPANS);
export let spanCount = 0;

/**
 * The masked key of a line: masked tokens joined by single spaces. One pass over the characters
 * (this is the miner's hot loop): whitespace splits tokens, delimiters split pieces, each piece is
 * classified from flags OR-ed together as it is scanned.
 */
export function maskKey(line: string): string {
  const json = line.charCodeAt(0) === 123; /* { */
  const rawLength = line.length;
  if (json) line = maskJsonTracked(line);
  const tokens = outTokens;
  tokens.length = 0;
  let spans = 0;
  const n = Math.min(line.length, MAX_LINE_CHARS);
  // Plain tokens (no variable, no `*`) separated by one space are kept as one run [runStart, runEnd)
  // of the line, the last entry of `tokens`: fewer strings to make and join.
  let runStart = 0;
  let runEnd = -1;
  let runLong = false;
  /** Tokens so far (a run counts each of its tokens). */
  let count = 0;
  let i = 0;
  // A recognised header (timestamp, host, pid, level, thread, component…) is one variable token.
  // An error-class level stays a word of the key: the same text as an error and as information are
  // different events (header.ts).
  const h = json ? 0 : headerEnd(line, n);
  if (h > 0) {
    while (FL[line.charCodeAt(i)] === F_SPACE) i++;
    const ls = headerLevelStart;
    const le = headerLevelEnd;
    if (ls >= 0 && le <= h) {
      if (ls > i) {
        let e = ls;
        while (e > i && FL[line.charCodeAt(e - 1)] === F_SPACE) e--;
        tokens.push(WILDCARD);
        spanStart[spans] = i;
        spanEnd[spans++] = e;
      }
      tokens.push(line.slice(ls, le));
      spanStart[spans] = ls;
      spanEnd[spans++] = le;
      let s2 = le;
      while (s2 < h && FL[line.charCodeAt(s2)] === F_SPACE) s2++;
      if (s2 < h) {
        tokens.push(WILDCARD);
        spanStart[spans] = s2;
        spanEnd[spans++] = h;
      }
    } else {
      tokens.push(WILDCARD);
      spanStart[spans] = i;
      spanEnd[spans++] = h;
    }
    count = spans;
    i = h;
  }
  while (i < n) {
    if (FL[line.charCodeAt(i)] === F_SPACE) {
      i++;
      continue;
    }
    // One token: [tokStart, i).
    const tokStart = i;
    let pieces = 0;
    let varPieces = 0;
    let firstStart = 0;
    let firstEnd = 0;
    let pieceStart = i;
    let tokFlags = 0;
    let c = 32;
    for (;;) {
      // One piece: the tight loop of the miner. Flags accumulate; only slashes and dots need counts.
      let flags = 0;
      let slashes = 0;
      let dots = 0;
      c = 32;
      while (i < n) {
        const d = line.charCodeAt(i);
        const f = FL[d]!;
        if (f >= F_SPACE) {
          c = d;
          break;
        }
        flags |= f;
        if ((f & (F_SLASH | F_DOT)) !== 0) {
          if (f === F_SLASH) slashes++;
          else dots++;
        }
        i++;
      }
      // Here i is at a whitespace/delimiter `c`, or at the end (c = 32).
      tokFlags |= flags;
      if (i > pieceStart) {
        const len = i - pieceStart;
        const v =
          (flags & F_DIGIT) !== 0 ||
          (len > 2 && (slashes >= 2 || (slashes >= 1 && dots >= 1))) ||
          (dots >= 2 && line.charCodeAt(pieceStart) !== 46 && line.charCodeAt(i - 1) !== 46) ||
          ((flags & F_NONHEX) === 0 && len >= 16) ||
          ((len === 4 || len === 5) && isBoolean(line, pieceStart, len));
        if (pieces === 0) {
          firstStart = pieceStart;
          firstEnd = i;
        }
        pieces++;
        if (v) {
          if (varPieces < MAX_PIECES) {
            varStarts[varPieces] = pieceStart;
            varEnds[varPieces] = i;
          }
          varPieces++;
        }
        if (c === 61 && i + 1 < n) {
          // key=value: an unquoted value runs to the end of the token (timestamps, ip:port, a/b) and is one variable.
          const q = line.charCodeAt(i + 1);
          if (q !== 34 && q !== 39 && q !== 32 && !(q <= 13 && q >= 9) && q !== 44) {
            let j = i + 1;
            while (j < n && KV_END[line.charCodeAt(j)] === 0) j++;
            pieces++;
            if (varPieces < MAX_PIECES) {
              varStarts[varPieces] = i + 1;
              varEnds[varPieces] = j;
            }
            varPieces++;
            // The value stopped at a whitespace/delimiter or the end: an empty piece follows.
            i = j;
            pieceStart = i;
            continue;
          }
          // key="quoted value": one value however many words it holds (`tag="View Lock"`), unless the key
          // names the message itself (`msg="…"`, `error="…"`), whose words are the event.
          if ((q === 34 || q === 39) && !isMessageKey(line, pieceStart, i)) {
            const close = closingQuote(line, i + 2, n, q);
            if (close > 0) {
              pieces++;
              if (varPieces < MAX_PIECES) {
                varStarts[varPieces] = i + 1;
                varEnds[varPieces] = close + 1;
              }
              varPieces++;
              i = close + 1;
              pieceStart = i;
              continue;
            }
          }
        }
      }
      if (c !== 32 && FL[c] !== F_SPACE) {
        // A delimiter: the next piece starts after it.
        i++;
        pieceStart = i;
        continue;
      }
      break;
    }
    // host:port (`github.com:443`, `api.example.org:8080`) is one address, a value as a whole.
    if (varPieces > 0 && varPieces < pieces && isHostPort(line, tokStart, i)) varPieces = pieces;
    // Month and weekday names are parts of timestamps ("[Sun Dec 04 04:47:44 2005]").
    if (varPieces === 0 && pieces === 1 && firstEnd - firstStart === 3) {
      const c0 = line.charCodeAt(firstStart);
      if (c0 < 128 && DATE_FIRST[c0] === 1 && DATE_WORDS.has(line.slice(firstStart, firstEnd))) varPieces = 1;
    }
    const plain = varPieces === 0 && (tokFlags & F_STAR) === 0;
    if (runEnd >= 0) {
      // A plain token one space after the run extends it (the checks below never fire for it: it is not
      // a wildcard, and the run does not end with one).
      if (plain && tokStart === runEnd + 1 && line.charCodeAt(runEnd) === 32 && count < MAX_TOKENS) {
        runEnd = i;
        runLong = true;
        count++;
        spanStart[spans] = tokStart;
        spanEnd[spans++] = i;
        continue;
      }
      if (runLong) tokens[tokens.length - 1] = line.slice(runStart, runEnd);
      runEnd = -1;
      runLong = false;
    }
    let masked: string;
    if (varPieces === 0) masked = line.slice(tokStart, i);
    else if (varPieces === pieces || pieces > MAX_PIECES) masked = WILDCARD;
    else {
      // Constant pieces and delimiters as they were, variable pieces as <*>.
      masked = '';
      let pos = tokStart;
      for (let k = 0; k < varPieces; k++) {
        masked += line.slice(pos, varStarts[k]) + WILDCARD;
        pos = varEnds[k]!;
      }
      masked += line.slice(pos, i);
    }
    const last = tokens.length - 1;
    if (masked === WILDCARD) {
      if (last >= 0 && tokens[last] === WILDCARD) {
        spanEnd[spans - 1] = i;
        continue;
      }
    } else if (last >= 0 && masked.length <= 8 && varPieces === 0 && (masked.charCodeAt(0) >= 128 || UNIT_FIRST[masked.charCodeAt(0) | 32] === 1) && tokens[last]!.endsWith(WILDCARD)) {
      // A unit after a number joins it; trailing punctuation of the unit ("KB)", "ms,") is kept.
      let j = masked.length;
      while (j > 0 && masked.charCodeAt(j - 1) < 128 && DELIM[masked.charCodeAt(j - 1)] === 1) j--;
      if (j > 0 && UNITS.has(masked.slice(0, j).toLowerCase())) {
        tokens[last] = tokens[last] + masked.slice(j);
        spanEnd[spans - 1] = i;
        if (onlyPunctAndWildcards(tokens[last]!)) tokens[last] = WILDCARD;
        if (last > 0 && tokens[last] === WILDCARD && tokens[last - 1] === WILDCARD) {
          tokens.pop();
          count--;
          spans--;
          spanEnd[spans - 1] = i;
        }
        continue;
      }
    }
    if (count >= MAX_TOKENS) {
      // The rest of the line, however long, is one trailing wildcard.
      if (tokens[tokens.length - 1] !== WILDCARD) {
        tokens.push(WILDCARD);
        spanStart[spans++] = tokStart;
      }
      spanEnd[spans - 1] = rawLength;
      spanCount = spans;
      if (json) mapJsonSpans(spans, rawLength);
      return tokens.join(' ');
    }
    tokens.push(masked);
    count++;
    spanStart[spans] = tokStart;
    spanEnd[spans++] = i;
    if (plain) {
      runStart = tokStart;
      runEnd = i;
    }
  }
  if (runLong) tokens[tokens.length - 1] = line.slice(runStart, runEnd);
  spanCount = spans;
  if (json) mapJsonSpans(spans, rawLength);
  return tokens.join(' ');
}

/** Index of the quote closing a value opened just before `from` (backslash escapes skipped), or -1. */
function closingQuote(line: string, from: number, n: number, q: number): number {
  for (let k = from; k < n; k++) {
    const c = line.charCodeAt(k);
    if (c === 92) k++;
    else if (c === q) return k;
  }
  return -1;
}

function isMessageKey(line: string, start: number, end: number): boolean {
  return end - start <= 9 && end > start && MESSAGE_KEYS.has(line.slice(start, end).toLowerCase());
}

/** `name.tld:port`: a dotted host name then `:` and digits, nothing else. */
function isHostPort(line: string, start: number, end: number): boolean {
  let j = end;
  while (j > start && isDigit(line.charCodeAt(j - 1))) j--;
  if (j === end || j - 1 <= start || line.charCodeAt(j - 1) !== 58) return false;
  let dots = 0;
  for (let k = start; k < j - 1; k++) {
    const c = line.charCodeAt(k);
    if (c === 46) dots++;
    else if (!(c === 45 || isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return dots >= 1 && line.charCodeAt(start) !== 46 && line.charCodeAt(j - 2) !== 46;
}

/** Maps spans found on the JSON-rewritten line back to the received line (see maskJsonTracked). */
function mapJsonSpans(spans: number, rawLength: number): void {
  if (jsonRwEnd.length === 0) return;
  let r = 0;
  let delta = 0;
  for (let k = 0; k < spans; k++) {
    // Token boundaries never fall strictly inside a replacement (it holds no whitespace).
    while (r < jsonRwEnd.length && jsonRwEnd[r]! <= spanStart[k]!) delta += jsonDelta[r++]!;
    spanStart[k] += delta;
    while (r < jsonRwEnd.length && jsonRwEnd[r]! <= spanEnd[k]!) delta += jsonDelta[r++]!;
    spanEnd[k] = Math.min(rawLength, spanEnd[k]! + delta);
  }
}

/** Splits a line on whitespace and masks each token; consecutive bare wildcards collapse into one. */
export function maskLine(line: string): string[] {
  const key = maskKey(line);
  return key === '' ? [] : key.split(' ');
}

/** Splits a line on whitespace without masking (for aligning samples with templates). */
export function splitTokens(line: string): string[] {
  return line.slice(0, MAX_LINE_CHARS).split(/\s+/).filter((t) => t.length > 0);
}
