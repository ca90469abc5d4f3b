// Opt-in: Nezha TrainTicket dev incidents — does the injected service's log show a new or surging
// pattern in the incident window vs the baseline? (truth is used for scoring only; skipped without ../shared)
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { nezhaPatterns } from '../../bench/logs.js';

const DIR = path.resolve(process.cwd(), '../shared/datasets/nezha-trainticket/dev');

describe.skipIf(!existsSync(DIR))('Nezha TrainTicket dev: log pattern shift of the injected service', () => {
  it('computes the rate over every incident', async () => {
    const rows = await nezhaPatterns(DIR);
    const incidents = readdirSync(DIR).filter((d) => existsSync(path.join(DIR, d, 'incident.yaml')));
    expect(rows).toHaveLength(incidents.length);
    const rate = rows.filter((r) => r.hit).length / rows.length;
    // Measured 16/28 on the dev split; guard against regressions without pinning the exact figure.
    expect(rate).toBeGreaterThanOrEqual(0.4);
    for (const r of rows) if (r.hit) expect(r.rank).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
