// Log level detection, following Loki's `detected_level` (distributor field detection) and adding
// the prefixes and shapes Loki's word scan misses (glog `E0603`, Android ` E/Tag`, panics, stack traces).
// Order: an explicit detected_level; level-like attributes/resource fields; OTLP severity text and
// number; `level` in a JSON or logfmt body; then words in the line.
import type { Attributes } from '../../sources/types.js';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'critical' | 'unknown';

export const LEVELS: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'critical', 'unknown'];

/** Loki's default `log_level_fields`. */
export const LEVEL_FIELDS = ['level', 'LEVEL', 'Level', 'log.level', 'severity', 'SEVERITY', 'Severity', 'SeverityText', 'lvl', 'LVL', 'Lvl', 'severity_text', 'Severity_Text', 'SEVERITY_TEXT'];
const LEVEL_FIELD_SET = new Set(LEVEL_FIELDS.map((f) => f.toLowerCase()));

/** How much a level weighs when ranking patterns (errors matter most). */
export function levelWeight(l: string): number {
  switch (l) {
    case 'fatal':
    case 'critical':
      return 4;
    case 'error':
      return 3;
    case 'warn':
      return 1.6;
    case 'info':
    case 'unknown':
      return 1;
    default:
      return 0.6;
  }
}

export function isErrorish(l: string): boolean {
  return l === 'error' || l === 'fatal' || l === 'critical';
}

/** Normalises a level value the way Loki does (case-insensitive; unknown strings pass through lowercased). */
export function normalizeLevel(v: string): string {
  const s = v.trim().toLowerCase();
  switch (s) {
    case 'trc':
    case 'trace':
      return 'trace';
    case 'dbg':
    case 'debug':
    case 'd':
      return 'debug';
    case 'inf':
    case 'info':
    case 'information':
    case 'informational':
    case 'notice':
    case 'i':
      return 'info';
    case 'wrn':
    case 'warn':
    case 'warning':
    case 'w':
      return 'warn';
    case 'err':
    case 'error':
    case 'e':
    case 'severe':
      return 'error';
    case 'fatal':
    case 'panic':
    case 'emerg':
    case 'emergency':
    case 'alert':
    case 'f':
      return 'fatal';
    case 'crit':
    case 'critical':
      return 'critical';
    case '':
      return 'unknown';
    default:
      return s;
  }
}

/** OTLP severity number → level (0 unknown, ≤4 trace, ≤8 debug, ≤12 info, ≤16 warn, ≤20 error, ≤24 fatal). */
export function levelFromSeverityNumber(n: number): Level {
  if (!(n > 0)) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  return 'fatal';
}

export interface LevelInput {
  body: string;
  severityText?: string;
  severityNumber?: number;
  attributes?: Attributes;
  resource?: Attributes;
}

function fromAttributes(a: Attributes | undefined): string | undefined {
  if (!a) return undefined;
  const d = a.detected_level;
  if (typeof d === 'string' && d) return normalizeLevel(d);
  for (const f of LEVEL_FIELDS) {
    const v = a[f];
    if (typeof v === 'string' && v) return normalizeLevel(v);
  }
  return undefined;
}

/** Finds `"level":"x"` (any depth) in a JSON body without a full parse of large lines. */
function fromJson(body: string): string | undefined {
  const re = /"([A-Za-z_.]+)"\s*:\s*"([^"]{1,20})"/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(body)) && n++ < 64) {
    if (LEVEL_FIELD_SET.has(m[1]!.toLowerCase())) return normalizeLevel(m[2]!);
  }
  // Numeric severities in JSON (pino/bunyan: 10 trace … 60 fatal).
  const num = /"(level|severity)"\s*:\s*(\d{1,3})\b/i.exec(body);
  return num ? pinoLevel(Number(num[2])) : undefined;
}

/** pino's and bunyan's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function pinoLevel(v: number): Level | undefined {
  return v >= 10 && v <= 60 && v % 10 === 0 ? (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const)[v / 10 - 1] : undefined;
}

function fromLogfmt(body: string): string | undefined {
  const re = /(?:^|\s)([A-Za-z_.]+)=("?)([A-Za-z]{1,12})\2(?=\s|$)/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(body)) && n++ < 64) {
    if (LEVEL_FIELD_SET.has(m[1]!.toLowerCase())) return normalizeLevel(m[3]!);
  }
  return undefined;
}

// Loki's word scan: earliest bounded occurrence of one of these words in the lowercased line.
const WORDS = /(?:^|[^a-z0-9_])(trace|debug|fatal|critical|error|err|warning|warn|info|panic|exception)(?=$|[^a-z0-9_])/;
// Prefix shapes: glog/klog `E0603 10:04:05.123`, Android/logcat ` E/Tag:` or `1702 2395 E Tag:`, `[E]`, `<E>`.
const GLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;
const SINGLE = /(?:^|[\s[<(])([VDIWEF])(?:\/[\w.$-]+\s*(?:\(\s*\d+\))?:|[\]>)]|\s+[\w.$-]+\s*:)/;
const STACK = /(\n\s+at [\w.$<>]+\(|Traceback \(most recent call last\)|\ngoroutine \d+ \[|^panic: |\n\s+at .+:\d+:\d+\))/;

const LETTER: Record<string, Level> = { V: 'trace', D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal' };

/** Detects the level of a log line from its body text only. */
export function levelFromBody(body: string): string {
  const head = body.length > 2048 ? body.slice(0, 2048) : body;
  const t = head.trimStart();
  if (t.startsWith('{')) {
    const j = fromJson(head);
    if (j) return j;
  } else if (head.includes('=')) {
    const l = fromLogfmt(head);
    if (l) return l;
  }
  const g = GLOG.exec(t);
  if (g) return LETTER[g[1]!]!;
  if (t.startsWith('panic: ') || t.startsWith('fatal error: ')) return 'fatal';
  if (STACK.test(head)) return 'error';
  const lower = head.toLowerCase();
  const w = WORDS.exec(lower);
  if (w) {
    const word = w[1]!;
    if (word === 'panic') return 'fatal';
    if (word === 'exception') {
      // A weaker word: an explicit level word later in the line wins ("INFO retrying after exception" is info).
      const rest = WORDS.exec(lower.slice(w.index + w[0].length));
      if (rest && rest[1] !== 'exception' && rest[1] !== 'panic') return normalizeLevel(rest[1]!);
      return 'error';
    }
    return normalizeLevel(word);
  }
  const s = SINGLE.exec(head.slice(0, 160));
  if (s) return LETTER[s[1]!]!;
  return 'unknown';
}

/** The level of a record, like Loki's detected_level. */
export function detectLevel(r: LevelInput): string {
  const a = fromAttributes(r.attributes) ?? fromAttributes(r.resource);
  if (a) return a;
  if (r.severityText) return normalizeLevel(r.severityText);
  if (r.severityNumber) return levelFromSeverityNumber(r.severityNumber);
  return levelFromBody(r.body);
}
