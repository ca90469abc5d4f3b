// Opt-in: the shared Nezha TrainTicket dev bundles (skipped when ../shared is absent). For the
// cpu_contention incidents, find_slow_spans window vs baseline must name the injected service first.
// `truth` is read here only to score; the analysis never sees it.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';

const DEV = path.resolve(process.cwd(), '../shared/datasets/nezha-trainticket/dev');

describe.skipIf(!existsSync(DEV))('Nezha TrainTicket dev: find_slow_spans window vs baseline', () => {
  const dirs = existsSync(DEV) ? readdirSync(DEV).filter((d) => existsSync(path.join(DEV, d, 'incident.yaml'))).sort() : [];

  it('names the injected service first for every cpu_contention incident, and reports the hit rate over all', async () => {
    let hits = 0;
    const cpuMisses: string[] = [];
    for (const d of dirs) {
      const sources = await openBundle(path.join(DEV, d));
      const truth = (sources.incident as { truth?: { service?: string; fault?: string } }).truth;
      const r = await runTool(findTool('find_slow_spans')!, { mode: 'baseline' }, { sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: 2000 });
      expect(r.isError, r.text).toBe(false);
      const top = (r.structured!.services as Array<{ service: string }>)[0]?.service;
      if (top === truth?.service) hits++;
      else if (truth?.fault === 'cpu_contention') cpuMisses.push(`${d}: ${top}`);
    }
    process.stderr.write(`nezha dev: find_slow_spans (baseline mode) top-1 service = truth in ${hits}/${dirs.length}\n`);
    expect(cpuMisses).toEqual([]);
  }, 600_000);
});
