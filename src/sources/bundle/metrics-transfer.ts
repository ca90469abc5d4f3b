// A metric store as one message between threads: every series' samples concatenated into three typed
// arrays whose buffers are transferred (moved, not copied), and the small per-series facts (key, name,
// labels, where its samples are) cloned beside them. Unpacked, each series reads views of those arrays.
import type { MetricMetadata } from '../types.js';
import type { MetricStore, StoredSeries } from './openmetrics.js';

export interface PackedMetricStore {
  /** Per series: key, name, labels, and its samples' [from, to) in t/v and resets' [from, to) in resets. */
  series: Array<{ key: string; name: string; labels: Record<string, string>; at: number; n: number; resetAt: number; resets: number }>;
  t: Float64Array;
  v: Float64Array;
  resets: Int32Array;
  families: Array<[string, MetricMetadata]>;
  sampleCount: number;
  minT: number;
  maxT: number;
  bytes: number;
}

export function packMetricStore(st: MetricStore): { packed: PackedMetricStore; transfer: ArrayBuffer[] } {
  let samples = 0;
  let resetCount = 0;
  for (const s of st.series) {
    samples += s.t.length;
    resetCount += s.resets.length;
  }
  const t = new Float64Array(samples);
  const v = new Float64Array(samples);
  const resets = new Int32Array(resetCount);
  const series: PackedMetricStore['series'] = [];
  let at = 0;
  let resetAt = 0;
  for (const s of st.series) {
    t.set(s.t, at);
    v.set(s.v, at);
    resets.set(s.resets, resetAt);
    series.push({ key: s.key, name: s.name, labels: s.labels, at, n: s.t.length, resetAt, resets: s.resets.length });
    at += s.t.length;
    resetAt += s.resets.length;
  }
  const packed: PackedMetricStore = { series, t, v, resets, families: [...st.families], sampleCount: st.sampleCount, minT: st.minT, maxT: st.maxT, bytes: st.bytes };
  return { packed, transfer: [t.buffer as ArrayBuffer, v.buffer as ArrayBuffer, resets.buffer as ArrayBuffer] };
}

export function unpackMetricStore(p: PackedMetricStore): MetricStore {
  const series: StoredSeries[] = [];
  const byName = new Map<string, StoredSeries[]>();
  for (const x of p.series) {
    const s: StoredSeries = {
      key: x.key,
      name: x.name,
      labels: x.labels,
      t: p.t.subarray(x.at, x.at + x.n),
      v: p.v.subarray(x.at, x.at + x.n),
      resets: p.resets.subarray(x.resetAt, x.resetAt + x.resets),
    };
    series.push(s);
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, (list = []));
    list.push(s);
  }
  return { series, byName, families: new Map(p.families), sampleCount: p.sampleCount, minT: p.minT, maxT: p.maxT, bytes: p.bytes };
}
