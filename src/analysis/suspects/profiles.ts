// Profile evidence per service (failure mode: CPU burnt in the service's own code): growth of the
// profiled resource per second, window against baseline.
import type { Sources, TimeRange } from '../../sources/types.js';

export async function profileFeatures(sources: Sources, window: TimeRange, baseline: TimeRange, signal?: AbortSignal) {
  const growth = new Map<string, number>();
  const detail = new Map<string, { type: string; before: number; after: number }>();
  const p = sources.profiles!;
  const whole: TimeRange = { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) };
  const types = await p.profileTypes(undefined, whole, signal);
  // CPU-like types first: they say where time goes.
  const pick = types.find((t) => /cpu|samples|wall/i.test(t.id)) ?? types[0];
  if (!pick) return { growth, detail };
  const total = (sp: { stacks: Array<{ value: number }>; durationMs: number } | undefined) =>
    sp ? sp.stacks.reduce((a, s) => a + s.value, 0) / Math.max(1, sp.durationMs / 1000) : 0;
  await Promise.all(
    pick.services.map(async (svc) => {
      const [w, b] = await Promise.all([p.mergedProfile(svc, pick.id, window, signal), p.mergedProfile(svc, pick.id, baseline, signal)]);
      if (!w || !b) return;
      const tw = total(w);
      const tb = total(b);
      growth.set(svc, Math.max(0, Math.log((tw + 1e-9) / (tb + 1e-9))));
      detail.set(svc, { type: pick.id, before: tb, after: tw });
    }),
  );
  return { growth, detail };
}

