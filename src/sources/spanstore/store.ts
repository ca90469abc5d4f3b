// The compact span store: the spans of a bundle as columns (typed arrays of numbers, ids into one table
// of interned strings), built once per load. As the general decoder's objects a span costs some 470
// bytes (plus the parsed JSON document while a file loads) and keeps the garbage collector busy; as
// columns about 220 (`npm run bench -- traces` measures both). Spans are sorted by start time and grouped by trace once, here; the
// `Span` objects the analyses read are made from the columns on demand (`shared(i)`), only for the
// traces a query returns.
import type { AttrValue, Attributes, InstrumentationScope, Span, SpanEvent, SpanStatus } from '../types.js';
import { serviceOf } from '../otlp.js';
import { Interner } from './intern.js';

const STATUS: SpanStatus[] = ['unset', 'ok', 'error'];
/** The Span fields the columns hold; any other field a decoder sets is kept beside them (`extras`). */
const COLUMN_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'service', 'name', 'kind', 'startMs', 'endMs', 'durationMs', 'status', 'statusMessage', 'attributes', 'resource', 'events', 'scope']);
/** The events of every span that has none: one shared, frozen array instead of an empty one per span (16–32 bytes each on 500k spans). */
const NO_EVENTS = Object.freeze([]) as unknown as SpanEvent[];
export const statusNumber = (s: SpanStatus): number => (s === 'error' ? 2 : s === 'ok' ? 1 : 0);

/** Where a load can be rolled back to (a file that turned out to need the general decoder). */
export interface BuilderMark {
  spans: number;
  attrs: number;
}

/** Collects spans row by row while files are decoded; `build()` sorts and groups them into a SpanStore. */
export class SpanStoreBuilder {
  readonly strings = new Interner();
  private traceId: number[] = [];
  private spanId: string[] = [];
  private parentSpanId: Array<string | undefined> = [];
  private name: number[] = [];
  private kind: number[] = [];
  private start: number[] = [];
  private end: number[] = [];
  private status: number[] = [];
  private message: number[] = [];
  private res: number[] = [];
  private attrFrom: number[] = [];
  /** Instrumentation scope of each span: index into `scopes`, -1 for none. */
  private scope: number[] = [];
  private scopes: InstrumentationScope[] = [];
  private scopeIds = new Map<string, number>();
  private attrKey: number[] = [];
  private attrVal: AttrValue[] = [];
  private events = new Map<number, SpanEvent[]>();
  private extras = new Map<number, Record<string, unknown>>();
  private resources: Attributes[] = [];
  private resService: number[] = [];
  private resOfObject = new Map<Attributes, number>();

  get length(): number {
    return this.traceId.length;
  }

  addResource(attrs: Attributes): number {
    this.resources.push(attrs);
    this.resService.push(this.strings.id(serviceOf(attrs)));
    return this.resources.length - 1;
  }

  /** Index where the attributes of the next span begin (pass it to pushSpan). */
  attrMark(): number {
    return this.attrKey.length;
  }

  pushAttr(key: number, value: AttrValue): void {
    this.attrKey.push(key);
    this.attrVal.push(value);
  }

  /** Forgets the attributes pushed since `from` (their span was skipped). */
  dropAttrs(from: number): void {
    this.attrKey.length = from;
    this.attrVal.length = from;
  }

  /** One span whose attributes are the entries pushed since `attrFrom`; `res` may be set later by setResource. */
  pushSpan(traceId: number, spanId: string, parent: string | undefined, name: number, kind: number, startMs: number, endMs: number, status: number, message: number, res: number, attrFrom: number, events: SpanEvent[] | undefined): void {
    if (events && events.length) this.events.set(this.traceId.length, events);
    this.traceId.push(traceId);
    this.spanId.push(spanId);
    this.parentSpanId.push(parent);
    this.name.push(name);
    this.kind.push(kind);
    this.start.push(startMs);
    this.end.push(endMs);
    this.status.push(status);
    this.message.push(message);
    this.res.push(res);
    this.attrFrom.push(attrFrom);
    this.scope.push(-1);
  }

  /** Spans [from, length) come from instrumentation scope `scope` (OTLP puts it beside its spans, in any key order). */
  setScope(from: number, scope: InstrumentationScope | undefined): void {
    if (!scope) return;
    const key = `${scope.name}\u0000${scope.version ?? ''}`;
    let id = this.scopeIds.get(key);
    if (id === undefined) {
      id = this.scopes.push(scope) - 1;
      this.scopeIds.set(key, id);
    }
    for (let i = from; i < this.scope.length; i++) this.scope[i] = id;
  }

  /** Spans [from, length) belong to resource `res` (OTLP puts the resource beside its spans, in any key order). */
  setResource(from: number, res: number): void {
    for (let i = from; i < this.res.length; i++) this.res[i] = res;
  }

  /** A span parsed by the general OTLP decoder (formats the byte decoder leaves to it). */
  addSpan(s: Span): void {
    let res = this.resOfObject.get(s.resource);
    if (res === undefined) this.resOfObject.set(s.resource, (res = this.addResource(s.resource)));
    const from = this.attrMark();
    for (const k in s.attributes) this.pushAttr(this.strings.id(k), s.attributes[k]!);
    let extra: Record<string, unknown> | undefined;
    for (const k in s) if (!COLUMN_FIELDS.has(k)) (extra ??= {})[k] = (s as unknown as Record<string, unknown>)[k];
    if (extra) this.extras.set(this.length, extra);
    const st = this.strings;
    this.pushSpan(st.id(s.traceId), s.spanId, s.parentSpanId, st.id(s.name), s.kind, s.startMs, s.endMs, statusNumber(s.status), s.statusMessage === undefined ? -1 : st.id(s.statusMessage), res, from, s.events);
    this.setScope(this.length - 1, s.scope);
  }

  mark(): BuilderMark {
    return { spans: this.length, attrs: this.attrKey.length };
  }

  rollback(m: BuilderMark): void {
    for (const a of [this.traceId, this.spanId, this.parentSpanId, this.name, this.kind, this.start, this.end, this.status, this.message, this.res, this.attrFrom, this.scope]) a.length = m.spans;
    this.attrKey.length = m.attrs;
    this.attrVal.length = m.attrs;
    for (const map of [this.events, this.extras]) for (const k of [...map.keys()]) if (k >= m.spans) map.delete(k);
  }

  /** Sorts by start time (stable: equal starts keep load order) and groups by trace, in the order traces first start. */
  build(): SpanStore {
    const n = this.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const start = this.start;
    order.sort((a, b) => start[a]! - start[b]! || a - b);
    const attrEnd = (i: number) => (i + 1 < n ? this.attrFrom[i + 1]! : this.attrKey.length);
    const cols = {
      traceId: new Int32Array(n),
      spanId: new Array<string>(n),
      parentSpanId: new Array<string | undefined>(n),
      name: new Int32Array(n),
      service: new Int32Array(n),
      kind: new Float64Array(n),
      start: new Float64Array(n),
      end: new Float64Array(n),
      status: new Uint8Array(n),
      message: new Int32Array(n),
      res: new Int32Array(n),
      attrFrom: new Int32Array(n),
      attrTo: new Int32Array(n),
      scope: new Int32Array(n),
    };
    const events = new Map<number, SpanEvent[]>();
    const extras = new Map<number, Record<string, unknown>>();
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      cols.traceId[k] = this.traceId[i]!;
      cols.spanId[k] = this.spanId[i]!;
      cols.parentSpanId[k] = this.parentSpanId[i];
      cols.name[k] = this.name[i]!;
      cols.service[k] = this.resService[this.res[i]!]!;
      cols.kind[k] = this.kind[i]!;
      cols.start[k] = this.start[i]!;
      cols.end[k] = this.end[i]!;
      cols.status[k] = this.status[i]!;
      cols.message[k] = this.message[i]!;
      cols.res[k] = this.res[i]!;
      cols.attrFrom[k] = this.attrFrom[i]!;
      cols.attrTo[k] = attrEnd(i);
      cols.scope[k] = this.scope[i]!;
      const ev = this.events.get(i);
      if (ev) events.set(k, ev);
      const x = this.extras.get(i);
      if (x) extras.set(k, x);
    }
    return new SpanStore(this.strings, cols, Int32Array.from(this.attrKey), this.attrVal, events, this.resources, extras, this.scopes);
  }
}

export interface SpanColumns {
  /** Interned trace id of each span. */
  traceId: Int32Array;
  spanId: string[];
  parentSpanId: Array<string | undefined>;
  name: Int32Array;
  service: Int32Array;
  kind: Float64Array;
  start: Float64Array;
  end: Float64Array;
  /** 0 unset, 1 ok, 2 error. */
  status: Uint8Array;
  /** Interned status message, -1 for none. */
  message: Int32Array;
  res: Int32Array;
  /** The span's attributes are attrKey/attrVal[attrFrom, attrTo). */
  attrFrom: Int32Array;
  attrTo: Int32Array;
  /** Instrumentation scope: index into the store's `scopes`, -1 for none. */
  scope: Int32Array;
}

export class SpanStore {
  readonly size: number;
  readonly strings: string[];
  /** Trace t's spans are members[traceOff[t], traceOff[t + 1]), in start order; traces in order of their first start. */
  readonly traceOff: Int32Array;
  readonly members: Int32Array;
  /** Trace number of each span. */
  readonly traceOf: Int32Array;
  private readonly traceByIdString: Map<number, number>;
  private made?: Array<Span | undefined>;

  constructor(
    private readonly interner: Interner,
    readonly cols: SpanColumns,
    readonly attrKey: Int32Array,
    readonly attrVal: AttrValue[],
    readonly events: Map<number, SpanEvent[]>,
    readonly resources: Attributes[],
    /** Fields of spans from the general decoder that have no column (formats that carry more). */
    readonly extras: Map<number, Record<string, unknown>> = new Map(),
    readonly scopes: InstrumentationScope[] = [],
  ) {
    this.size = cols.start.length;
    this.strings = interner.strings;
    const n = this.size;
    // Trace numbers in order of first appearance (spans are in start order), then a counting sort.
    this.traceOf = new Int32Array(n);
    this.traceByIdString = new Map();
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = cols.traceId[i]!;
      let t = this.traceByIdString.get(id);
      if (t === undefined) {
        t = counts.length;
        this.traceByIdString.set(id, t);
        counts.push(0);
      }
      this.traceOf[i] = t;
      counts[t]++;
    }
    this.traceOff = new Int32Array(counts.length + 1);
    for (let t = 0; t < counts.length; t++) this.traceOff[t + 1] = this.traceOff[t]! + counts[t]!;
    const fill = this.traceOff.slice(0, counts.length);
    this.members = new Int32Array(n);
    for (let i = 0; i < n; i++) this.members[fill[this.traceOf[i]!]!++] = i;
  }

  get traces(): number {
    return this.traceOff.length - 1;
  }

  /** Trace number of a 32-hex trace id, or -1. */
  traceNumber(traceId: string): number {
    const id = this.interner.find(traceId);
    return id < 0 ? -1 : (this.traceByIdString.get(id) ?? -1);
  }

  /** Interned id of a text, or -1 when no span carries it. */
  stringId(s: string): number {
    return this.interner.find(s);
  }

  /** Span i as the object the analyses read (a new object each call: the store keeps only columns). */
  span(i: number): Span {
    const c = this.cols;
    const attributes: Attributes = {};
    for (let k = c.attrFrom[i]!; k < c.attrTo[i]!; k++) attributes[this.strings[this.attrKey[k]!]!] = this.attrVal[k]!;
    const start = c.start[i]!;
    const end = c.end[i]!;
    const msg = c.message[i]!;
    // Same fields in the same order as the OTLP decoder's objects: one hidden class for every span.
    const span: Span = {
      traceId: this.strings[c.traceId[i]!]!,
      spanId: c.spanId[i]!,
      parentSpanId: c.parentSpanId[i],
      service: this.strings[c.service[i]!]!,
      name: this.strings[c.name[i]!]!,
      kind: c.kind[i]!,
      startMs: start,
      endMs: end,
      durationMs: end - start,
      status: STATUS[c.status[i]!]!,
      statusMessage: msg < 0 ? undefined : this.strings[msg],
      attributes,
      resource: this.resources[c.res[i]!]!,
      events: this.events.get(i) ?? NO_EVENTS,
    };
    const sc = c.scope[i]!;
    if (sc >= 0) span.scope = this.scopes[sc];
    const x = this.extras.size ? this.extras.get(i) : undefined;
    return x ? Object.assign(span, x) : span;
  }

  /**
   * Span i as returned by queries: made once, then the same object every time (a playbook asks for
   * the same window from several steps; analyses may key maps by span across calls, as they could
   * when the bundle kept span objects). Only spans some query returned are ever made.
   */
  shared(i: number): Span {
    const made = (this.made ??= new Array<Span | undefined>(this.size));
    return (made[i] ??= this.span(i));
  }

  /** The spans of trace t, in start order. */
  traceSpans(t: number, out: Span[] = []): Span[] {
    for (let k = this.traceOff[t]!; k < this.traceOff[t + 1]!; k++) out.push(this.shared(this.members[k]!));
    return out;
  }

  /**
   * Bytes held, counted from the columns: typed arrays exactly; arrays of references at 4 bytes a slot
   * (V8's compressed pointers); strings at their length plus a 16-byte header; resources and events
   * not counted (shared per resource, rare). The bench also measures the heap.
   */
  bytes(): number {
    const c = this.cols;
    let b = 0;
    for (const a of [c.traceId, c.name, c.service, c.kind, c.start, c.end, c.status, c.message, c.res, c.attrFrom, c.attrTo, this.attrKey, this.traceOf, this.traceOff, this.members]) b += a.byteLength;
    b += 4 * (c.spanId.length + c.parentSpanId.length + this.attrVal.length + this.strings.length);
    for (const s of c.spanId) b += 16 + s.length;
    for (const s of c.parentSpanId) if (s !== undefined) b += 16 + s.length;
    for (const s of this.strings) b += 16 + s.length;
    for (const v of this.attrVal) if (typeof v === 'number' && !Number.isInteger(v)) b += 12;
    return b;
  }
}
