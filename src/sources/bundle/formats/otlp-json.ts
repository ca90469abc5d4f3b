// OTLP/JSON in the proto field names. The protobuf JSON mapping lets a writer use the original
// snake_case names (`resource_spans`, `trace_id`, `start_time_unix_nano`), and the Collector accepts
// them; our decoder reads lowerCamelCase. A document in snake_case is renamed once, before decoding,
// so the camelCase hot path stays as it is. OTLP has no map fields, so every object key is a field
// name (attribute keys are values of `key`), and renaming every key is safe.

const SNAKE_ROOTS = ['resource_spans', 'resource_logs', 'resource_metrics'];

/** True when an OTLP/JSON document uses the snake_case field names at its root. */
export function isSnakeCaseOtlp(doc: unknown): boolean {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  for (const k of SNAKE_ROOTS) if (k in doc) return true;
  return false;
}

const camel = (k: string): string => (k.includes('_') ? k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : k);

/** The same document with every snake_case field name in lowerCamelCase (in place, returned). */
export function camelCaseOtlp(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = camelCaseOtlp(v[i]);
    return v;
  }
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[camel(k)] = camelCaseOtlp(o[k]);
  return out;
}

/** Jaeger v2's query API (`/api/v3/traces`) wraps OTLP/JSON in `{"result": …}`. */
export function unwrapResult(doc: unknown): unknown {
  const r = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { result?: unknown }).result : undefined;
  return r && typeof r === 'object' && ('resourceSpans' in r || 'resource_spans' in r) ? r : doc;
}

/** An OTLP/JSON document in lowerCamelCase whichever spelling it came in. */
export function otlpJsonDocument(doc: unknown): unknown {
  const d = unwrapResult(doc);
  return isSnakeCaseOtlp(d) ? camelCaseOtlp(d) : d;
}
