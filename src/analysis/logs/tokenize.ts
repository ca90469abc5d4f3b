// Tokenising and masking of log lines for pattern mining.
//
// A line is split on whitespace; each token is then looked at piece by piece, pieces being the runs
// between common punctuation (= : , ; ( ) [ ] { } " ' < > |). A piece that carries a digit (numbers,
// hex ids, uuids, ips, durations, timestamps, versions), or that looks like a path/URL or a long hex
// string, is a variable and becomes `<*>`; the punctuation around it is kept so that `uid=42` becomes
// `uid=<*>` and the key stays readable. A token whose pieces are all variables becomes a bare `<*>`.
// Consecutive bare `<*>` collapse into one so that variable-length lists (stack addresses, argument
// lists) do not split a template. One configuration for every log: no per-source regexes.

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

function onlyPunctAndWildcards(tok: string): boolean {
  const rest = tok.split(WILDCARD).join('');
  if (rest.length === tok.length) return false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c >= 128 || DELIM[c] !== 1) if (c !== 46 && c !== 45 && c !== 47 && c !== 64 && c !== 35 && c !== 42) return false;
  }
  return true;
}

const outTokens: string[] = [];
// Character classes for ASCII: 0 other, 1 whitespace, 2 delimiter, 3 digit, 4 slash, 5 dot, 6 hex letter.
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c === 32 || (c >= 9 && c <= 13)) CLS[c] = 1;
  else if (DELIM[c] === 1) CLS[c] = 2;
  else if (c >= 48 && c <= 57) CLS[c] = 3;
  else if (c === 47 || c === 92) CLS[c] = 4;
  else if (c === 46) CLS[c] = 5;
  else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) CLS[c] = 6;
}
const DATE_WORDS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

// JSON keys whose string value is the message itself (kept as words); other string values are variables.
const MESSAGE_KEYS = new Set(['msg', 'message', 'event', 'error', 'err', 'exception', 'reason', 'log', 'body']);
const JSON_STRING = /"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** In a JSON line, replaces string values of non-message keys by <*> (values may hold spaces: user agents, names). */
export function maskJsonStrings(line: string): string {
  if (line.length > MAX_LINE_CHARS) line = line.slice(0, MAX_LINE_CHARS);
  return line.replace(JSON_STRING, (m: string, key: string, value: string) => (value === '' || MESSAGE_KEYS.has(key.toLowerCase()) ? m : `"${key}":"${WILDCARD}"`));
}

/**
 * The masked key of a line: masked tokens joined by single spaces. One pass over the characters
 * (this is the miner's hot loop): whitespace splits tokens, delimiters split pieces, each piece is
 * classified as it is scanned.
 */
export function maskKey(line: string): string {
  if (line.charCodeAt(0) === 123 /* { */) line = maskJsonStrings(line);
  const tokens = outTokens;
  tokens.length = 0;
  const n = Math.min(line.length, MAX_LINE_CHARS);
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || (c <= 13 && c >= 9)) {
      i++;
      continue;
    }
    // One token: [tokStart, i).
    const tokStart = i;
    let pieces = 0;
    let varPieces = 0;
    let pieceStart = i;
    let afterEquals = false;
    let digit = false;
    let slashes = 0;
    let dots = 0;
    let hexOnly = true;
    for (;;) {
      // One table lookup classifies the character (this loop is the miner's hot spot).
      const k = i >= n ? 1 : c < 128 ? CLS[c]! : 0;
      const end = k === 1;
      if (k === 1 || k === 2) {
        if (i > pieceStart) {
          const len = i - pieceStart;
          const v =
            afterEquals ||
            digit ||
            (len > 2 && (slashes >= 2 || (slashes >= 1 && dots >= 1))) ||
            (dots >= 2 && line.charCodeAt(pieceStart) !== 46 && line.charCodeAt(i - 1) !== 46) ||
            (hexOnly && len >= 16) ||
            ((len === 4 || len === 5) && isBoolean(line, pieceStart, len));
          if (pieces < vars.length) {
            starts[pieces] = pieceStart;
            ends[pieces] = i;
            vars[pieces] = v ? 1 : 0;
          }
          pieces++;
          if (v) varPieces++;
          if (c === 61 && i + 1 < n) {
            // key=value: an unquoted value runs to the end of the token (timestamps, ip:port, a/b) and is one variable.
            const q = line.charCodeAt(i + 1);
            if (q !== 34 && q !== 39 && q !== 32 && !(q <= 13 && q >= 9) && q !== 44) {
              let j = i + 1;
              while (j < n) {
                const d = line.charCodeAt(j);
                if (d === 32 || (d <= 13 && d >= 9) || d === 44 || d === 41 || d === 93 || d === 125 || d === 59) break;
                j++;
              }
              if (pieces < vars.length) {
                starts[pieces] = i + 1;
                ends[pieces] = j;
                vars[pieces] = 1;
              }
              pieces++;
              varPieces++;
              i = j;
              c = i < n ? line.charCodeAt(i) : 32;
              pieceStart = i;
              afterEquals = false;
              digit = false;
              slashes = 0;
              dots = 0;
              hexOnly = true;
              continue;
            }
          }
          afterEquals = c === 61;
        } else afterEquals = false;
        if (end) break;
        pieceStart = i + 1;
        digit = false;
        slashes = 0;
        dots = 0;
        hexOnly = true;
      } else if (k === 3) digit = true;
      else if (k === 4) slashes++;
      else if (k === 5) {
        dots++;
        hexOnly = false;
      } else if (k === 0) hexOnly = false;
      i++;
      c = i < n ? line.charCodeAt(i) : 32;
    }
    // Month and weekday names are parts of timestamps ("[Sun Dec 04 04:47:44 2005]").
    if (varPieces === 0 && pieces === 1 && (ends[0]! - starts[0]! === 3) && DATE_WORDS.has(line.slice(starts[0]!, ends[0]!))) varPieces = 1;
    let masked: string;
    if (varPieces === 0) masked = line.slice(tokStart, i);
    else if (varPieces === pieces || pieces > vars.length) masked = WILDCARD;
    else {
      masked = '';
      let pos = tokStart;
      for (let k = 0; k < pieces; k++) {
        if (vars[k] === 0) continue;
        masked += line.slice(pos, starts[k]) + WILDCARD;
        pos = ends[k]!;
      }
      masked += line.slice(pos, i);
    }
    const last = tokens.length - 1;
    if (masked === WILDCARD) {
      if (last >= 0 && tokens[last] === WILDCARD) continue;
    } else if (last >= 0 && masked.length <= 8 && varPieces === 0 && tokens[last]!.endsWith(WILDCARD)) {
      // A unit after a number joins it; trailing punctuation of the unit ("KB)", "ms,") is kept.
      let j = masked.length;
      while (j > 0 && masked.charCodeAt(j - 1) < 128 && DELIM[masked.charCodeAt(j - 1)] === 1) j--;
      if (j > 0 && UNITS.has(masked.slice(0, j).toLowerCase())) {
        tokens[last] = tokens[last] + masked.slice(j);
        if (onlyPunctAndWildcards(tokens[last]!)) tokens[last] = WILDCARD;
        if (last > 0 && tokens[last] === WILDCARD && tokens[last - 1] === WILDCARD) tokens.pop();
        continue;
      }
    }
    if (tokens.length >= MAX_TOKENS) {
      if (tokens[tokens.length - 1] !== WILDCARD) tokens.push(WILDCARD);
      break;
    }
    tokens.push(masked);
  }
  return tokens.join(' ');
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
