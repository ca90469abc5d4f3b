// Detected fields of log records (like Loki's detected_fields): JSON bodies (flattened with `_` like
// LogQL's `| json`), logfmt bodies, and OTLP attributes / structured metadata. Per field: type,
// cardinality, top values with their rate and change vs a baseline, numeric summaries; fields whose
// value mix moved the most come first.
import type { AttrValue, LogRecord, TimeRange } from '../../sources/types.js';
import { quantile } from '../../util/stats.js';
import { poissonSurprise } from './shift.js';
import { maskKey, WILDCARD } from './tokenize.js';

function templateOf(v: string): string {
  const k = maskKey(v);
  return k.includes(WILDCARD) ? k : v;
}

export type FieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';
export type FieldParser = 'json' | 'logfmt' | 'attribute' | 'resource';

export interface ExtractedField {
  value: string;
  parser: FieldParser;
}

const MAX_FIELDS_PER_LINE = 64;
const SERVICE_KEYS = new Set(['service.name', 'service_name']);

/** Flattens a parsed JSON value into `a_b_c` keys (LogQL json parser naming). */
function flattenJson(v: unknown, prefix: string, out: Map<string, ExtractedField>, depth: number): void {
  if (out.size >= MAX_FIELDS_PER_LINE) return;
  if (v === null || v === undefined) return;
  if (typeof v === 'object' && !Array.isArray(v)) {
    if (depth > 4) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = (prefix ? `${prefix}_${k}` : k).replace(/[^A-Za-z0-9_]/g, '_');
      flattenJson(x, key, out, depth + 1);
    }
    return;
  }
  if (Array.isArray(v)) return; // LogQL's json parser skips arrays too
  out.set(prefix, { value: String(v), parser: 'json' });
}

/** Parses `k=v k2="quoted value"` pairs; returns undefined when the line is not logfmt-shaped. */
export function parseLogfmt(line: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][\w.\-/]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(line)) && n++ < MAX_FIELDS_PER_LINE) {
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    out.set(m[1]!.replace(/[^A-Za-z0-9_]/g, '_'), v);
  }
  return out.size >= 2 ? out : undefined;
}

/** All fields of one record: attributes first (structured metadata), then JSON or logfmt body fields. */
export function extractFields(r: LogRecord): Map<string, ExtractedField> {
  const out = new Map<string, ExtractedField>();
  for (const [k, v] of Object.entries(r.attributes)) if (out.size < MAX_FIELDS_PER_LINE) out.set(k, { value: String(v), parser: 'attribute' });
  // Resource attributes (Loki: stream labels / structured metadata) except the service name the query selects on.
  for (const [k, v] of Object.entries(r.resource)) if (!SERVICE_KEYS.has(k) && !out.has(k) && out.size < MAX_FIELDS_PER_LINE) out.set(k, { value: String(v), parser: 'resource' });
  const body = r.body;
  const t = body.trimStart();
  if (t.startsWith('{') && body.length < 65_536) {
    try {
      const parsed: unknown = JSON.parse(body);
      const m = new Map<string, ExtractedField>();
      flattenJson(parsed, '', m, 0);
      for (const [k, v] of m) if (!out.has(k)) out.set(k, v);
      return out;
    } catch {
      /* not JSON after all: try logfmt */
    }
  }
  if (body.includes('=')) {
    const lf = parseLogfmt(body.length > 8192 ? body.slice(0, 8192) : body);
    if (lf) for (const [k, v] of lf) if (!out.has(k)) out.set(k, { value: v, parser: 'logfmt' });
  }
  return out;
}

const DURATION = /^-?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))*$/;
const BYTES = /^\d+(?:\.\d+)?\s?(?:B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)$/;

export function valueType(v: string): FieldType {
  if (v === 'true' || v === 'false') return 'boolean';
  if (/^-?\d+$/.test(v) && v.length < 16) return 'int';
  if (/^-?\d*\.\d+(?:[eE][-+]?\d+)?$/.test(v)) return 'float';
  if (DURATION.test(v)) return 'duration';
  if (BYTES.test(v)) return 'bytes';
  return 'string';
}

const DUR_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3, TB: 1e12, TiB: 1024 ** 4 };

/** Numeric value of a field (durations in ms, bytes in bytes). */
export function numericValue(v: string, type: FieldType): number | undefined {
  if (type === 'int' || type === 'float') return Number(v);
  if (type === 'duration') {
    let ms = 0;
    const sign = v.startsWith('-') ? -1 : 1;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * DUR_UNITS[m[2]!]!;
    return sign * ms;
  }
  if (type === 'bytes') {
    const m = /^(\d+(?:\.\d+)?)\s?(\w+)$/.exec(v);
    return m ? Number(m[1]) * (BYTE_UNITS[m[2]!] ?? 1) : undefined;
  }
  return undefined;
}

export interface FieldValueStat {
  value: string;
  count: number;
  baselineCount: number;
  ratePerSec: number;
  baselineRatePerSec: number;
  /** Window share minus baseline share (percentage points / 100). */
  shareChange: number;
  /** Window rate / baseline rate (Infinity when the value is new). */
  change: number;
  /** -log10 P(count this far from the baseline rate), Poisson, up or down. */
  surprise: number;
}

export interface FieldStat {
  name: string;
  type: FieldType;
  parsers: FieldParser[];
  /** Records carrying the field in the window / baseline. */
  count: number;
  baselineCount: number;
  cardinality: number;
  /** Values, outlying first (biggest share change), capped. */
  values: FieldValueStat[];
  numeric?: { min: number; avg: number; p50: number; p95: number; max: number; baselineP50?: number; baselineP95?: number; unit?: string };
  /** How much the field's value mix moved vs baseline (0 = same; ~1 = entirely different). */
  shift: number;
  /** Ranking score: the most surprising value change (or numeric move); fields are sorted by it. */
  score: number;
}

interface Acc {
  types: Map<FieldType, number>;
  parsers: Set<FieldParser>;
  count: number;
  baseCount: number;
  values: Map<string, { w: number; b: number }>;
  overflow: boolean;
  nums: number[];
  baseNums: number[];
}

const MAX_VALUES_TRACKED = 2000;
const MAX_NUMS = 20_000;

function durationSec(r: TimeRange): number {
  return Math.max(1, (r.end - r.start) / 1000);
}

/**
 * Field statistics for the window vs the baseline. Records outside both ranges are ignored.
 * `valuesPerField` caps the values listed per field.
 */
export function fieldStats(records: LogRecord[], window: TimeRange, baseline: TimeRange | undefined, opts: { valuesPerField?: number; only?: string[] } = {}): FieldStat[] {
  const accs = new Map<string, Acc>();
  const only = opts.only ? new Set(opts.only) : undefined;
  let wTotal = 0;
  let bTotal = 0;
  for (const r of records) {
    const inW = r.timeMs >= window.start && r.timeMs < window.end;
    const inB = !!baseline && r.timeMs >= baseline.start && r.timeMs < baseline.end;
    if (!inW && !inB) continue;
    if (inW) wTotal++;
    else bTotal++;
    for (const [name, f] of extractFields(r)) {
      if (only && !only.has(name)) continue;
      let a = accs.get(name);
      if (!a) accs.set(name, (a = { types: new Map(), parsers: new Set(), count: 0, baseCount: 0, values: new Map(), overflow: false, nums: [], baseNums: [] }));
      const t = valueType(f.value);
      a.types.set(t, (a.types.get(t) ?? 0) + 1);
      a.parsers.add(f.parser);
      if (inW) a.count++;
      else a.baseCount++;
      // Message-like values (text with spaces) are counted by their template, so "failed order 123" and
      // "failed order 456" are one value whose rate can move; single-word values (versions, ids, codes) stay exact.
      const key = t === 'string' && /\s/.test(f.value) ? templateOf(f.value) : f.value;
      let v = a.values.get(key);
      if (!v) {
        if (a.values.size >= MAX_VALUES_TRACKED) a.overflow = true;
        else a.values.set(key, (v = { w: 0, b: 0 }));
      }
      if (v) {
        if (inW) v.w++;
        else v.b++;
      }
      const num = t === 'string' || t === 'boolean' ? undefined : numericValue(f.value, t);
      if (num !== undefined && Number.isFinite(num)) {
        const arr = inW ? a.nums : a.baseNums;
        if (arr.length < MAX_NUMS) arr.push(num);
      }
    }
  }
  const wSec = durationSec(window);
  const bSec = baseline ? durationSec(baseline) : 1;
  const out: FieldStat[] = [];
  for (const [name, a] of accs) {
    // Dominant type: a field is numeric when nearly all its values are.
    const total = a.count + a.baseCount;
    let type: FieldType = 'string';
    let best = 0;
    for (const [t, n] of a.types) if (n > best) [type, best] = [t, n];
    if (type !== 'string' && best < 0.95 * total) type = 'string';
    const wDen = Math.max(1, a.count);
    const bDen = Math.max(1, a.baseCount);
    const values: FieldValueStat[] = [...a.values].map(([value, c]) => {
      const rate = c.w / wSec;
      const bRate = baseline ? c.b / bSec : 0;
      return {
        value,
        count: c.w,
        baselineCount: c.b,
        ratePerSec: rate,
        baselineRatePerSec: bRate,
        shareChange: c.w / wDen - (baseline && a.baseCount > 0 ? c.b / bDen : c.w / wDen),
        change: bRate > 0 ? rate / bRate : c.w > 0 ? Infinity : 0,
        surprise: baseline && bTotal > 0 ? Math.max(poissonSurprise(c.w, ((c.b + 0.5) / bSec) * wSec), 0.5 * poissonSurprise(c.b, ((c.w + 0.5) / wSec) * bSec)) : 0,
      };
    });
    // Total variation distance between the window and baseline value mixes.
    const shift = baseline && a.baseCount > 0 && a.count > 0 ? values.reduce((s, v) => s + Math.abs(v.shareChange), 0) / 2 : 0;
    // Presence change also counts: a field that appears only now (or vanished) moved.
    const presence = baseline && bTotal > 0 && wTotal > 0 ? Math.abs(a.count / wTotal - a.baseCount / bTotal) : 0;
    // High-cardinality identifiers (ids, timestamps): every value is "new", so list the busiest, not the most changed.
    const card = a.values.size;
    const idLike = card > 20 && card > 0.3 * total;
    if (idLike) values.sort((x, y) => y.count - x.count);
    else values.sort((x, y) => y.surprise - x.surprise || y.count - x.count);
    let numeric: FieldStat['numeric'];
    if (type !== 'string' && type !== 'boolean' && a.nums.length) {
      const s = [...a.nums].sort((x, y) => x - y);
      const bs = [...a.baseNums].sort((x, y) => x - y);
      numeric = {
        min: s[0]!,
        max: s[s.length - 1]!,
        avg: s.reduce((x, y) => x + y, 0) / s.length,
        p50: quantile(s, 0.5),
        p95: quantile(s, 0.95),
        baselineP50: bs.length ? quantile(bs, 0.5) : undefined,
        baselineP95: bs.length ? quantile(bs, 0.95) : undefined,
        unit: type === 'duration' ? 'ms' : type === 'bytes' ? 'bytes' : undefined,
      };
    }
    // Numeric fields: the shift is how far the window's p95 moved relative to the baseline spread.
    let numShift = 0;
    if (numeric && numeric.baselineP95 !== undefined && numeric.baselineP50 !== undefined) {
      const ref = Math.max(Math.abs(numeric.baselineP95), Math.abs(numeric.baselineP50), 1e-9);
      numShift = Math.min(1, Math.abs(numeric.p95 - numeric.baselineP95) / ref / 2);
    }
    // Score: the most surprising value (capped), or how far a numeric field's p95 moved (log2 ratio);
    // identifiers only by presence (every id is "new").
    let score: number;
    if (!baseline || bTotal === 0) score = 0;
    else if (numeric && numeric.baselineP95 !== undefined && numeric.baselineP95 > 0 && numeric.p95 > 0) score = Math.min(20, 5 * Math.abs(Math.log2(numeric.p95 / numeric.baselineP95)));
    else if (idLike) score = Math.min(20, poissonSurprise(a.count, ((a.baseCount + 0.5) / bSec) * wSec));
    else score = Math.min(20, values.reduce((m, v) => Math.max(m, v.surprise), 0));
    out.push({
      name,
      score: Math.round(score * 1000) / 1000,
      type,
      parsers: [...a.parsers],
      count: a.count,
      baselineCount: a.baseCount,
      cardinality: card,
      values: values.slice(0, opts.valuesPerField ?? 10),
      numeric,
      shift: idLike ? Math.max(numShift, presence) : Math.max(type === 'string' || type === 'boolean' ? shift : numShift, presence),
    });
  }
  return out.sort((x, y) => y.score - x.score || y.shift - x.shift || y.count - x.count);
}
