// The incident lab's committed recordings (evals/incidents/lab, made by `npm run lab -- suite`) and
// their suite (evals/suites/lab.yaml): every fault kind of the lab is recorded with its truth, the
// recordings stay within the size budget, and the suite runs through the real playbook.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEval } from '../../src/evals/suite.js';
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
    const plan = await planEval([SUITE]);
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
    const res = await runEval(await planEval([SUITE]), { keepReports: false });
    expect(res.cases.filter((c) => c.status === 'error').map((c) => `${c.key}: ${c.reasons.join(' | ')}`)).toEqual([]);
    expect(res.cases.every((c) => c.problems.length === 0)).toBe(true);
    // The faults whose evidence starts in the faulty service itself (see the README's lab table).
    const top1 = new Set(res.cases.filter((c) => c.score?.top1).map((c) => c.truth!.fault));
    for (const k of ['exception', 'cpu-hungry', 'missing-index', 'failing-dependency']) expect(top1, k).toContain(k);
  });
});
