// A span store as one message between threads: the numeric columns' buffers are transferred (moved, not
// copied); the texts (interned strings, span ids, attribute values) and the few objects shared by many
// spans (resources, events, scopes) are cloned beside them. The receiving side rebuilds the trace index.
import type { AttrValue, Attributes, InstrumentationScope, SpanEvent } from '../types.js';
import { Interner } from './intern.js';
import { SpanStore, type SpanColumns } from './store.js';

export interface PackedSpanStore {
  strings: string[];
  cols: SpanColumns;
  attrKey: Int32Array;
  attrVal: AttrValue[];
  events: Map<number, SpanEvent[]>;
  resources: Attributes[];
  extras: Map<number, Record<string, unknown>>;
  scopes: InstrumentationScope[];
}

export function packSpanStore(st: SpanStore): { packed: PackedSpanStore; transfer: ArrayBuffer[] } {
  const c = st.cols;
  const numeric = [c.traceId, c.name, c.service, c.kind, c.start, c.end, c.status, c.message, c.res, c.attrFrom, c.attrTo, c.scope, st.attrKey];
  const packed: PackedSpanStore = { strings: st.strings, cols: c, attrKey: st.attrKey, attrVal: st.attrVal, events: st.events, resources: st.resources, extras: st.extras, scopes: st.scopes };
  // Only whole buffers can move; a column that is a view of a larger one (none today) is copied instead.
  const transfer = numeric.filter((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength).map((a) => a.buffer as ArrayBuffer);
  return { packed, transfer: [...new Set(transfer)] };
}

export function unpackSpanStore(p: PackedSpanStore): SpanStore {
  return new SpanStore(Interner.of(p.strings), p.cols, p.attrKey, p.attrVal, p.events, p.resources, p.extras, p.scopes);
}
