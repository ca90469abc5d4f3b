// Opt-in: rank_suspects on the Nezha TrainTicket dev incidents (../shared/datasets; skipped when absent).
// truth.service is used for scoring only. Prints top-1/top-3; asserts a floor well below the target so
// the suite guards against regressions without pretending the target (0.90) is met.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { rankSuspects } from '../../src/analysis/suspects.js';

const DEV = path.resolve(process.cwd(), '../shared/datasets/nezha-trainticket/dev');

describe.skipIf(!existsSync(DEV))('rank_suspects on Nezha TrainTicket (dev)', () => {
  it('ranks the faulty service high', { timeout: 600_000 }, async () => {
    let top1 = 0;
    let top3 = 0;
    let n = 0;
    const lines: string[] = [];
    for (const d of readdirSync(DEV).filter((x) => existsSync(path.join(DEV, x, 'incident.yaml'))).sort()) {
      const b = await openBundle(path.join(DEV, d));
      const truth = b.incident.truth?.service;
      if (!truth) continue;
      const r = await rankSuspects(b, b.defaults.incident ?? b.defaults.window, b.defaults.baseline!);
      const i = r.suspects.findIndex((s) => s.service === truth);
      n++;
      if (i === 0) top1++;
      if (i >= 0 && i < 3) top3++;
      lines.push(`${i === 0 ? 'ok ' : '   '}${b.incident.id}: rank ${i < 0 ? '-' : i + 1} (top: ${r.suspects.slice(0, 3).map((s) => s.service).join(', ')})`);
    }
    process.stdout.write(`${lines.join('\n')}\nNezha dev: top-1 ${(top1 / n).toFixed(3)} (${top1}/${n}), top-3 ${(top3 / n).toFixed(3)} (${top3}/${n})\n`);
    expect(n).toBe(28);
    expect(top3 / n).toBeGreaterThanOrEqual(0.45);
    expect(top1 / n).toBeGreaterThanOrEqual(0.2);
  });
});
