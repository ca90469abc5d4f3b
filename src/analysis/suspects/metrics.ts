// Metric evidence per service (failure modes: resource faults — CPU, memory, network — and anything
// the services' own gauges and counters show): each series' window mean against its baseline, in units
// of the baseline's own noise, normalised across services per family so a load change that moves every
// service says little.
import type { MetricSource, TimeRange } from '../../sources/types.js';
import { median } from '../../util/stats.js';
import { inRange, robustScores } from './stats.js';

const SERVICE_LABELS = ['service', 'service_name', 'job', 'app', 'container'];

/** Families most telling about a service's health come first when the family count is capped. */
const FAMILY_PRIORITY = /cpu|latency|duration|error|fail|memory|mem_|gc|pool|thread|saturation|queue|restart/i;

export async function metricFeatures(
  metrics: MetricSource,
  window: TimeRange,
  baseline: TimeRange,
  opts: { signal?: AbortSignal; maxFamilies: number },
): Promise<{ score: Map<string, number>; detail: Map<string, { family: string; before: number; after: number; z: number }>; query: Map<string, string>; notes: string[] }> {
  const notes: string[] = [];
  const meta = await metrics.metadata(opts.signal);
  const fams = meta
    .filter((m) => m.type === 'gauge' || m.type === 'counter' || m.type === 'unknown')
    .sort((a, b) => Number(FAMILY_PRIORITY.test(b.name)) - Number(FAMILY_PRIORITY.test(a.name)) || a.name.localeCompare(b.name));
  if (fams.length > opts.maxFamilies) notes.push(`metrics: compared ${opts.maxFamilies} of ${fams.length} families`);
  const whole: TimeRange = { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) };
  const span = whole.end - whole.start;
  const step = Math.max(15_000, Math.round(span / 120 / 15_000) * 15_000);
  const score = new Map<string, number>();
  const detail = new Map<string, { family: string; before: number; after: number; z: number }>();
  const query = new Map<string, string>();
  const perService = new Map<string, Array<{ family: string; before: number; after: number; z: number; q: string }>>();
  await Promise.all(
    fams.slice(0, opts.maxFamilies).map(async (fam) => {
      const rangeWin = `${Math.max(1, Math.round((step * 4) / 60_000))}m`;
      const q = fam.type === 'counter' ? `rate(${fam.name}[${rangeWin}])` : fam.name;
      let series;
      try {
        series = await metrics.range(q, whole, step, opts.signal);
      } catch (e) {
        notes.push(`metrics: ${q} failed (${(e as Error).message})`);
        return;
      }
      // Per service: the largest standardised shift among its series (pods, routes…). The noise floor
      // includes a share of the family's typical level, so near-zero series do not explode.
      const levels = series
        .flatMap((s) => s.points.filter(([t]) => inRange(t, baseline)).map(([, v]) => Math.abs(v)))
        .filter((v) => Number.isFinite(v) && v > 0);
      const familyLevel = levels.length ? median(levels) : 0;
      const shift = new Map<string, { d: number; before: number; after: number }>();
      for (const s of series) {
        const label = SERVICE_LABELS.find((l) => s.labels[l]);
        if (!label) continue;
        const svc = s.labels[label]!;
        const b: number[] = [];
        const w: number[] = [];
        for (const [t, v] of s.points) {
          if (!Number.isFinite(v)) continue;
          if (inRange(t, window)) w.push(v);
          else if (inRange(t, baseline)) b.push(v);
        }
        if (b.length === 0 || w.length === 0) continue;
        const mb = b.reduce((a, v) => a + v, 0) / b.length;
        const mw = w.reduce((a, v) => a + v, 0) / w.length;
        const sd = Math.sqrt(b.reduce((a, v) => a + (v - mb) ** 2, 0) / b.length);
        // Relative shift, damped by the baseline's own noise.
        const d = Math.min(100, Math.abs(mw - mb) / (sd + 0.1 * Math.abs(mb) + 0.05 * familyLevel + 1e-9));
        const cur = shift.get(svc);
        if (!cur || d > cur.d) shift.set(svc, { d, before: mb, after: mw });
      }
      if (shift.size < 2) return;
      // Normalise across services: a family where everything moved (load change) says little.
      const z = robustScores(new Map([...shift].map(([k, v]) => [k, Math.log1p(v.d)])), 0.25);
      for (const [svc, zv] of z) {
        let l = perService.get(svc);
        if (!l) perService.set(svc, (l = []));
        const v = shift.get(svc)!;
        l.push({ family: fam.name, before: v.before, after: v.after, z: zv, q });
      }
    }),
  );
  // A service is suspect when several of its families move together (CPU, latency, traffic…), not when
  // one of two dozen families happens to be noisy: score = mean of its three largest family scores.
  for (const [svc, l] of perService) {
    l.sort((a, b) => b.z - a.z);
    const top = l.slice(0, 3);
    score.set(svc, top.reduce((a, x) => a + x.z, 0) / 3);
    detail.set(svc, { family: top[0]!.family, before: top[0]!.before, after: top[0]!.after, z: top[0]!.z });
    query.set(svc, top[0]!.q);
  }
  return { score, detail, query, notes };
}

