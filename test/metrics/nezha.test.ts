// Opt-in: Nezha TrainTicket dev bundles (../shared/datasets/nezha-trainticket/dev). For the cpu_contention
// incidents, breakdown_metric of per-pod CPU and latency (window vs baseline) should rank the injected
// service high. `truth` is read only here, for scoring; the tools never see it.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';

const ROOT = path.join(path.resolve(process.cwd(), '../shared'), 'datasets/nezha-trainticket/dev');
const dirs = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => d.includes('cpu-contention')) : [];

async function rankOf(dir: string, metric: string, by: 'service' | 'pod'): Promise<number> {
  const sources = await openBundle(path.join(ROOT, dir));
  const truth = sources.incident.truth!.service;
  const r = await runTool(findTool('breakdown_metric')!, { metric, by }, { sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: 1000 });
  expect(r.isError, r.text).toBe(false);
  const groups = (r.structured!.breakdowns as Array<{ groups: Array<{ value: string }> }>)[0]!.groups;
  const i = groups.findIndex((g) => g.value.startsWith(truth));
  return i < 0 ? Infinity : i + 1;
}

describe.skipIf(dirs.length === 0)('Nezha cpu_contention: rank of the injected service in metric breakdowns', () => {
  it('per-pod CPU puts the injected service first or second; latency rank reported', async () => {
    const rows: string[] = [];
    const cpuRanks: number[] = [];
    for (const d of dirs) {
      const cpuSvc = await rankOf(d, 'pod_cpu_usage_rate_percent', 'service');
      const cpuPod = await rankOf(d, 'pod_cpu_usage_rate_percent', 'pod');
      const latSvc = await rankOf(d, 'pod_server_latency_p99_seconds', 'service');
      cpuRanks.push(cpuSvc, cpuPod);
      rows.push(`${d}: cpu by service #${cpuSvc}, cpu by pod #${cpuPod}, p99 latency by service #${latSvc}`);
    }
    console.log(`nezha cpu_contention ranks:\n${rows.join('\n')}`);
    expect(cpuRanks.every((r) => r <= 2)).toBe(true);
  });
});
