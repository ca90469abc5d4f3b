// Cell values of exported tables: times as the products write them, attribute maps (JSON or ClickHouse's
// `{'k':'v'}` map text), ClickHouse arrays (`['a','b']`), duration units, and service names from pods and
// log groups.
import { epochNumberMs, fraction, MONTHS, zoneOffsetMs } from './line-time.js';

export interface CellTime {
  ms: number;
  /** Written without a zone (`2024-05-07 10:55:53.251`): read as UTC. */
  zoneless: boolean;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Go's `time.Time.String()` (the Nezha metric CSVs' `Time`): `2022-08-22 03:51:19.607158889 +0000 UTC m=+0.113112869`. */
const GO_STRING = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-]\d{4}) [A-Z]{1,5}(?: m=[+-][\d.]+)?$/;
/** Kibana's default `dateFormat`: `May 7, 2024 @ 10:55:53.251`. */
const KIBANA = /^([A-Z][a-z]{2})[a-z]* (\d{1,2}), (\d{4}) @ (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
/** An epoch number of seconds, milliseconds, microseconds or nanoseconds, told apart by its size. */
export function epochMs(v: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  const int = v.split('.')[0]!;
  // Nanoseconds exceed 2^53: split to keep the sub-millisecond part (a value in ms, which the ladder keeps as is).
  return epochNumberMs(int.length >= 18 ? Number(int.slice(0, -6)) + Number(int.slice(-6)) / 1e6 : Number(v));
}

/** A time cell: RFC 3339, `YYYY-MM-DD hh:mm:ss[.fff…]` (no zone: UTC), Kibana's format, or an epoch number. */
export function cellTime(raw: string): CellTime | undefined {
  const v = raw.trim();
  if (!v) return undefined;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57 && !v.includes('-')) {
    const ms = epochMs(v);
    return ms === undefined ? undefined : { ms, zoneless: false };
  }
  let m = ISO.exec(v);
  if (m) {
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
    if (Number.isNaN(t)) return undefined;
    const z = m[8];
    return { ms: t + fraction(m[7]) - zoneOffsetMs(z), zoneless: !z };
  }
  m = GO_STRING.exec(v);
  if (m) return { ms: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + fraction(m[7]) - zoneOffsetMs(m[8]), zoneless: false };
  m = KIBANA.exec(v);
  if (m && MONTHS[m[1]!.toLowerCase()] !== undefined) {
    const t = Date.UTC(Number(m[3]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
    return { ms: t + fraction(m[7]), zoneless: true };
  }
  return undefined;
}

/** One problem per file for times written without a zone. */
export function zonelessProblem(file: string, column: string): string {
  return `${file}: times in column "${column}" have no zone; read as UTC`;
}

/**
 * A quoted ClickHouse literal starting at `i` (`'…'` with backslash escapes, or `"…"` with doubled quotes):
 * its text and the index after it.
 */
function quoted(s: string, i: number): [string, number] {
  const q = s[i]!;
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === '\\' && j + 1 < s.length) {
      const n = s[j + 1]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      j += 2;
    } else if (ch === q) {
      if (q === '"' && s[j + 1] === '"') {
        out += '"';
        j += 2;
      } else return [out, j + 1];
    } else {
      out += ch;
      j++;
    }
  }
  return [out, j];
}

type Literal = string | number | boolean | null | Literal[] | { [k: string]: Literal };

/** A ClickHouse value as text output writes it: maps `{'k':'v'}`, arrays `['a']`, tuples, strings, numbers. */
function literal(s: string, i: number): [Literal, number] {
  while (s[i] === ' ') i++;
  const ch = s[i];
  if (ch === "'" || ch === '"') return quoted(s, i);
  if (ch === '[' || ch === '(') {
    const close = ch === '[' ? ']' : ')';
    const out: Literal[] = [];
    i++;
    while (i < s.length) {
      while (s[i] === ' ' || s[i] === ',') i++;
      if (s[i] === close) return [out, i + 1];
      const [v, j] = literal(s, i);
      if (j <= i) break;
      out.push(v);
      i = j;
    }
    return [out, i];
  }
  if (ch === '{') {
    const out: { [k: string]: Literal } = {};
    i++;
    while (i < s.length) {
      while (s[i] === ' ' || s[i] === ',') i++;
      if (s[i] === '}') return [out, i + 1];
      const [k, j] = literal(s, i);
      let n = j;
      while (s[n] === ' ') n++;
      if (s[n] !== ':' || j <= i) break;
      const [v, m] = literal(s, n + 1);
      out[String(k)] = v;
      i = m;
    }
    return [out, i];
  }
  let j = i;
  while (j < s.length && !',]})'.includes(s[j]!)) j++;
  const word = s.slice(i, j).trim();
  const n = Number(word);
  return [word === 'true' ? true : word === 'false' ? false : word === 'NULL' || word === 'null' ? null : word !== '' && Number.isFinite(n) ? n : word, j];
}

/** A ClickHouse array cell (`['exception','retry']`, `[{'k':'v'}]`), or undefined when it is none. */
export function clickhouseArray(v: string): Literal[] | undefined {
  const t = v.trim();
  if (!t.startsWith('[')) return undefined;
  // ClickHouse's own text quotes strings with `'`: JSON is tried only when no `'` starts a value.
  if (!/^\[\s*[{(]?\s*'/.test(t)) {
    try {
      const parsed = JSON.parse(t) as unknown;
      if (Array.isArray(parsed)) return parsed as Literal[];
    } catch {
      // Not JSON after all: read as ClickHouse text below.
    }
  }
  const [val] = literal(t, 0);
  return Array.isArray(val) ? val : undefined;
}

/** Flattens nested objects to dotted keys; values are strings, numbers or booleans. */
function flatInto(out: Record<string, string | number | boolean>, o: Record<string, unknown>, prefix: string, depth: number): void {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && depth < 3) flatInto(out, v as Record<string, unknown>, key, depth + 1);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (v !== null && v !== undefined) out[key] = JSON.stringify(v);
  }
}

/** An attribute map cell: JSON (`{"k":"v"}`, nested objects flattened to dotted keys) or ClickHouse map text (`{'k':'v'}`). */
export function attributeMap(v: string): Record<string, string | number | boolean> | undefined {
  const t = v.trim();
  if (!t.startsWith('{')) return undefined;
  let obj: unknown;
  // ClickHouse writes `{'k':'v'}`: only a `"` (or an empty map) can start JSON, and a failed JSON.parse costs
  // a thrown error per row.
  if (/^\{\s*("|\})/.test(t)) {
    try {
      obj = JSON.parse(t);
    } catch {
      obj = undefined;
    }
  }
  if (obj === undefined) obj = literal(t, 0)[0];
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const out: Record<string, string | number | boolean> = {};
  flatInto(out, obj as Record<string, unknown>, '', 0);
  return out;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, nano: 1e-6, nanos: 1e-6, nanoseconds: 1e-6, us: 1e-3, µs: 1e-3, micros: 1e-3, microseconds: 1e-3, ms: 1, millis: 1, milliseconds: 1, s: 1000, sec: 1000, secs: 1000, seconds: 1000 };

/** Milliseconds per unit of a duration column, from its name's suffix (`duration_ms`, `DurationNano`, `latency_us`). */
export function durationUnitFromName(column: string): number | undefined {
  const suffix = column.toLowerCase().replace(/[^a-zµ]/g, '').replace(/^(span)?(duration|latency|elapsed|took)/, '');
  return UNIT_MS[suffix];
}

/** Kubernetes pod names end in the ReplicaSet's hash and a random suffix: `ts-order-service-5b67c48447-mv5hb` → `ts-order-service`. */
const POD_SUFFIX = /-([a-z0-9]{6,10})-[a-z0-9]{5}$/;

/** The service a cell names: a pod without its generated suffix, a CloudWatch log group's last segment. */
export function serviceName(v: string, column: string): string {
  const t = v.trim();
  const c = column.toLowerCase();
  if (c.includes('pod')) {
    const m = POD_SUFFIX.exec(t);
    return m && /\d/.test(m[1]!) ? t.slice(0, m.index) : t;
  }
  // `123456789012:/aws/lambda/checkout` → `checkout`.
  if (column.trim() === '@log') return t.replace(/^\d{12}:/, '').split('/').filter(Boolean).pop() ?? t;
  return t;
}
