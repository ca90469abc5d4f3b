// The demo incident bundle: the slow service's CPU profile shows the mutex-guarded cache lookup on
// top and its growth vs the baseline; lookup_source returns its file and lines from source/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBundle, type BundleSources } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { hotFunctions } from '../../tools/hot_functions.js';
import { lookupSource } from '../../tools/lookup_source.js';
import type { ToolDef } from '../../tools/types.js';

const DEMO = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');
const LOOKUP = /\.\(\*LoginCache\)\.Lookup$/;

describe.skipIf(!existsSync(path.join(DEMO, 'profiles', 'ride')))('demo incident profiles', () => {
  let sources: BundleSources;
  const call = (def: unknown, args: Record<string, unknown>) => runTool(def as ToolDef, args, { sources, signal: new AbortController().signal, progress: () => {} });
  beforeAll(async () => {
    sources = await openBundle(DEMO);
  });

  it('hot_functions for ride: the mutex-guarded LoginCache.Lookup on top, grown vs baseline', async () => {
    const r = await call(hotFunctions, { service: 'ride', type: 'cpu' });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    const top = d.user_functions[0];
    expect(top.name).toMatch(LOOKUP);
    expect(top.attributed_share).toBeGreaterThan(0.3);
    expect(top.causes.lock).toBeGreaterThan(0);
    expect(top.via.map((v: any) => v.name)).toContain('sync.(*Mutex).Lock');
    expect(d.grew[0].name).toMatch(LOOKUP);
    expect(d.grew[0].per_s_now).toBeGreaterThan(2 * d.grew[0].per_s_before);
    expect(r.text.split('\n').find((l) => l.startsWith('driver.(*LoginCache).Lookup'))).toMatch(/mutex\/lock/);
    expect(sources.problems.filter((p) => p.includes('/profiles/'))).toEqual([]);
  });

  it('lookup_source returns the file and lines of Lookup from the bundle source tree', async () => {
    const h = (await call(hotFunctions, { service: 'ride', type: 'cpu' })).structured as any;
    const r = await call(lookupSource, { service: 'ride', function: h.user_functions[0].name });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    expect(d.path).toMatch(/internal\/driver\/.*\.go$/);
    expect(d.snippet).toMatch(/func \(\w+ \*LoginCache\) Lookup\(/);
    expect(d.snippet).toMatch(/\.Lock\(\)/);
    expect(d.end_line).toBeGreaterThan(d.start_line);
    expect(d.line_costs.length).toBeGreaterThan(0);
  });
});
