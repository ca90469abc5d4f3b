// Trace tools over a bundle written to a temporary directory (OTLP/JSON, gzip, JSON Lines, a corrupt file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { Sources } from '../../src/sources/types.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import { T0, shop, toOtlp } from './fixtures.js';
import { traceqlErrors } from './lezer.js';

let dir: string;
let sources: Sources;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ql-traces-'));
  await mkdir(path.join(dir, 'traces'));
  const data = shop(600, T0, 1000, T0 + 300_000);
  const half = Math.floor(data.length / 2);
  // Traces split over two files: one gzipped document, one JSON Lines file.
  await writeFile(path.join(dir, 'traces', 'a.json.gz'), gzipSync(JSON.stringify(toOtlp(data.slice(0, half)))));
  await writeFile(path.join(dir, 'traces', 'b.jsonl'), JSON.stringify(toOtlp(data.slice(half), { kindNames: true })) + '\n');
  await writeFile(path.join(dir, 'traces', 'broken.json'), '{"resourceSpans": [ {"resource": ');
  await writeFile(
    path.join(dir, 'incident.yaml'),
    `id: fixture\ntitle: fixture\nwindow:\n  start: "${iso(T0)}"\n  end: "${iso(T0 + 600_000)}"\nbaseline:\n  start: "${iso(T0)}"\n  end: "${iso(T0 + 300_000)}"\nincident:\n  start: "${iso(T0 + 300_000)}"\n  end: "${iso(T0 + 600_000)}"\n`,
  );
  sources = await openBundle(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const call = (name: string, args: Record<string, unknown> = {}, budget = 3000) => runTool(findTool(name)!, args, { sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: budget });

describe('trace tools on a bundle', () => {
  it('names the malformed OTLP file in problems and keeps the rest usable', async () => {
    const res = await call('service_red');
    expect(res.isError).toBe(false);
    expect((res.structured!.problems as string[]).join(' ')).toMatch(/broken\.json: invalid JSON/);
    expect(res.text).toMatch(/data problems: .*broken\.json/);
    const rows = res.structured!.rows as Array<{ key: string; window?: { requests: number; error_rate: number } }>;
    expect(rows.map((r) => r.key).sort()).toEqual(['checkout', 'frontend', 'ride']);
    expect(rows.find((r) => r.key === 'checkout')!.window!.error_rate).toBeCloseTo(50 / 150, 3);
    expect(res.structured!.covered_seconds as number).toBeGreaterThan(290);
  });

  it('find_prevalent_errors / find_slow_spans / compare_attributes answer with valid TraceQL', async () => {
    const e = await call('find_prevalent_errors');
    const g = (e.structured!.groups as Array<Record<string, unknown>>)[0]!;
    expect(g.span_name).toBe('INSERT INTO orders');
    expect(g.new).toBe(true);
    const s = await call('find_slow_spans');
    expect((s.structured!.groups as Array<Record<string, unknown>>)[0]!.span_name).toBe('SELECT car_login');
    const b = await call('find_slow_spans', { mode: 'baseline' });
    expect((b.structured!.services as Array<{ service: string }>)[0]!.service).toBe('ride');
    const c = await call('compare_attributes', { selection: 'slow', service: 'ride' });
    const top = (c.structured!.attributes as Array<{ attribute: string; values: Array<{ value: string }> }>)[0]!;
    expect(top.attribute).toBe('resource.service.version');
    expect(top.values[0]!.value).toBe('1.8.0');
    const f = await call('compare_attributes', { selection: 'filter', filter: { 'span.app.client_retry': true }, service: 'checkout' });
    expect(f.isError).toBe(false);
    for (const r of [e, s, b, c, f]) {
      expect(traceqlErrors(String(r.structured!.query))).toEqual([]);
      expect(r.structured!.link).toBeUndefined(); // no Grafana configured
    }
    for (const x of [...(e.structured!.groups as Array<{ query: string }>), ...(s.structured!.groups as Array<{ query: string }>)]) expect(traceqlErrors(x.query)).toEqual([]);
  });

  it('get_trace renders the tree with the critical path and errors; unknown ids are clear errors', async () => {
    const e = await call('find_prevalent_errors');
    const id = ((e.structured!.groups as Array<{ example_trace_ids: string[] }>)[0]!.example_trace_ids)[0]!;
    const t = await call('get_trace', { trace_id: id.replace(/^0+/, '') });
    expect(t.isError).toBe(false);
    expect(t.text).toMatch(/\*✖\s+checkout: INSERT INTO orders/);
    expect(t.text).toMatch(/error: pq: duplicate key/);
    const missing = await call('get_trace', { trace_id: 'ab'.repeat(16) });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/not found in bundle fixture/);
  });

  it('native_query (traceql) runs on the bundle engine; an unsupported construct is named; a bad window is a clear error', async () => {
    const q = await call('native_query', { language: 'traceql', query: '{ status = error }' });
    expect(q.isError, q.text).toBe(false);
    expect(q.structured).toMatchObject({ language: 'traceql', engine: 'bundle', kind: 'search' });
    expect(q.text).toMatch(/\[bundle engine\] TraceQL search/);
    const m = await call('native_query', { language: 'traceql', query: '{ } | count_over_time() by (resource.service.name)' });
    expect(m.structured).toMatchObject({ engine: 'bundle', kind: 'metrics' });
    const u = await call('native_query', { language: 'traceql', query: '{ } | by(.a)' });
    expect(u.isError).toBe(true);
    expect(u.text).toMatch(/by\(\) on spansets is not supported by the bundle TraceQL engine/);
    const w = await call('find_slow_spans', { from: '10:10', to: '10:05' });
    expect(w.isError).toBe(true);
    expect(w.text).toMatch(/window is empty/);
  });

  it('fits the budget by cutting whole sections', async () => {
    const r = await call('find_slow_spans', { limit: 20 }, 300);
    expect(r.text.length).toBeLessThan(300 * 4 + 400);
    expect(r.structured!.truncated).toBeDefined();
  });
});
