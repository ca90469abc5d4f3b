// Opt-in: rank_suspects on the Nezha TrainTicket dev incidents (../shared/datasets; skipped when absent).
// truth.service and truth.fault are used for scoring only. Prints a per-incident table (truth, our top 3
// with scores and parts, time), top-1/top-3 and a per-fault-type breakdown; asserts floors at the level
// reached so the suite guards against regressions.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { rankSuspects } from '../../src/analysis/suspects/index.js';

const SYSTEMS = [
  // [folder, incidents, top-1 floor, top-3 floor] — floors at the level reached, so the suite guards against regressions.
  { dev: path.resolve(process.cwd(), '../shared/datasets/nezha-trainticket/dev'), n: 28, top1: 0.78, top3: 0.8 },
  { dev: path.resolve(process.cwd(), '../shared/datasets/nezha-onlineboutique/dev'), n: 20, top1: 0.85, top3: 0.9 },
];
const short = (s: string) => s.replace(/^ts-/, '').replace(/-service$/, '');

for (const { dev: DEV, n: expected, top1: floor1, top3: floor3 } of SYSTEMS)
describe.skipIf(!existsSync(DEV))(`rank_suspects on ${path.basename(path.dirname(DEV))} (dev)`, () => {
  it('ranks the faulty service high', { timeout: 600_000 }, async () => {
    let top1 = 0;
    let top3 = 0;
    let n = 0;
    const lines: string[] = [];
    const byFault = new Map<string, { n: number; top1: number; top3: number }>();
    let totalMs = 0;
    const partStats = new Map<string, [number, number]>();
    const only = process.env.SUSPECTS_ONLY;
    for (const d of readdirSync(DEV).filter((x) => existsSync(path.join(DEV, x, 'incident.yaml'))).sort()) {
      if (only && !d.includes(only)) continue;
      const b = await openBundle(path.join(DEV, d));
      const truth = b.incident.truth?.service;
      if (!truth) continue;
      const t0 = performance.now();
      const r = await rankSuspects(b, b.defaults.incident ?? b.defaults.window, b.defaults.baseline!);
      const ms = performance.now() - t0;
      totalMs += ms;
      const i = r.suspects.findIndex((s) => s.service === truth);
      n++;
      if (i === 0) top1++;
      if (i >= 0 && i < 3) top3++;
      const fault = String((b.incident.truth as { fault?: string } | undefined)?.fault ?? '?');
      const f = byFault.get(fault) ?? { n: 0, top1: 0, top3: 0 };
      f.n++;
      if (i === 0) f.top1++;
      if (i >= 0 && i < 3) f.top3++;
      byFault.set(fault, f);
      const top = r.suspects
        .slice(0, 3)
        .map((s) => `${short(s.service)} ${s.score.toFixed(2)} [${Object.entries(s.parts).map(([k, v]) => `${k}=${v}`).join(' ')}]`)
        .join(' | ');
      if (process.env.SUSPECTS_PARTS) {
        const keys = new Set(r.suspects.flatMap((s) => Object.keys(s.parts)));
        for (const k of keys) {
          const by = r.suspects.filter((s) => (s.parts[k] ?? 0) > 0).sort((a, b) => (b.parts[k] ?? 0) - (a.parts[k] ?? 0));
          const j = by.findIndex((s) => s.service === truth);
          const a = partStats.get(k) ?? [0, 0];
          if (j === 0) a[0]++;
          if (j >= 0 && j < 3) a[1]++;
          partStats.set(k, a);
        }
      }
      const dbg = process.env.SUSPECTS_DEBUG;
      if (dbg) {
        const by = r.suspects.filter((s) => (s.raw[dbg] ?? 0) > 0).sort((a, b) => (b.raw[dbg] ?? 0) - (a.raw[dbg] ?? 0));
        const j = by.findIndex((s) => s.service === truth);
        lines.push(`   ${dbg}: rank ${j < 0 ? '-' : j + 1} :: ${by.slice(0, 4).map((s) => `${short(s.service)} ${s.raw[dbg]}`).join(' | ')}`);
      }
      lines.push(`${i === 0 ? 'ok ' : '   '}${b.incident.id.replace(/^(tt|ob)-\d{4}-\d\d-\d\d-/, '')}: truth ${short(truth)} rank ${i < 0 ? '-' : i + 1} ${ms.toFixed(0)}ms :: ${top}`);
    }
    const faults = [...byFault].map(([k, v]) => `${k} ${v.top1}/${v.n} top-1, ${v.top3}/${v.n} top-3`).join('; ');
    process.stdout.write(
      `${lines.join('\n')}\nNezha dev: top-1 ${(top1 / n).toFixed(3)} (${top1}/${n}), top-3 ${(top3 / n).toFixed(3)} (${top3}/${n}); ${faults}; mean ${(totalMs / n).toFixed(0)} ms/incident\n`,
    );
    if (partStats.size) process.stdout.write(`parts alone (top-1, top-3): ${[...partStats].map(([k, [a, b]]) => `${k} ${a}/${b}`).join('; ')}\n`);
    if (only) return;
    expect(n).toBe(expected);
    expect(top3 / n).toBeGreaterThanOrEqual(floor3);
    expect(top1 / n).toBeGreaterThanOrEqual(floor1);
  });
});
