// A runner for Prometheus' PromQL test-script format (promql/promqltest): `load <interval>` with
// promtool's expanding series notation, `clear`, `eval instant at <t> <expr>`, `eval range from <t> to <t>
// step <d> <expr>`, `expect fail|ordered|warn|info|no_warn|no_info`, and the older `eval_fail` /
// `eval_ordered` spellings. It drives the bundle evaluator directly, so any script written for Prometheus'
// engine can measure ours. Native histograms (`{{…}}`) and stale markers are not loadable: evals that need
// them fail, and the runner says why.
import type { MetricStore, StoredSeries } from '../../src/sources/bundle/openmetrics.js';
import { seriesKey } from '../../src/sources/bundle/openmetrics.js';
import { Evaluator, labelsKey, MODERN_SEMANTICS, type Semantics, type Value } from '../../src/analysis/metrics/eval.js';
import { parsePromQL } from '../../src/query/promql.js';

export interface EvalCase {
  line: number;
  text: string;
  ok: boolean;
  why?: string;
}

type Point = number | undefined | 'stale';
interface ExpectedSeries {
  labels: Record<string, string> | undefined; // undefined: a scalar
  points: Point[];
}

const DUR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** `50m`, `1h30m`, `0`, `10` (seconds). */
export function scriptDuration(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  let total = 0;
  let rest = s;
  const re = /^(\d+)(ms|s|m|h|d|w|y)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new Error(`invalid duration "${s}"`);
    total += Number(m[1]) * DUR[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function parseValue(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(s);
  if (s.trim() === '' || Number.isNaN(v)) throw new Error(`invalid value "${s}"`);
  return v;
}

/** promtool's expanding notation: `1 2+3x2 _ _x3 stale 5x2 -1-1x3`. */
export function expandPoints(spec: string): Point[] {
  const out: Point[] = [];
  for (const tok of spec.trim().split(/\s+/).filter(Boolean)) {
    if (tok === '_') out.push(undefined);
    else if (tok === 'stale') out.push('stale');
    else if (/^_x\d+$/.test(tok)) for (let i = 0; i < Number(tok.slice(2)); i++) out.push(undefined);
    else {
      const m = /^([-+]?(?:[0-9.eE]+|Inf|NaN|inf|nan))(?:([-+])([0-9.eE]+|Inf|inf))?x(\d+)$/.exec(tok);
      if (m) {
        const a = parseValue(m[1]!);
        const d = m[2] ? (m[2] === '-' ? -1 : 1) * parseValue(m[3]!) : 0;
        for (let i = 0; i <= Number(m[4]); i++) out.push(a + d * i);
      } else if (tok.startsWith('{{')) throw new Error('native histogram samples are not supported');
      else out.push(parseValue(tok));
    }
  }
  return out;
}

/** Splits `metric{a="b"} 1 2 3` into the series and the rest, honouring quotes in the label set. */
function splitSeries(line: string): [string, string] {
  let i = 0;
  let depth = 0;
  let quote = '';
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (/\s/.test(c) && depth === 0) break;
  }
  return [line.slice(0, i), line.slice(i).trim()];
}

function seriesLabels(desc: string): Record<string, string> {
  const e = parsePromQL(desc);
  if (e.type !== 'selector') throw new Error(`not a series: ${desc}`);
  const out: Record<string, string> = {};
  if (e.name !== undefined) out.__name__ = e.name;
  for (const m of e.matchers) out[m.label] = m.value;
  return out;
}

class ScriptStore {
  private series = new Map<string, { labels: Record<string, string>; t: number[]; v: number[] }>();

  add(labels: Record<string, string>, intervalMs: number, points: Point[]): void {
    const k = seriesKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, t: [], v: [] }));
    points.forEach((p, i) => {
      if (typeof p === 'number') {
        s.t.push(i * intervalMs);
        s.v.push(p);
      } else if (p === 'stale') throw new Error('stale markers are not supported');
    });
  }

  clear(): void {
    this.series.clear();
  }

  build(): MetricStore {
    const series: StoredSeries[] = [];
    const byName = new Map<string, StoredSeries[]>();
    let minT = Infinity;
    let maxT = -Infinity;
    let count = 0;
    for (const [key, s] of this.series) {
      const idx = s.t.map((_, i) => i).sort((a, b) => s.t[a]! - s.t[b]!);
      const t = Float64Array.from(idx.map((i) => s.t[i]!));
      const v = Float64Array.from(idx.map((i) => s.v[i]!));
      const resets: number[] = [];
      for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) resets.push(i);
      const st: StoredSeries = { key, name: s.labels.__name__ ?? '', labels: s.labels, t, v, resets: Int32Array.from(resets) };
      series.push(st);
      const list = byName.get(st.name) ?? [];
      list.push(st);
      byName.set(st.name, list);
      count += t.length;
      if (t.length) {
        minT = Math.min(minT, t[0]!);
        maxT = Math.max(maxT, t[t.length - 1]!);
      }
    }
    return { series, byName, families: new Map(), sampleCount: count, minT, maxT, bytes: 0 };
  }
}

const MIN_NORMAL = 2.2250738585072014e-308;
/** Prometheus' test comparison: relative epsilon 1e-6, NaN equals NaN. */
function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < 1e-6 * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < 1e-6;
}

interface Pending {
  line: number;
  text: string;
  kind: 'instant' | 'range';
  expr: string;
  at: number;
  end: number;
  step: number;
  fail: boolean;
  failMatch?: (m: string) => boolean;
  ordered: boolean;
  expected: ExpectedSeries[];
  problem?: string;
}

/** Runs one script; returns every eval with its verdict. Prometheus 3 semantics unless told otherwise. */
export function runScript(text: string, semantics: Semantics = MODERN_SEMANTICS): EvalCase[] {
  const store = new ScriptStore();
  let built: MetricStore | undefined;
  let loadProblem: string | undefined;
  const out: EvalCase[] = [];
  const lines = text.split('\n');
  let i = 0;
  const isCommand = (l: string) => /^(load|clear|eval)\b/.test(l.trim()) || /^(load|eval)_/.test(l.trim());
  while (i < lines.length) {
    const raw = lines[i]!;
    const l = raw.trim();
    i++;
    if (!l || l.startsWith('#')) continue;
    const block: Array<{ n: number; s: string }> = [];
    while (i < lines.length && lines[i]!.trim() && !isCommand(lines[i]!)) {
      if (!lines[i]!.trim().startsWith('#')) block.push({ n: i + 1, s: lines[i]!.trim() });
      i++;
    }
    if (l === 'clear') {
      store.clear();
      built = undefined;
      loadProblem = undefined;
      continue;
    }
    let m = /^load(_with_nhcb)?\s+(\S+)$/.exec(l);
    if (m) {
      const interval = scriptDuration(m[2]!);
      for (const b of block) {
        const [desc, spec] = splitSeries(b.s);
        try {
          store.add(seriesLabels(desc), interval, expandPoints(spec));
        } catch (e) {
          loadProblem = `load at line ${b.n}: ${(e as Error).message}`;
        }
      }
      built = undefined;
      continue;
    }
    m = /^(eval(?:_fail|_ordered|_warn|_info)?)\s+(instant at (\S+)|range from (\S+) to (\S+) step (\S+))\s+(.+)$/.exec(l);
    if (!m) {
      out.push({ line: i - block.length, text: l, ok: false, why: 'unrecognised command' });
      continue;
    }
    const p: Pending = {
      line: i - block.length,
      text: l,
      kind: m[3] ? 'instant' : 'range',
      expr: m[7]!,
      at: scriptDuration(m[3] ?? m[4]!),
      end: m[3] ? scriptDuration(m[3]) : scriptDuration(m[5]!),
      step: m[6] ? scriptDuration(m[6]) : 0,
      fail: m[1] === 'eval_fail',
      ordered: m[1] === 'eval_ordered',
      expected: [],
    };
    for (const b of block) {
      const ex = /^expect\s+(fail|ordered|warn|info|no_warn|no_info)(?:\s+(msg|regex):\s*(.*))?$/.exec(b.s);
      if (ex) {
        if (ex[1] === 'fail') {
          p.fail = true;
          const want = ex[3]?.replace(/^"(.*)"$/, '$1');
          if (want !== undefined) p.failMatch = ex[2] === 'msg' ? (msg) => msg.includes(want) : (msg) => new RegExp(want).test(msg);
        } else if (ex[1] === 'ordered') p.ordered = true;
        // Annotations (warn/info) are not produced by the bundle engine: those expectations are not checked.
        continue;
      }
      if (/^expected_fail_(message|regexp)\s/.test(b.s)) continue;
      try {
        if (/^[-+]?(\d|\.|Inf|NaN|inf|nan)/.test(b.s) && !b.s.includes('{')) p.expected.push({ labels: undefined, points: expandPoints(b.s) });
        else {
          const [desc, spec] = splitSeries(b.s);
          p.expected.push({ labels: desc === '{}' ? {} : seriesLabels(desc), points: expandPoints(spec) });
        }
      } catch (e) {
        p.problem = `expected line ${b.n}: ${(e as Error).message}`;
      }
    }
    if (loadProblem && !p.problem) p.problem = loadProblem;
    built ??= store.build();
    out.push(check(p, built, semantics));
  }
  return out;
}

function check(p: Pending, store: MetricStore, semantics: Semantics): EvalCase {
  const base = { line: p.line, text: p.text };
  if (p.problem) return { ...base, ok: false, why: p.problem };
  const ev = new Evaluator(store, semantics);
  let got: Array<{ labels: Record<string, string> | undefined; points: Array<[number, number]> }>;
  try {
    const e = parsePromQL(p.expr);
    if (p.kind === 'instant') {
      const v: Value = ev.instant(e, p.at);
      if (v.kind === 'scalar') got = [{ labels: undefined, points: [[p.at, v.value]] }];
      else if (v.kind === 'vector') got = v.samples.map((s) => ({ labels: s.labels, points: [[p.at, s.value]] }));
      else got = [];
    } else got = ev.range(e, p.at, p.end, p.step).map((s) => ({ labels: s.labels, points: s.points }));
  } catch (e) {
    const msg = (e as Error).message;
    if (!p.fail) return { ...base, ok: false, why: `failed: ${msg}` };
    if (p.failMatch && !p.failMatch(msg)) return { ...base, ok: false, why: `failed with another message: ${msg}` };
    return { ...base, ok: true };
  }
  if (p.fail) return { ...base, ok: false, why: 'expected a failure, got a result' };
  // Scalars: instant results compare by value, range results as a series without labels.
  const want = p.expected.map((x) => ({ labels: x.labels, points: x.points }));
  if (p.kind === 'instant') {
    if (want.length !== got.length) return { ...base, ok: false, why: `expected ${want.length} result(s), got ${got.length}: ${JSON.stringify(got.slice(0, 5))}` };
    const used = new Set<number>();
    for (let w = 0; w < want.length; w++) {
      const x = want[w]!;
      const idx = p.ordered ? w : got.findIndex((g, j) => !used.has(j) && sameLabels(g.labels, x.labels));
      const g = got[idx];
      if (!g || !sameLabels(g.labels, x.labels)) return { ...base, ok: false, why: `no result for ${JSON.stringify(x.labels)}${p.ordered ? ' at this position' : ''}` };
      used.add(idx);
      const wv = x.points[0];
      if (typeof wv !== 'number' || !almostEqual(wv, g.points[0]![1])) return { ...base, ok: false, why: `${JSON.stringify(x.labels)}: expected ${wv}, got ${g.points[0]![1]}` };
    }
    return { ...base, ok: true };
  }
  const steps: number[] = [];
  for (let t = p.at; t <= p.end; t += p.step) steps.push(t);
  const gotBy = new Map(got.map((g) => [labelsKey(g.labels ?? {}), g]));
  const wantKeys = new Set<string>();
  for (const x of want) {
    const k = labelsKey(x.labels ?? {});
    wantKeys.add(k);
    const g = gotBy.get(k);
    const wantPts = steps.map((t, i) => [t, x.points[i]] as const).filter(([, v]) => typeof v === 'number') as Array<[number, number]>;
    const gp = g?.points ?? [];
    if (gp.length !== wantPts.length || gp.some(([t, v], i) => t !== wantPts[i]![0] || !almostEqual(v, wantPts[i]![1])))
      return { ...base, ok: false, why: `${JSON.stringify(x.labels ?? {})}: expected ${JSON.stringify(wantPts)}, got ${JSON.stringify(gp)}` };
  }
  const extra = got.filter((g) => !wantKeys.has(labelsKey(g.labels ?? {})));
  if (extra.length) return { ...base, ok: false, why: `unexpected series ${JSON.stringify(extra[0]!.labels)}` };
  return { ...base, ok: true };
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b || (a !== undefined && Object.keys(a).length === 0 && b === undefined) || (b !== undefined && Object.keys(b).length === 0 && a === undefined);
  return labelsKey(a) === labelsKey(b);
}
