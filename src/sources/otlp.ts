// OTLP/JSON helpers shared by traces and logs: AnyValue, attributes, ids, nanosecond times.
import type { AttrValue, Attributes, InstrumentationScope } from './types.js';
import { noteKeptAsText, noteLeftOut } from './remote/answer-notes.js';

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number | string;
  boolValue?: boolean;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: Array<{ key: string; value?: AnyValue }> };
}

export function anyValue(v: AnyValue | undefined): AttrValue | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if (v.stringValue !== undefined) return asText(v.stringValue);
  if (v.intValue !== undefined) return int64(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.bytesValue !== undefined) return asText(v.bytesValue);
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyValue));
  if (v.kvlistValue) {
    const o: Record<string, unknown> = {};
    for (const kv of v.kvlistValue.values ?? []) o[kv.key] = anyValue(kv.value);
    return JSON.stringify(o);
  }
  return undefined;
}

/** A value that should be a string: an object or array (a malformed export) as its JSON, not "[object Object]". */
function asText(x: unknown): string {
  if (x !== null && typeof x === 'object') {
    noteKeptAsText('Trace data', 'attribute value of the wrong type');
    return JSON.stringify(x);
  }
  return String(x);
}

/** An int64 as a number when a double holds it exactly, else its decimal string (OTLP/JSON writes int64 as strings). */
function int64(v: string | number): AttrValue {
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(v) ? n : v;
}

/** The instrumentation scope of a scopeSpans/scopeLogs entry; undefined when it names none. */
export function scopeOf(scope: unknown): InstrumentationScope | undefined {
  if (!scope || typeof scope !== 'object') return undefined;
  const s = scope as { name?: unknown; version?: unknown };
  if (typeof s.name !== 'string' || s.name === '') return undefined;
  return typeof s.version === 'string' && s.version !== '' ? { name: s.name, version: s.version } : { name: s.name };
}

export function attributes(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) {
    // Absent is an empty list in OTLP/JSON; anything else lost the attributes it held.
    if (list !== undefined && list !== null) noteLeftOut('Trace data', 'attribute list that is no list');
    return out;
  }
  const l = list as Array<{ key?: string; value?: AnyValue } | null | undefined>;
  for (let i = 0; i < l.length; i++) {
    const kv = l[i];
    if (!kv || typeof kv.key !== 'string') {
      noteLeftOut('Trace data', 'attribute without a key');
      continue;
    }
    const v = attrValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

/** The value of one attribute (`kv.value`); the common string case without going through anyValue. */
export function attrValue(val: AnyValue | undefined): AttrValue | undefined {
  const sv = val && typeof val === 'object' ? val.stringValue : undefined;
  return typeof sv === 'string' ? sv : anyValue(val);
}

const HEX = /^[0-9a-fA-F]+$/;

/** OTLP/JSON ids are hex; Tempo's trace JSON uses base64. Normalise to lowercase hex of the given length. */
export function normaliseId(id: unknown, hexLen: number): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  if (HEX.test(id) && (id.length === hexLen || id.length < hexLen)) return id.toLowerCase().padStart(hexLen, '0');
  const b = Buffer.from(id, 'base64');
  if (b.length * 2 === hexLen) return b.toString('hex');
  if (HEX.test(id)) return id.toLowerCase().slice(-hexLen).padStart(hexLen, '0');
  return undefined;
}

/** Unix nanoseconds (string or number) → epoch milliseconds with sub-ms fraction. */
export function nanosToMs(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v / 1e6;
  const s = String(v);
  if (!/^\d+$/.test(s)) return undefined;
  if (s.length <= 6) return Number(s) / 1e6;
  // Split to keep precision beyond 2^53.
  return Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6;
}

export const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

export function serviceOf(resource: Attributes, fallback = 'unknown'): string {
  const s = resource['service.name'];
  return typeof s === 'string' && s !== '' ? s : fallback;
}
