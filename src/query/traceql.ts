// Typed TraceQL builder. Callers describe a query as data (fields, conditions, spansets, a metrics
// pipeline) and `render*` turns it into text; nobody concatenates TraceQL strings by hand, so values
// are always quoted/escaped and attribute names always scoped the same way.
import type { AttrValue, SpanQuery, SpanStatus } from '../sources/types.js';

export type Intrinsic = 'name' | 'status' | 'statusMessage' | 'duration' | 'kind' | 'traceDuration' | 'rootName' | 'rootServiceName';
export type AttrScope = 'span' | 'resource' | 'event' | 'unscoped';

export type Field = { intrinsic: Intrinsic } | { scope: AttrScope; name: string } | { eventIntrinsic: 'name' };

export type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

/** A value in a condition: plain scalars, a duration in milliseconds, or an enum keyword (status/kind). */
export type Value = AttrValue | { durationMs: number } | { status: SpanStatus } | { kind: SpanKindName };

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export const KIND_NAMES: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export interface Cond {
  field: Field;
  op: Op;
  value: Value;
}

/** `{ a && b }` or `{ a || b }`; nested groups allowed (rendered in parentheses). */
export interface Spanset {
  join: '&&' | '||';
  items: Array<Cond | Spanset>;
}

export type MetricsFn =
  | { fn: 'rate' }
  | { fn: 'count_over_time' }
  | { fn: 'quantile_over_time'; field: Field; quantiles: number[] }
  | { fn: 'avg_over_time' | 'max_over_time' | 'sum_over_time' | 'histogram_over_time'; field: Field };

export interface TraceQLQuery {
  /** The first spanset; further ones are combined with the given structural/logical operator. */
  spansets: Spanset[];
  /** Operators between consecutive spansets (`>>` descendant, `>` child, `&&` same trace…). */
  ops?: Array<'>>' | '>' | '&&' | '||' | '~'>;
  select?: Field[];
  metrics?: MetricsFn & { by?: Field[] };
}

// ------------------------------------------------------------------ constructors

export const intrinsic = (name: Intrinsic): Field => ({ intrinsic: name });
export const spanAttr = (name: string): Field => ({ scope: 'span', name });
export const resourceAttr = (name: string): Field => ({ scope: 'resource', name });
export const anyAttr = (name: string): Field => ({ scope: 'unscoped', name });
export const eventName: Field = { eventIntrinsic: 'name' };
export const cond = (field: Field, op: Op, value: Value): Cond => ({ field, op, value });
export const and = (...items: Array<Cond | Spanset>): Spanset => ({ join: '&&', items });
export const or = (...items: Array<Cond | Spanset>): Spanset => ({ join: '||', items });
export const serviceIs = (service: string): Cond => cond(resourceAttr('service.name'), '=', service);

/** Parse a user/key form (`span.x`, `resource.x`, `.x`, `x`) into a field. */
export function fieldFromKey(key: string): Field {
  if (key === 'name' || key === 'status' || key === 'kind' || key === 'duration' || key === 'statusMessage') return intrinsic(key);
  if (key.startsWith('span.')) return spanAttr(key.slice(5));
  if (key.startsWith('resource.')) return resourceAttr(key.slice(9));
  if (key.startsWith('.')) return anyAttr(key.slice(1));
  return anyAttr(key);
}

// ------------------------------------------------------------------ rendering

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

export function renderField(f: Field): string {
  if ('intrinsic' in f) return f.intrinsic;
  if ('eventIntrinsic' in f) return `event:${f.eventIntrinsic}`;
  const name = PLAIN_NAME.test(f.name) && !f.name.endsWith('.') ? f.name : quote(f.name);
  return f.scope === 'unscoped' ? `.${name}` : `${f.scope}.${name}`;
}

export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** Escape regex metacharacters so a literal can be used inside `=~`. */
export function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function renderDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`invalid duration ${ms}`);
  if (Number.isInteger(ms)) return ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`;
  const us = Math.round(ms * 1000);
  return `${us}us`;
}

function renderValue(v: Value): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`invalid number ${v} in TraceQL`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if ('durationMs' in v) return renderDuration(v.durationMs);
  if ('status' in v) return v.status;
  return v.kind;
}

function renderItem(x: Cond | Spanset): string {
  if ('field' in x) {
    // Control characters (multi-line statements) have no escape every TraceQL parser accepts: match
    // them with a regex where each becomes \s, so the query stays valid and still selects the value.
    if (typeof x.value === 'string' && CONTROL.test(x.value) && (x.op === '=' || x.op === '!=')) {
      const re = regexEscape(x.value).replace(/[\u0000-\u001f]/g, '\\s');
      return `${renderField(x.field)} ${x.op === '=' ? '=~' : '!~'} ${quote(re)}`;
    }
    return `${renderField(x.field)} ${x.op} ${renderValue(x.value)}`;
  }
  if (x.items.length === 0) return 'true';
  const inner = x.items.map(renderItem).join(` ${x.join} `);
  return x.items.length > 1 ? `(${inner})` : inner;
}

export function renderSpanset(s: Spanset): string {
  if (s.items.length === 0) return '{}';
  return `{ ${s.items.map(renderItem).join(` ${s.join} `)} }`;
}

export function renderTraceQL(q: TraceQLQuery): string {
  if (q.spansets.length === 0) throw new Error('TraceQL needs at least one spanset');
  let text = renderSpanset(q.spansets[0]!);
  for (let i = 1; i < q.spansets.length; i++) text += ` ${q.ops?.[i - 1] ?? '&&'} ${renderSpanset(q.spansets[i]!)}`;
  if (q.spansets.length > 1 && (q.select || q.metrics)) text = `(${text})`;
  if (q.select?.length) text += ` | select(${q.select.map(renderField).join(', ')})`;
  if (q.metrics) {
    const m = q.metrics;
    let fn: string;
    if (m.fn === 'rate' || m.fn === 'count_over_time') fn = `${m.fn}()`;
    else if (m.fn === 'quantile_over_time') fn = `quantile_over_time(${renderField(m.field)}, ${m.quantiles.join(', ')})`;
    else fn = `${m.fn}(${renderField(m.field)})`;
    text += ` | ${fn}`;
    if (m.by?.length) text += ` by (${m.by.map(renderField).join(', ')})`;
  }
  return text;
}

/**
 * A regex matching the statements a normalised statement stands for: literals (`?`) and collapsed
 * lists (`(?…)`) become wildcards; a truncated statement (`…` at the end) matches any continuation.
 */
export function statementRegex(normalised: string): string {
  let text = normalised;
  const truncated = text.endsWith('…');
  if (truncated) text = text.slice(0, -1);
  const parts = text.split(/(\(\?…\)|\?)/);
  let re = '';
  for (const p of parts) {
    if (p === '(?…)') re += '\\(.*\\)';
    else if (p === '?') re += '.+';
    else re += regexEscape(p).replace(/ /g, '\\s+');
  }
  return truncated ? `${re}.*` : re;
}

// ------------------------------------------------------------------ intent → TraceQL

/** The conditions that mark an error span: status, HTTP 5xx, or a recorded exception. */
export function errorCondition(): Spanset {
  return or(
    cond(intrinsic('status'), '=', { status: 'error' }),
    cond(spanAttr('http.status_code'), '>=', 500),
    cond(spanAttr('http.response.status_code'), '>=', 500),
    cond(eventName, '=', 'exception'),
  );
}

/** The spanset selecting what an intent-level SpanQuery asks for. */
export function spansetFromQuery(q: Omit<SpanQuery, 'range'>): Spanset {
  const items: Array<Cond | Spanset> = [];
  if (q.service !== undefined) items.push(serviceIs(q.service));
  if (q.spanName !== undefined) items.push(cond(intrinsic('name'), '=', q.spanName));
  if (q.status !== undefined) items.push(cond(intrinsic('status'), '=', { status: q.status }));
  if (q.errorsOnly) items.push(errorCondition());
  if (q.minDurationMs !== undefined) items.push(cond(intrinsic('duration'), '>=', { durationMs: q.minDurationMs }));
  if (q.maxDurationMs !== undefined) items.push(cond(intrinsic('duration'), '<=', { durationMs: q.maxDurationMs }));
  for (const [k, v] of Object.entries(q.attributes ?? {})) items.push(cond(fieldFromKey(k), '=', v));
  return and(...items);
}

export function traceqlForQuery(q: Omit<SpanQuery, 'range'>): string {
  return renderTraceQL({ spansets: [spansetFromQuery(q)] });
}
