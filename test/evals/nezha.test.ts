// Opt-in: the Nezha TrainTicket dev suite (../shared/datasets, absent on a fresh clone).
// Without the data the suite plans no case and says why; with it, every dev incident is a case
// and one runs end to end through the real playbook (scored, not errored).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEval } from '../../src/evals/suite.js';
import { runEval } from '../../src/evals/run.js';

const SHARED = path.resolve(process.cwd(), '../shared');
const DEV = path.join(SHARED, 'datasets/nezha-trainticket/dev');
const SUITE = path.resolve('evals/suites/nezha-dev.yaml');

describe('nezha-dev suite', () => {
  it.skipIf(existsSync(DEV))('skips cleanly when the dataset is absent', async () => {
    const plan = await planEval([SUITE]);
    expect(plan.cases).toEqual([]);
    expect(plan.skipped[0]!.reason).toMatch(/opt-in data not present/);
  });

  describe.skipIf(!existsSync(DEV))('with ../shared/datasets/nezha-trainticket/dev', () => {
    it('plans one English playbook case per dev incident and scores one end to end', { timeout: 600_000 }, async () => {
      const plan = await planEval([SUITE]);
      expect(plan.cases).toHaveLength(28);
      expect(plan.cases.every((c) => c.mode === 'playbook' && c.langs.join() === 'en')).toBe(true);
      const res = await runEval({ ...plan, cases: plan.cases.slice(0, 1) }, { keepReports: false });
      const c = res.cases[0]!;
      expect(c.truth).toMatchObject({ service: 'ts-contacts-service', fault: 'return' });
      expect(['pass', 'fail']).toContain(c.status);
      expect(c.score!.ranked.length).toBeGreaterThan(0);
      expect(c.question).toMatch(/^Since 08:43 UTC/);
    });
  });
});
