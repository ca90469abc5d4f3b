// Spans found in any JSON trace document (OTLP/JSON camel or snake case, Tempo, Jaeger, Zipkin) with
// accessors for id, parent and times, so one mutation works on every format the bundles hold.

export interface SpanView {
  obj: Record<string, unknown>;
  trace(): string;
  setTrace(v: string): void;
  id(): string;
  setId(v: string): void;
  setParent(v: string | undefined): void;
  /** Sets start and end (end as the format writes it: an end time or a duration). */
  setTimes(start: unknown, endOrDuration: unknown): void;
  start(): number;
}

type Obj = Record<string, unknown>;

function otlp(o: Obj): SpanView | undefined {
  const idKey = 'spanId' in o ? 'spanId' : 'span_id' in o ? 'span_id' : undefined;
  const traceKey = 'traceId' in o ? 'traceId' : 'trace_id' in o ? 'trace_id' : undefined;
  if (!idKey || !traceKey) return undefined;
  const snake = idKey === 'span_id';
  // Log records carry trace and span ids too; a span has a start time.
  if (!((snake ? 'start_time_unix_nano' : 'startTimeUnixNano') in o)) return undefined;
  const parentKey = snake ? 'parent_span_id' : 'parentSpanId';
  const startKey = snake ? 'start_time_unix_nano' : 'startTimeUnixNano';
  const endKey = snake ? 'end_time_unix_nano' : 'endTimeUnixNano';
  return {
    obj: o,
    trace: () => String(o[traceKey]),
    setTrace: (v) => (o[traceKey] = v),
    id: () => String(o[idKey]),
    setId: (v) => (o[idKey] = v),
    setParent: (v) => (v === undefined ? delete o[parentKey] : (o[parentKey] = v)),
    setTimes: (s, e) => {
      o[startKey] = s;
      o[endKey] = e;
    },
    start: () => Number(o[startKey]) / 1e6,
  };
}

function jaeger(o: Obj): SpanView | undefined {
  if (!('spanID' in o) || !('traceID' in o)) return undefined;
  return {
    obj: o,
    trace: () => String(o.traceID),
    setTrace: (v) => (o.traceID = v),
    id: () => String(o.spanID),
    setId: (v) => (o.spanID = v),
    setParent: (v) => (o.references = v === undefined ? [] : [{ refType: 'CHILD_OF', traceID: o.traceID, spanID: v }]),
    setTimes: (s, d) => {
      o.startTime = s;
      o.duration = d;
    },
    start: () => Number(o.startTime) / 1e3,
  };
}

function zipkin(o: Obj): SpanView | undefined {
  if (!('id' in o) || !('traceId' in o) || 'spanId' in o) return undefined;
  return {
    obj: o,
    trace: () => String(o.traceId),
    setTrace: (v) => (o.traceId = v),
    id: () => String(o.id),
    setId: (v) => (o.id = v),
    setParent: (v) => (v === undefined ? delete o.parentId : (o.parentId = v)),
    setTimes: (s, d) => {
      o.timestamp = s;
      o.duration = d;
    },
    start: () => Number(o.timestamp) / 1e3,
  };
}

/** Every span object in a parsed JSON document, in document order. */
export function findSpans(doc: unknown): SpanView[] {
  const out: SpanView[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const o = v as Obj;
      const s = otlp(o) ?? jaeger(o) ?? zipkin(o);
      if (s) out.push(s);
      for (const x of Object.values(o)) if (x && typeof x === 'object') walk(x);
    }
  };
  walk(doc);
  return out;
}

/** Nanosecond (OTLP), microsecond (Jaeger, Zipkin) units of a span's times: the factor from ms. */
export function timeFactor(s: SpanView): number {
  return 'spanId' in s.obj || 'span_id' in s.obj ? 1e6 : 1e3;
}
