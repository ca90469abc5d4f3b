// The demo incident bundle (evals/incidents/demo-checkout): what the trace tools must show on it.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import { tracesStep } from '../../src/agent/steps/traces.js';
import { traceqlErrors } from './lezer.js';

const DEMO = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');

describe.skipIf(!existsSync(path.join(DEMO, 'traces')))('demo incident: traces', () => {
  const open = () => openBundle(DEMO);
  const call = async (name: string, args: Record<string, unknown> = {}) => runTool(findTool(name)!, args, { sources: await open(), signal: new AbortController().signal, progress: () => {}, budgetTokens: 4000 });

  it('find_prevalent_errors ranks the duplicate-key INSERT of checkout first', async () => {
    const r = await call('find_prevalent_errors');
    const g = (r.structured!.groups as Array<Record<string, unknown>>)[0]!;
    expect(g.service).toBe('checkout');
    expect(g.span_name).toMatch(/INSERT INTO orders/);
    expect(String(g.message)).toMatch(/duplicate key value violates unique constraint "orders_pkey"/);
    expect(g.new).toBe(true);
    expect((g.details as Record<string, string>)['db.system']).toBe('postgresql');
    expect(traceqlErrors(String(g.query))).toEqual([]);
  });

  it('find_slow_spans ranks the car_login SELECT first', async () => {
    const r = await call('find_slow_spans');
    const g = (r.structured!.groups as Array<Record<string, unknown>>)[0]!;
    expect(g.service).toBe('ride');
    expect(`${g.span_name} ${g.statement}`).toMatch(/car_login/);
  });

  it('compare_attributes on the slow selection surfaces service.version=1.8.0; on errors, the retry flag', async () => {
    const r = await call('compare_attributes', { selection: 'slow', service: 'ride' });
    const a = (r.structured!.attributes as Array<{ attribute: string; values: Array<{ value: string; diff: number }> }>)[0]!;
    expect(a.attribute).toBe('resource.service.version');
    expect(a.values.find((v) => v.diff > 0)!.value).toBe('1.8.0');
    const e = await call('compare_attributes', { selection: 'errors' });
    const top = (e.structured!.attributes as Array<{ attribute: string; values: Array<{ value: string; diff: number }> }>)[0]!;
    expect(top.attribute).toBe('span.app.client_retry');
    expect(top.values.find((v) => v.diff > 0)!.value).toBe('true');
  });

  it('the traces playbook step reports the error and the latency findings with evidence', async () => {
    const sources = await open();
    const d = sources.defaults;
    const r = await tracesStep({ sources, window: d.incident!, baseline: d.baseline, services: [], signal: new AbortController().signal });
    const err = r.findings.find((f) => f.kind === 'error')!;
    expect(err.service).toBe('checkout');
    expect(err.details!['db.statement']).toMatch(/INSERT INTO orders/);
    expect(err.details!['exception.type']).toBeDefined();
    expect(err.details!.separating_attribute).toMatch(/app\.client_retry=true/);
    expect(err.evidence.traceIds!.length).toBeGreaterThan(0);
    expect(err.evidence.query!.language).toBe('traceql');
    const lat = r.findings.find((f) => f.kind === 'latency')!;
    expect(lat.service).toBe('ride');
    expect(lat.details!['db.statement']).toMatch(/car_login/);
    expect(lat.details!.separating_attribute).toMatch(/service\.version=1\.8\.0/);
  });
});
