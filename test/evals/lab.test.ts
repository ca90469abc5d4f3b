// The incident lab's committed recordings (evals/incidents/lab, made by `npm run lab -- suite`) and
// their suite (evals/suites/lab.yaml): every fault kind of the lab is recorded with its truth, the
// recordings stay within the size budget, the suite runs through the real playbook, the profile
// analysis finds code-level truth, and agent mode replays the committed scripted-model cassettes
// (two cases here: the whole agent suite takes ~30 s, see `queryless eval evals/suites/lab.yaml`).
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite, planEval } from '../../src/evals/suite.js';
import { runEval } from '../../src/evals/run.js';
import { loadIncident } from '../../src/sources/bundle/incident.js';

const require = createRequire(import.meta.url);
const { FAULTS } = require('../../evals/lab/faults/catalog.js') as { FAULTS: Record<string, { how: string; function?: string; file?: string }> };
const SUITE = path.resolve('evals/suites/lab.yaml');
const LAB_BUNDLES = path.resolve('evals/incidents/lab');

function sizeOf(p: string): number {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((n, f) => n + sizeOf(path.join(p, f)), 0) : s.size;
}

describe('lab suite', () => {
  it('records every fault kind of the lab, with function and file for code faults, within 25 MB', async () => {
    const plan = await planEval([SUITE], { mode: 'playbook' });
    expect(plan.cases.length).toBeGreaterThanOrEqual(Object.keys(FAULTS).length);
    const kinds = new Set<string>();
    for (const c of plan.cases) {
      const inc = await loadIncident(path.join(c.bundleDir, 'incident.yaml'));
      const def = FAULTS[inc.truth!.fault]!;
      expect(def, `${c.id}: fault ${inc.truth!.fault} is not a lab fault`).toBeDefined();
      kinds.add(inc.truth!.fault);
      expect(inc.truth!.span, c.id).toBeTruthy();
      if (def.how === 'code') {
        expect(inc.truth).toMatchObject({ function: def.function, file: def.file });
        // The faulty file ships in the bundle's source tree, where offline source lookup finds it.
        expect(existsSync(path.join(c.bundleDir, 'source', def.file!)), `${c.id}: source/${def.file}`).toBe(true);
      }
      // Baseline then fault, back to back, inside the window.
      expect(inc.baseline!.end).toBe(inc.incident!.start);
      expect(inc.window.start).toBe(inc.baseline!.start);
    }
    expect([...kinds].sort()).toEqual(Object.keys(FAULTS).sort());
    expect(sizeOf(LAB_BUNDLES)).toBeLessThan(25 * 1024 * 1024);
  });

  it('runs through the playbook: every case scored, none errored', { timeout: 600_000 }, async () => {
    const res = await runEval(await planEval([SUITE], { mode: 'playbook' }), { keepReports: false });
    expect(res.cases.filter((c) => c.status === 'error').map((c) => `${c.key}: ${c.reasons.join(' | ')}`)).toEqual([]);
    expect(res.cases.every((c) => c.problems.length === 0)).toBe(true);
    // The faults whose evidence starts in the faulty service itself (see the README's lab table).
    const top1 = new Set(res.cases.filter((c) => c.score?.top1).map((c) => c.truth!.fault));
    for (const k of ['exception', 'cpu-hungry', 'missing-index', 'failing-dependency']) expect(top1, k).toContain(k);
  });

  it('profiles name the code: the lock holder by its enclosing function, the retry loop by its sample-share growth', { timeout: 600_000 }, async () => {
    const bundles = ['lock-contention-inventory-s1', 'retry-storm-orders-s1'].map((b) => path.join(LAB_BUNDLES, b));
    const res = await runEval(await planEval(bundles, { mode: 'playbook' }));
    const lock = res.cases.find((c) => c.id === 'lock-contention-inventory-s1')!;
    expect(lock.score).toMatchObject({ function: true, file: true });
    const holder = lock.report!.findings.find((f) => f.details?.enclosing_function === 'recountStock')!;
    expect(holder.kind).toBe('hot-function');
    expect(holder.source?.path).toMatch(/services\/inventory\/recount\.js$/);
    const retry = res.cases.find((c) => c.id === 'retry-storm-orders-s1')!;
    expect(retry.score).toMatchObject({ function: true, file: true });
    // chargeWithRetry holds ~2% of orders' samples in the baseline: not hot, but its share grew far beyond noise.
    const loop = retry.report!.findings.find((f) => f.details?.function === 'chargeWithRetry')!;
    expect(loop.source?.path).toMatch(/services\/orders\/payment-client\.js$/);
    expect(loop.numbers.growth_verdict).toBe('grew');
    expect(Number(loop.numbers.growth_p_adjusted)).toBeLessThan(0.01);
    expect(Number(loop.numbers.stack_share_change_ci_low)).toBeGreaterThan(0);
    // The writev frames grew by the change-per-second figure alone in payments, not by the counts.
    const noise = retry.report!.findings.filter((f) => f.kind === 'hot-function' && f.numbers.growth_verdict === 'within-noise');
    expect(noise.length).toBeGreaterThan(0);
  });

  it('agent mode replays the committed scripted-model cassettes: no mismatch, the same verdicts as the playbook', { timeout: 600_000 }, async () => {
    const bundles = ['lock-contention-inventory-s1', 'exception-inventory-s1'].map((b) => path.join(LAB_BUNDLES, b));
    const suite = await loadSuite(SUITE);
    const replay = path.resolve(path.dirname(SUITE), suite.replay!);
    expect(suite.modes).toContain('agent');
    const agent = await runEval(await planEval(bundles, { mode: 'agent', replay }), { keepReports: false });
    const playbook = await runEval(await planEval(bundles, { mode: 'playbook' }), { keepReports: false });
    expect(agent.cases.map((c) => c.replay?.cassette)).toEqual(bundles.map((b) => expect.stringMatching(new RegExp(`evals/cassettes/lab/${path.basename(b)}\\.en\\.json\\.gz$`))));
    for (const c of agent.cases) {
      expect(c.replay!.issues.filter((i) => i.kind !== 'drift'), c.key).toEqual([]);
      expect(c.stats.tokens, c.key).toBeGreaterThan(0);
      const p = playbook.cases.find((x) => x.id === c.id)!;
      expect(c.status, c.key).toBe(p.status);
      expect(c.score?.ranked[0]).toBe(p.score?.ranked[0]);
    }
    expect(agent.cases.every((c) => c.status === 'pass')).toBe(true);
  });
});
