// Metric catalogue: group sample names into families, detect each family's type (metadata first, then
// naming conventions), and search names/help with prefix and typo-tolerant matching.
import type { MetricMetadata, MetricType } from '../../sources/types.js';

export type ExploreKind = 'counter' | 'gauge' | 'histogram' | 'native-histogram' | 'summary' | 'info' | 'up';

export interface MetricFamily {
  /** Family name (histogram `x` for `x_bucket`, counter `x_total` as stored). */
  name: string;
  kind: ExploreKind;
  /** Declared type when metadata has one. */
  declaredType?: MetricType;
  typeSource: 'metadata' | 'convention';
  help?: string;
  unit?: string;
  /** Sample names that belong to the family (x_bucket, x_sum, x_count…). */
  sampleNames: string[];
}

const HIST_PARTS = ['_bucket', '_sum', '_count'];

/** Builds families from the sample names present and the metadata known. */
export function buildFamilies(names: string[], metadata: MetricMetadata[]): MetricFamily[] {
  const present = new Set(names);
  const meta = new Map(metadata.map((m) => [m.name, m]));
  const claimed = new Set<string>();
  const out: MetricFamily[] = [];
  // Histograms and summaries first, so their _sum/_count/_bucket parts are claimed.
  const bases = new Set<string>();
  for (const n of names) if (n.endsWith('_bucket')) bases.add(n.slice(0, -7));
  for (const m of metadata) if (m.type === 'histogram' || m.type === 'summary' || m.type === 'gaugehistogram') bases.add(m.name);
  for (const n of names) if (n.endsWith('_count') && present.has(`${n.slice(0, -6)}_sum`)) bases.add(n.slice(0, -6));
  for (const base of bases) {
    const parts = [base, ...HIST_PARTS.map((s) => base + s)].filter((p) => present.has(p));
    if (parts.length === 0) continue;
    const m = meta.get(base);
    let kind: ExploreKind;
    let typeSource: 'metadata' | 'convention' = 'metadata';
    if (m?.type === 'histogram' || m?.type === 'gaugehistogram') kind = present.has(`${base}_bucket`) ? 'histogram' : 'native-histogram';
    else if (m?.type === 'summary') kind = 'summary';
    else {
      typeSource = 'convention';
      kind = present.has(`${base}_bucket`) ? 'histogram' : 'summary';
    }
    for (const p of parts) claimed.add(p);
    out.push({ name: base, kind, declaredType: m?.type, typeSource, help: m?.help, unit: m?.unit, sampleNames: parts });
  }
  // Each name once: a backend may list one twice (the same name from two tenants or shards).
  for (const n of present) {
    if (claimed.has(n)) continue;
    // OpenMetrics `_created` series carry a counter's creation time, not a metric of their own.
    if (n.endsWith('_created')) {
      const base = n.slice(0, -8);
      if (meta.has(base) || present.has(`${base}_total`) || bases.has(base)) continue;
    }
    const m = meta.get(n) ?? meta.get(n.replace(/_(total|info)$/, ''));
    out.push({ name: n, ...classify(n, m), help: m?.help, unit: m?.unit, declaredType: m?.type, sampleNames: [n] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function classify(name: string, m: MetricMetadata | undefined): { kind: ExploreKind; typeSource: 'metadata' | 'convention' } {
  if (name === 'up') return { kind: 'up', typeSource: 'convention' };
  if (m && m.type !== 'unknown') {
    const k: ExploreKind = m.type === 'counter' ? 'counter' : m.type === 'info' ? 'info' : m.type === 'stateset' ? 'gauge' : m.type === 'gauge' ? 'gauge' : 'gauge';
    return { kind: k, typeSource: 'metadata' };
  }
  if (/_(total|count|sum)$/.test(name) || /_seconds_total$/.test(name)) return { kind: 'counter', typeSource: 'convention' };
  if (name.endsWith('_info')) return { kind: 'info', typeSource: 'convention' };
  return { kind: 'gauge', typeSource: 'convention' };
}

/** Finds the family a user-typed name refers to (family name or any of its sample names). */
export function resolveFamily(families: MetricFamily[], name: string): MetricFamily | undefined {
  return families.find((f) => f.name === name) ?? families.find((f) => f.sampleNames.includes(name));
}

// ---------------------------------------------------------------- search

/** Damerau–Levenshtein (optimal string alignment) distance, bounded for speed. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
}

const allowedTypos = (len: number) => (len <= 3 ? 0 : len <= 5 ? 1 : 2);

export interface SearchHit {
  family: MetricFamily;
  score: number;
  why: string;
}

/**
 * Scores each family against a query: exact > prefix > substring > typo-tolerant token match; help text
 * counts less than the name. Multi-word queries need every word to match somewhere.
 */
export function searchFamilies(families: MetricFamily[], query: string): SearchHit[] {
  const words = query
    .toLowerCase()
    .split(/[\s_.,:/-]+/)
    .filter(Boolean);
  const q = query.toLowerCase().trim();
  if (!words.length) return families.map((f) => ({ family: f, score: 0, why: 'all metrics' }));
  const hits: SearchHit[] = [];
  for (const f of families) {
    const name = f.name.toLowerCase();
    const tokens = name.split(/[_:]+/).filter(Boolean);
    const helpTokens = (f.help ?? '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    let score = 0;
    const why: string[] = [];
    if (name === q) {
      score += 100;
      why.push('exact name');
    } else if (name.startsWith(q)) {
      score += 60;
      why.push('name prefix');
    } else if (name.includes(q.replace(/\s+/g, '_'))) {
      score += 40;
      why.push('name contains');
    }
    let allWords = true;
    for (const w of words) {
      let best = 0;
      let reason = '';
      for (const t of tokens) {
        if (t === w) (best = Math.max(best, 20)), (reason ||= `token "${t}"`);
        else if (t.startsWith(w)) {
          if (best < 15) (best = 15), (reason = `token prefix "${t}"`);
        } else {
          const d = editDistance(w, t, 2);
          if (d <= allowedTypos(w.length) && best < 12 - 3 * d) (best = 12 - 3 * d), (reason = `"${w}" ≈ "${t}"`);
        }
      }
      if (best === 0) {
        for (const t of helpTokens) {
          if (t === w || t.startsWith(w)) {
            best = 6;
            reason = 'help text';
            break;
          }
          if (editDistance(w, t, 2) <= allowedTypos(w.length)) {
            best = Math.max(best, 4);
            reason = `help ≈ "${t}"`;
          }
        }
      }
      if (best === 0) allWords = false;
      else {
        score += best;
        if (reason && !why.includes(reason)) why.push(reason);
      }
    }
    if (!allWords && score < 40) continue;
    if (score > 0) hits.push({ family: f, score: score - name.length * 0.01, why: why.join(', ') });
  }
  return hits.sort((a, b) => b.score - a.score || a.family.name.localeCompare(b.family.name));
}

/** Close names for "did you mean" suggestions. */
export function suggestNames(families: MetricFamily[], name: string, n = 5): string[] {
  const hits = searchFamilies(families, name);
  if (hits.length) return hits.slice(0, n).map((h) => h.family.name);
  return families
    .map((f) => ({ f, d: editDistance(name, f.name, 8) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, n)
    .map((x) => x.f.name);
}

/** Families related to one: same leading name tokens (same subsystem), most shared tokens first. */
export function relatedFamilies(families: MetricFamily[], f: MetricFamily, n = 5): string[] {
  const toks = f.name.split('_');
  const prefix2 = toks.slice(0, 2).join('_');
  return families
    .filter((o) => o.name !== f.name && o.name.startsWith(prefix2))
    .map((o) => ({ o, shared: o.name.split('_').filter((t) => toks.includes(t)).length }))
    .sort((a, b) => b.shared - a.shared || a.o.name.localeCompare(b.o.name))
    .slice(0, n)
    .map((x) => x.o.name);
}
