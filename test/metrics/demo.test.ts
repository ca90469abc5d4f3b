// Demo incident assertions (evals/incidents/demo-checkout); skipped when the bundle is absent.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import { metricsStep } from '../../src/agent/steps/metrics.js';

const DIR = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');
const FAULT = Date.parse('2025-06-03T10:04:00Z');

describe.skipIf(!existsSync(path.join(DIR, 'metrics')))('metrics on the demo incident', () => {
  const call = async (name: string, args: Record<string, unknown>) => {
    const sources = await openBundle(DIR);
    return runTool(findTool(name)!, args, { sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: 6000 });
  };

  it('find_metrics "duraton" (typo) finds the duration histogram', async () => {
    const r = await call('find_metrics', { query: 'duraton' });
    const hits = r.structured!.hits as Array<{ name: string; type: string }>;
    expect(hits[0]).toMatchObject({ name: 'http_server_request_duration_seconds', type: 'histogram' });
  });

  it('explore_metric on the request-duration histogram shows p99 jumping at the fault', async () => {
    const r = await call('explore_metric', { metric: 'http_server_request_duration_seconds' });
    expect(r.isError).toBe(false);
    const p99 = (r.structured!.panels as Array<{ id: string; series: Array<{ change: number; baseline_avg: number; avg: number; shift?: { at: string; before: number; after: number } }> }>).find((p) => p.id === 'p99')!;
    const s = p99.series[0]!;
    expect(s.avg).toBeGreaterThan(5 * s.baseline_avg);
    expect(s.shift).toBeDefined();
    expect(Math.abs(Date.parse(s.shift!.at) - FAULT)).toBeLessThanOrEqual(5 * 60_000);
    expect(s.shift!.after).toBeGreaterThan(5 * s.shift!.before);
    expect(r.text).toMatch(/histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_server_request_duration_seconds_bucket\[5m\]\)\)\)/);
  });

  it('breakdown_metric puts the failing route first (latency) and the failing status first (requests)', async () => {
    const byRoute = await call('breakdown_metric', { metric: 'http_server_request_duration_seconds', by: 'http_route' });
    const routes = (byRoute.structured!.breakdowns as Array<{ groups: Array<{ value: string }> }>)[0]!.groups;
    expect(routes[0]!.value).toBe('/api/rides/{id}/driver');
    const byStatus = await call('breakdown_metric', { metric: 'http_server_requests_total', by: 'http_response_status_code' });
    const statuses = (byStatus.structured!.breakdowns as Array<{ groups: Array<{ value: string; explain: string }> }>)[0]!.groups;
    expect(statuses[0]!.value).toBe('500');
    expect(statuses[0]!.explain).toMatch(/absent in the baseline/);
  });

  it('the playbook step reports metric anomalies with PromQL for the suspect services', async () => {
    const sources = await openBundle(DIR);
    const r = await metricsStep({ sources, window: sources.defaults.incident!, baseline: sources.defaults.baseline, services: ['checkout', 'ride'], signal: new AbortController().signal });
    expect(r.partial).toEqual([]);
    const ride = r.findings.find((f) => f.service === 'ride' && f.details?.signal === 'latency');
    expect(ride?.evidence.query?.text).toMatch(/histogram_quantile\(0\.99/);
    const checkout = r.findings.find((f) => f.service === 'checkout' && f.details?.signal === 'errors');
    expect(checkout?.kind).toBe('metric-anomaly');
    expect(checkout?.title).toMatch(/500/);
  });
});
