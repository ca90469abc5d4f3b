// Our PromQL test scripts (Prometheus' promqltest format, test/metrics/scripts/*.test) run on the bundle
// evaluator: every eval is one test, so a failure names the script line and what differed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPoints, runScript, scriptDuration } from './promql-script.js';

const DIR = join(import.meta.dirname, 'scripts');

describe('PromQL test-script runner', () => {
  it('expands promtool series notation', () => {
    expect(expandPoints('1 2+3x2 _ 5x2 -1-1x2 _x2 Inf')).toEqual([1, 2, 5, 8, undefined, 5, 5, 5, -1, -2, -3, undefined, undefined, Infinity]);
    expect(scriptDuration('1h30m')).toBe(5_400_000);
    expect(scriptDuration('0')).toBe(0);
  });

  it('reports a wrong expectation, an unexpected success and an unsupported sample as failures', () => {
    const res = runScript(['load 1m', '  m 1 2', '', 'eval instant at 1m m', '  m 3', '', 'eval instant at 1m m', '  expect fail', '', 'load 1m', '  h {{schema:1 sum:3 count:2}}', '', 'eval instant at 0 h', '  h 1'].join('\n'));
    expect(res.map((r) => r.ok)).toEqual([false, false, false]);
    expect(res[0]!.why).toMatch(/expected 3, got 2/);
    expect(res[1]!.why).toMatch(/expected a failure/);
    expect(res[2]!.why).toMatch(/native histogram/);
  });
});

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.test')).sort()) {
  describe(`scripts/${file}`, () => {
    const results = runScript(readFileSync(join(DIR, file), 'utf8'));
    for (const r of results) {
      it(`line ${r.line}: ${r.text.slice(0, 100)}`, () => {
        expect(r.why ?? 'ok').toBe('ok');
      });
    }
  });
}
