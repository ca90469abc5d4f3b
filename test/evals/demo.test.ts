// The demo suite (evals/suites/demo.yaml) through the real investigators, in-process:
// the deterministic playbook, and the agent loop replaying the committed model cassettes
// (evals/cassettes/demo, recorded from scripts/scripted-model-server.ts; no key, no network).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEval } from '../../src/evals/suite.js';
import { runEval, type EvalResult } from '../../src/evals/run.js';

const SUITE = path.resolve('evals/suites/demo.yaml');

function problems(res: EvalResult): string[] {
  return [
    ...res.cases.filter((c) => c.status !== 'pass').map((c) => `${c.key} ${c.status}: ${c.reasons.join(' | ')}`),
    ...res.summary.failures.map((f) => `threshold: ${f}`),
  ];
}

describe('demo suite', () => {
  it('the bundle and the suite are present', () => {
    expect(existsSync('evals/incidents/demo-checkout/incident.yaml')).toBe(true);
    expect(existsSync(SUITE)).toBe(true);
  });

  it('playbook mode: checkout first, errors found, span/function/file found, answered in en and fr', { timeout: 600_000 }, async () => {
    const res = await runEval(await planEval([SUITE], { mode: 'playbook' }), { keepReports: false });
    expect(res.cases.map((c) => c.key)).toEqual(['demo-checkout[en]/playbook', 'demo-checkout[fr]/playbook']);
    expect(problems(res)).toEqual([]);
    expect(res.summary.top1.rate).toBe(1);
  });

  it('agent mode replaying the committed cassettes: same verdicts, no mismatch', { timeout: 600_000 }, async () => {
    const res = await runEval(await planEval([SUITE], { mode: 'agent' }), { keepReports: false });
    expect(res.cases.map((c) => c.key)).toEqual(['demo-checkout[en]/agent', 'demo-checkout[fr]/agent']);
    expect(problems(res)).toEqual([]);
    for (const c of res.cases) expect(c.replay?.cassette, `${c.key}: no cassette used`).toMatch(/evals\/cassettes\/demo\/demo-checkout\.(en|fr)\.json$/);
    expect(res.cases.every((c) => (c.stats.tokens ?? 0) > 0)).toBe(true);
  });
});
