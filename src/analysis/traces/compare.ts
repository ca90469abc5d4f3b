// Attribute comparison in the manner of Traces Drilldown's "comparison" view: for every attribute, each
// value's share among the selected requests vs the baseline requests; attributes ranked by the largest
// |selection share − baseline share|. A request is a whole trace, or with a service, one entry span of
// that service and its subtree; a value counts once per request when any of its spans carries it.
import type { Span, SpanQuery, TimeRange } from '../../sources/types.js';
import { quantileSorted } from '../../util/stats.js';
import { buildTree, groupTraces, quickRoot } from './tree.js';
import { isEntryGivenParent, isErrorSpan } from './requests.js';
import { spanMatches } from './match.js';

export type Selection =
  | { kind: 'errors' }
  | { kind: 'slow'; minDurationMs?: number; quantile?: number }
  | { kind: 'filter'; query: Omit<SpanQuery, 'range'> };

export interface CompareOptions {
  window: TimeRange;
  selection: Selection;
  /** 'rest': the window's other requests; 'baseline': all requests of the baseline range. */
  against: 'rest' | 'baseline';
  baseline?: TimeRange;
  service?: string;
  /** Values kept per attribute in the answer. */
  topValues?: number;
}

export interface ValueShare {
  value: string;
  selection: number;
  baseline: number;
  diff: number;
}

export interface AttributeDiff {
  attribute: string;
  score: number;
  values: ValueShare[];
  distinctValues: number;
}

export interface CompareResult {
  selectionRequests: number;
  baselineRequests: number;
  thresholdMs?: number;
  attributes: AttributeDiff[];
  /** Attributes that merely restate the selection (status, error codes, the filter keys), kept apart. */
  implied: AttributeDiff[];
  skipped: string[];
}

/** Attributes that restate an error selection rather than explain it. */
const ERROR_IMPLIED = /^(status|span\.error\.type|span\.http\.(response\.)?status_code|span\.otel\.status_code|span\.otel\.status_description|span\.rpc\.grpc\.status_code|span\.db\.response\.status_code|span\.error|span\.exception\..*)$/;

/** Attributes that identify one request or one instant carry no comparison signal. */
const SKIP_KEY = /(^|[._])(id|uuid|guid|ids)$|trace_?id|span_?id|request_?id|session|timestamp|(^|[._])time$|\.start$|message_id|thread\.id|process\.pid|http\.url$|url\.full$|db\.statement$|db\.query\.text$|exception\.stacktrace$/i;
const MAX_VALUES_PER_KEY = 2000;

/** Interns (attribute, value) pairs to small integers so per-request dedup is an array lookup. */
class PairTable {
  keys: string[] = [];
  keyIds = new Map<string, number>();
  valueMaps: Array<Map<string, number>> = [];
  pairKey: number[] = [];
  pairValue: string[] = [];
  overflow = new Set<number>();
  key(k: string): number {
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(k);
      this.keyIds.set(k, id);
      this.valueMaps.push(new Map());
    }
    return id;
  }
  pair(keyId: number, v: string): number {
    const m = this.valueMaps[keyId]!;
    let id = m.get(v);
    if (id === undefined) {
      if (m.size >= MAX_VALUES_PER_KEY) {
        this.overflow.add(keyId);
        return -1;
      }
      id = this.pairKey.length;
      this.pairKey.push(keyId);
      this.pairValue.push(v);
      m.set(v, id);
    }
    return id;
  }
}

export function compareAttributes(spans: Span[], opts: CompareOptions): CompareResult {
  const table = new PairTable();
  const skippedKeys = new Set<string>();
  const keyId = new Map<string, number>(); // scoped key string → id, or -1 when skipped
  const spanKeyIds = new Map<string, number>(); // raw span attribute key → id (avoids building `span.k` per span)
  const scoped = (scope: string, k: string): number => {
    const full = `${scope}${k}`;
    let id = keyId.get(full);
    if (id === undefined) {
      if (SKIP_KEY.test(k)) {
        id = -1;
        skippedKeys.add(full);
      } else id = table.key(full);
      keyId.set(full, id);
    }
    return id;
  };
  // Resource pairs computed once per resource object (shared by all spans of a resource).
  const resourcePairs = new WeakMap<object, number[]>();
  const nameKey = table.key('name');
  const statusKey = table.key('status');
  const kindKey = table.key('kind');

  const sel: number[] = []; // pair → selected requests count
  const base: number[] = [];
  const last: number[] = []; // pair → last request index counted
  let reqIndex = 0;
  let selN = 0;
  let baseN = 0;

  const addPair = (p: number, counts: number[]) => {
    if (p < 0) return;
    if (last[p] === reqIndex) return;
    last[p] = reqIndex;
    counts[p] = (counts[p] ?? 0) + 1;
  };
  const addSpan = (s: Span, counts: number[]) => {
    let rp = resourcePairs.get(s.resource);
    if (!rp) {
      rp = [];
      for (const k in s.resource) {
        const id = scoped('resource.', k);
        if (id >= 0) rp.push(table.pair(id, String(s.resource[k])));
      }
      resourcePairs.set(s.resource, rp);
    }
    for (const p of rp) addPair(p, counts);
    for (const k in s.attributes) {
      let id = spanKeyIds.get(k);
      if (id === undefined) spanKeyIds.set(k, (id = scoped('span.', k)));
      if (id < 0) continue;
      const v = s.attributes[k]!;
      addPair(table.pair(id, typeof v === 'string' ? v : String(v)), counts);
    }
    addPair(table.pair(nameKey, s.name), counts);
    addPair(table.pair(statusKey, s.status), counts);
    addPair(table.pair(kindKey, KIND[s.kind] ?? String(s.kind)), counts);
  };

  // Requests: [spans of the request, duration, failed, matches filter]
  interface Unit {
    spans: Span[];
    durationMs: number;
    inWindow: boolean;
  }
  const units: Unit[] = [];
  const inR = (t: number, r?: TimeRange) => r !== undefined && t >= r.start && t < r.end;
  const byTrace = groupTraces(spans);
  for (const [id, tspans] of byTrace) {
    if (opts.service === undefined) {
      const root = quickRoot(tspans);
      const w = inR(root.startMs, opts.window);
      if (w || (opts.against === 'baseline' && inR(root.startMs, opts.baseline))) units.push({ spans: tspans, durationMs: root.durationMs, inWindow: w });
      continue;
    }
    if (!tspans.some((s) => s.service === opts.service)) continue;
    const t = buildTree(id, tspans);
    for (let i = 0; i < tspans.length; i++) {
      const s = tspans[i]!;
      if (s.service !== opts.service) continue;
      const p = t.parent[i]!;
      if (!isEntryGivenParent(s, p >= 0 ? tspans[p] : undefined)) continue;
      const w = inR(s.startMs, opts.window);
      if (!w && !(opts.against === 'baseline' && inR(s.startMs, opts.baseline))) continue;
      // The entry span's subtree (iterative walk).
      const sub: Span[] = [];
      const stack = [i];
      while (stack.length) {
        const j = stack.pop()!;
        sub.push(tspans[j]!);
        for (let k = t.childOff[j]!; k < t.childOff[j + 1]!; k++) stack.push(t.childIdx[k]!);
      }
      units.push({ spans: sub, durationMs: s.durationMs, inWindow: w });
    }
  }

  let threshold: number | undefined;
  if (opts.selection.kind === 'slow') {
    const d = Float64Array.from(units.filter((u) => u.inWindow).map((u) => u.durationMs)).sort();
    threshold = opts.selection.minDurationMs ?? quantileSorted(d, opts.selection.quantile ?? 0.75);
  }
  const selection = opts.selection;
  const filterQuery: SpanQuery | undefined = selection.kind === 'filter' ? { ...selection.query, range: { start: -Infinity, end: Infinity } } : undefined;
  const isSelected = (u: Unit): boolean => {
    if (selection.kind === 'slow') return u.durationMs >= threshold!;
    if (selection.kind === 'errors') return u.spans.some(isErrorSpan);
    return u.spans.some((s) => spanMatches(s, filterQuery!));
  };

  for (const u of units) {
    const selected = u.inWindow && isSelected(u);
    let counts: number[] | undefined;
    if (selected) {
      counts = sel;
      selN++;
    } else if (opts.against === 'rest' ? u.inWindow : !u.inWindow) {
      counts = base;
      baseN++;
    }
    if (!counts) continue;
    reqIndex++;
    for (const s of u.spans) addSpan(s, counts);
  }

  // Per attribute: value shares, score = max |diff|.
  const byKey = new Map<number, ValueShare[]>();
  for (let p = 0; p < table.pairKey.length; p++) {
    const a = sel[p] ?? 0;
    const b = base[p] ?? 0;
    if (a === 0 && b === 0) continue;
    const k = table.pairKey[p]!;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    const sa = selN ? a / selN : 0;
    const sb = baseN ? b / baseN : 0;
    list.push({ value: table.pairValue[p]!, selection: sa, baseline: sb, diff: sa - sb });
  }
  const attributes: AttributeDiff[] = [];
  const implied: AttributeDiff[] = [];
  const filterKeys = new Set(selection.kind === 'filter' ? Object.keys(selection.query.attributes ?? {}).flatMap((k) => (k.includes('.') && (k.startsWith('span.') || k.startsWith('resource.')) ? [k] : [`span.${k}`, `resource.${k}`, k])) : []);
  const errorish = selection.kind === 'errors' || (selection.kind === 'filter' && selection.query.errorsOnly === true);
  const isImplied = (name: string) => (errorish && ERROR_IMPLIED.test(name)) || filterKeys.has(name);
  const skipped = [...skippedKeys];
  const totalUnits = selN + baseN;
  for (const [k, list] of byKey) {
    const name = table.keys[k]!;
    // Nearly-unique values (ids under another name) compare nothing.
    if (table.overflow.has(k) || (list.length > 20 && list.length > 0.5 * totalUnits)) {
      skipped.push(`${name} (high cardinality: ${list.length}${table.overflow.has(k) ? '+' : ''} values)`);
      continue;
    }
    list.sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff));
    // "What do the selected requests have in common?": a value over-represented in the selection answers
    // it; a value merely rarer in the selection (the requests that are not selected) counts half.
    let score = 0;
    for (const v of list) score = Math.max(score, v.diff > 0 ? v.diff : -v.diff / 2);
    (isImplied(name) ? implied : attributes).push({ attribute: name, score, values: list.slice(0, opts.topValues ?? 5), distinctValues: list.length });
  }
  attributes.sort((a, b) => b.score - a.score || a.attribute.localeCompare(b.attribute));
  implied.sort((a, b) => b.score - a.score || a.attribute.localeCompare(b.attribute));
  return { selectionRequests: selN, baselineRequests: baseN, thresholdMs: threshold, attributes, implied, skipped };
}

const KIND = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
