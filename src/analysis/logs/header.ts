// Headers of common line formats, recognised by their structure rather than per source:
//   syslog / journald short   `Jun 14 15:16:01 host sshd[123]: message`
//   log4j / logback / python  `2015-10-18 18:01:47,978 INFO [main] org.x.Y: message`, `… - INFO [t] - message`
//   klog / glog               `I0507 11:59:38.116658    2791 file.go:220] message`
//   bracketed time            `[2024-05-07 10:55:53,251] INFO [component] message`, `[Sun Dec 04 04:47:44 2005] [notice] message`
//   Common Log Format         `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`
// A header starts with a timestamp (or a client address followed by a bracketed timestamp) and is
// made of the fields those formats put there: times, numbers (pids, tids), levels, bracketed groups
// (threads, components — spaces allowed inside), a host or program name, and it ends at the field that
// closes it (`name:`, `file.go:220]`, a lone `-` or `|`). Without a closing field, it is the leading
// run of time/level/number/bracket fields. JSON and logfmt lines have no header: their fields are
// masked as values where they are (tokenize.ts).
//
// The miner sees a header as one variable token: lines of one event from different hosts, pids,
// threads or components group together, and the rendered pattern still writes what was constant in
// the header (the level, the component) literally, from evidence.

const LEVELS = new Set(['trace', 'debug', 'info', 'notice', 'warn', 'warning', 'error', 'err', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'severe', 'fine', 'finer', 'finest', 'verbose', 'v', 'd', 'i', 'w', 'e', 'f']);
const DATE_WORDS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Longest header looked at, in fields (a bracketed group is one field). */
const MAX_FIELDS = 10;
/** Plain words (host, program) a header may hold before its closing field. */
const MAX_WORDS = 2;

const enum F {
  Time,
  Number,
  Level,
  Bracket,
  Close,
  Sep,
  Word,
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Digits in at least two groups joined by - / : . , T Z + (a date, a time, or both); or a month/day name; or klog's `I0507`. */
function isTime(s: string, a = 0, b = s.length): boolean {
  let groups = 0;
  let inDigits = false;
  let end = b;
  while (end > a && s.charCodeAt(end - 1) === 44) end--; // "04:30:30," (Windows CBS)
  const len = end - a;
  if (len <= 0) return false;
  if (len === 3 && DATE_WORDS.has(s.slice(a, end).toLowerCase())) return true;
  const c0 = s.charCodeAt(a);
  if (len === 5 && (c0 === 73 || c0 === 87 || c0 === 69 || c0 === 70 || c0 === 68) && isDigit(s.charCodeAt(a + 1)) && isDigit(s.charCodeAt(a + 2)) && isDigit(s.charCodeAt(a + 3)) && isDigit(s.charCodeAt(a + 4))) return true;
  let dots = 0;
  let dateSeps = 0;
  for (let i = a; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (!inDigits) groups++;
      inDigits = true;
    } else if (c === 45 || c === 47 || c === 58 || c === 46 || c === 44 || c === 84 || c === 90 || c === 43) {
      inDigits = false;
      if (c === 46) dots++;
      else if (c === 45 || c === 47) dateSeps++;
    } else return false;
  }
  // Four dotted groups without a date separator is an address (`10.0.0.1`, `10.0.0.1:443`), not a time.
  return groups >= 2 && !(dots === 3 && dateSeps === 0);
}

function isNumber(s: string, a = 0, b = s.length): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

// Level words by length, compared in place without lower-casing copies (this runs on every header field).
const LEVELS_BY_LEN: string[][] = [];
for (const l of LEVELS) (LEVELS_BY_LEN[l.length] ??= []).push(l);
const ERROR_LEVELS = new Set(['error', 'err', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'severe', 'e', 'f']);

/** The level word in s[a, b) ([INFO], <info>, INFO: accepted), or undefined. */
function levelWord(s: string, a: number, b: number): string | undefined {
  while (a < b && (s.charCodeAt(a) === 91 || s.charCodeAt(a) === 60)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 93 || s.charCodeAt(b - 1) === 62 || s.charCodeAt(b - 1) === 58)) b--;
  const cands = LEVELS_BY_LEN[b - a];
  if (!cands) return undefined;
  next: for (const w of cands) {
    for (let k = 0; k < w.length; k++) {
      const c = s.charCodeAt(a + k);
      if ((c >= 65 && c <= 90 ? c | 32 : c) !== w.charCodeAt(k)) continue next;
    }
    return w;
  }
  return undefined;
}

function isLevel(s: string, a = 0, b = s.length): boolean {
  return levelWord(s, a, b) !== undefined;
}

/** An error-class level word (brackets and a trailing colon aside). */
function isErrorLevel(s: string, a: number, b: number): boolean {
  const w = levelWord(s, a, b);
  return w !== undefined && ERROR_LEVELS.has(w);
}

function isIpLike(s: string, a = 0, b = s.length): boolean {
  let dots = 0;
  let colons = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (!(isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  // IPv4, or IPv6 (`::` or three colons or more: `hh:mm:ss` has two and no `::`).
  return (dots === 3 && colons === 0) || colons >= 3 || (colons === 2 && s.slice(a, b).includes('::'));
}

function hasChar(s: string, a: number, b: number, ch: number): boolean {
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === ch) return true;
  return false;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The level field of the header found by the last `headerEnd` call when it is of the error class
 * ([headerLevelStart, headerLevelEnd); -1 otherwise). The miner keeps it as a word of the key: the same
 * text logged as an error and as information are different events for an investigation, while
 * info/debug/warn variants of one message stay one pattern.
 */
export let headerLevelStart = -1;
export let headerLevelEnd = -1;

/**
 * Where the header of a line ends (index just after its last field), or 0 when the line does not
 * start with one. Looks at no more than the first few fields, so it costs little on any line.
 */
export function headerEnd(line: string, n: number): number {
  headerLevelStart = headerLevelEnd = -1;
  let i = 0;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (i >= n) return 0;
  const c0 = line.charCodeAt(i);
  // Cheap gate: a header starts with a digit, `[`, or a letter (month, klog level); anything else has none.
  if (!(isDigit(c0) || c0 === 91 || c0 === 58 || (c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return 0;
  let fields = 0;
  let words = 0;
  let lastRunEnd = 0; // end of the leading run of time/number/level/bracket fields
  let inRun = true;
  let closedAt = 0;
  while (i < n && fields < MAX_FIELDS) {
    const start = i;
    let kind: F;
    if (line.charCodeAt(i) === 91 /* [ */) {
      // A bracketed group, spaces allowed inside; brackets may nest (`[QuorumPeer[myid=1]/…]`), and
      // several groups may touch (`[DEBUG][606918]`).
      let depth = 0;
      let timeOnly = true;
      let wordStart = i + 1;
      for (; i < n; i++) {
        const c = line.charCodeAt(i);
        if (c === 91) {
          depth++;
          wordStart = i + 1;
        } else if (c === 93 || isSpace(c)) {
          if (timeOnly && i > wordStart && !isTime(line, wordStart, i) && !isNumber(line, wordStart, i)) timeOnly = false;
          wordStart = i + 1;
          if (c === 93 && --depth === 0 && (i + 1 >= n || line.charCodeAt(i + 1) !== 91)) {
            i++;
            break;
          }
        }
      }
      if (depth !== 0) return fields > 0 && !inRun ? closedAt : lastRunEnd;
      // Anything glued after the group (`[x]:`) belongs to it.
      while (i < n && !isSpace(line.charCodeAt(i))) i++;
      kind = timeOnly ? F.Time : line.charCodeAt(i - 1) === 58 ? F.Close : isLevel(line, start, i) ? F.Level : F.Bracket;
    } else {
      while (i < n && !isSpace(line.charCodeAt(i))) i++;
      const last = line.charCodeAt(i - 1);
      // Common Log Format: a client address, ident, user, then the bracketed time.
      if (fields === 0 && isIpLike(line, start, i)) return clfEnd(line, i, n);
      if (isTime(line, start, i)) kind = F.Time;
      else if (isNumber(line, start, i)) kind = F.Number;
      else if (isLevel(line, start, i)) kind = F.Level;
      else if (i - start === 1 && (last === 45 || last === 124)) kind = F.Sep;
      else if (i - start > 1 && (last === 58 || (last === 93 && !hasChar(line, start, i, 91)))) kind = F.Close;
      else kind = F.Word;
    }
    if (fields === 0 && kind !== F.Time) return 0;
    fields++;
    if (kind === F.Level && headerLevelStart < 0 && isErrorLevel(line, start, i)) {
      headerLevelStart = start;
      headerLevelEnd = i;
    }
    if (kind === F.Close || kind === F.Sep) {
      closedAt = i;
      inRun = false;
      // What follows a closing field decides: more header fields (`- INFO [t] - msg`) or the message.
      let j = i;
      while (j < n && isSpace(line.charCodeAt(j))) j++;
      let k = j;
      while (k < n && !isSpace(line.charCodeAt(k))) k++;
      const c = line.charCodeAt(j);
      if (!(isLevel(line, j, k) || c === 91 || (k - j === 1 && (c === 45 || c === 124)))) return closedAt;
    } else if (kind === F.Word) {
      inRun = false;
      if (++words > MAX_WORDS) break;
    } else if (inRun) lastRunEnd = i;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
  }
  return closedAt > 0 ? closedAt : lastRunEnd;
}

/** CLF after the client address at `i`: two fields, then `[dd/Mon/yyyy:hh:mm:ss zone]`; 0 when it is not that. */
function clfEnd(line: string, i: number, n: number): number {
  for (let f = 0; f < 2; f++) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return 0;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
  }
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 91 || !isDigit(line.charCodeAt(i + 1))) return 0;
  const close = line.indexOf(']', i);
  if (close < 0 || close - i > 40) return 0;
  return line.slice(i, close).includes(':') ? close + 1 : 0;
}
