// Opt-in: grouping accuracy on Loghub-2k with the one default configuration (skipped without ../shared).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { groupingAccuracy, loadLoghub, mineIds } from '../../bench/logs.js';

const ROOT = path.resolve(process.cwd(), '../shared/datasets/loghub-2k');

describe.skipIf(!existsSync(ROOT))('Loghub-2k grouping accuracy', () => {
  it('averages ≥ 0.95 with no system below 0.85', () => {
    const rows = loadLoghub(ROOT).map((s) => [s.name, groupingAccuracy(s.eventIds, mineIds(s.contents))] as const);
    expect(rows).toHaveLength(12);
    const avg = rows.reduce((a, r) => a + r[1], 0) / rows.length;
    for (const [name, ga] of rows) expect(ga, name).toBeGreaterThanOrEqual(0.85);
    expect(avg).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('the GA evaluator is exact: a perfect and a merged grouping', () => {
    expect(groupingAccuracy(['a', 'a', 'b'], [1, 1, 2])).toBe(1);
    expect(groupingAccuracy(['a', 'a', 'b'], [1, 1, 1])).toBe(0);
    expect(groupingAccuracy(['a', 'a', 'b', 'c'], [1, 2, 3, 4])).toBe(0.5);
  });
});
