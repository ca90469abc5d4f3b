// Opt-in: our top 20 by flat and by cum match `go tool pprof -top` on every profile of the shared
// dataset (skips without `go` on PATH or without ../shared/datasets/pprof).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_DIR, datasetProfiles, hasGo, parityForFile } from '../../bench/profiles.js';

const enabled = existsSync(DATASET_DIR) && hasGo();

describe.skipIf(!enabled)('parity with go tool pprof -top', () => {
  const files = enabled ? datasetProfiles() : [];
  it('finds the dataset profiles', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  for (const f of files) {
    it(`top 20 flat and cum match for ${path.relative(DATASET_DIR, f)}`, async () => {
      const results = await parityForFile(f, 20);
      const bad = results.filter((r) => !r.ok).map((r) => `${r.sampleType} by ${r.order}: ${r.mismatches.slice(0, 3).join(' | ')}`);
      expect(bad).toEqual([]);
      // Sample types that are all zero (e.g. .NET exception counts) have no rows on either side.
      expect(results.some((r) => r.compared > 0)).toBe(true);
    }, 600_000);
  }
});
