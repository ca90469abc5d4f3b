// Pyroscope Connect API and /render under nock, with response bodies shaped exactly like Pyroscope's
// (the real fixtures in test/fixtures/pyroscope, copied from ../shared/reference/fixtures).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { PyroscopeProfileSource } from '../../src/sources/remote/pyroscope.js';
import { HttpClient } from '../../src/http.js';
import { runTool } from '../../tools/run.js';
import { hotFunctions } from '../../tools/hot_functions.js';
import type { ToolDef } from '../../tools/types.js';
import type { Sources } from '../../src/sources/types.js';

const FIX = path.resolve(__dirname, '../fixtures/pyroscope');
const flamegraph = JSON.parse(readFileSync(path.join(FIX, 'select-merge-stacktraces.json'), 'utf8'));
const flamebearer = JSON.parse(readFileSync(path.join(FIX, 'render-flamebearer.json'), 'utf8'));

const BASE = 'http://pyroscope.test';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const range = { start: 1_748_944_200_000, end: 1_748_945_160_000 };
const svc = '/querier.v1.QuerierService';

function source(tenant = 'team-a') {
  return new PyroscopeProfileSource(new HttpClient({ name: 'pyroscope', url: BASE, headers: { 'X-Scope-OrgID': tenant }, timeoutMs: 2000, maxResponseBytes: 1e7, viaGrafana: false }));
}

// A protojson pprof as SelectMergeProfile returns it: string-table indices and int64 as strings, zero values omitted.
const mergedPprof = {
  sampleType: [{ type: '1', unit: '2' }],
  sample: [
    { locationId: ['1', '2', '3'], value: ['900000000'] },
    { locationId: ['4', '5', '1', '2', '3'], value: ['400000000'] },
    { locationId: ['6', '3'], value: ['100000000'] },
  ],
  mapping: [{ id: '1', hasFunctions: true }],
  location: [
    { id: '1', mappingId: '1', line: [{ functionId: '1', line: '41' }] },
    { id: '2', mappingId: '1', line: [{ functionId: '2', line: '36' }] },
    { id: '3', mappingId: '1', line: [{ functionId: '3', line: '1695' }] },
    { id: '4', mappingId: '1', line: [{ functionId: '4', line: '557' }] },
    { id: '5', mappingId: '1', line: [{ functionId: '5', line: '83' }] },
    { id: '6', mappingId: '1', line: [{ functionId: '6', line: '100' }] },
  ],
  function: [
    { id: '1', name: '3', systemName: '3', filename: '4', startLine: '32' },
    { id: '2', name: '5', systemName: '5', filename: '6', startLine: '28' },
    { id: '3', name: '7', systemName: '7', filename: '8' },
    { id: '4', name: '9', systemName: '9', filename: '10' },
    { id: '5', name: '11', systemName: '11', filename: '12' },
    { id: '6', name: '13', systemName: '13', filename: '14' },
  ],
  stringTable: [
    '',
    'cpu',
    'nanoseconds',
    'github.com/acme/ride/internal/driver.(*LoginCache).Lookup',
    'github.com/acme/ride/internal/driver/login_cache.go',
    'github.com/acme/ride/internal/api.(*DriverHandler).ServeHTTP',
    'github.com/acme/ride/internal/api/driver_handler.go',
    'runtime.goexit',
    'runtime/asm_amd64.s',
    'runtime.futex',
    'runtime/sys_linux_amd64.s',
    'sync.(*Mutex).Lock',
    'sync/mutex.go',
    'encoding/json.(*encodeState).marshal',
    'encoding/json/encode.go',
  ],
  timeNanos: '1748944200000000000',
  durationNanos: '960000000000',
  periodType: { type: '1', unit: '2' },
  period: '1000000000',
};

afterEach(() => {
  nock.cleanAll();
});

describe('Pyroscope profile source', () => {
  it('lists profile types per service through Series, with ms timestamps and the tenant header', async () => {
    nock(BASE)
      .matchHeader('x-scope-orgid', 'team-a')
      .post(`${svc}/Series`, (b) => b.start === range.start && b.end === range.end && b.matchers[0] === '{service_name="ride"}' && b.labelNames.includes('__profile_type__'))
      .reply(200, {
        labelsSet: [
          { labels: [{ name: '__profile_type__', value: CPU }, { name: 'service_name', value: 'ride' }] },
          { labels: [{ name: '__profile_type__', value: 'memory:alloc_space:bytes:space:bytes' }, { name: 'service_name', value: 'ride' }] },
        ],
      });
    const types = await source().profileTypes('ride', range);
    expect(types).toEqual([
      { id: 'memory:alloc_space:bytes:space:bytes', sampleType: 'alloc_space', sampleUnit: 'bytes', services: ['ride'] },
      { id: CPU, sampleType: 'cpu', sampleUnit: 'nanoseconds', services: ['ride'] },
    ]);
  });

  it('falls back to ProfileTypes on servers without Series', async () => {
    nock(BASE).post(`${svc}/Series`).reply(404, '404 page not found');
    nock(BASE)
      .post(`${svc}/ProfileTypes`, (b) => b.start === range.start)
      .reply(200, { profileTypes: [{ ID: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' }] });
    expect((await source().profileTypes('ride', range)).map((t) => t.id)).toEqual([CPU]);
  });

  it('lists services with LabelValues (key "names")', async () => {
    nock(BASE)
      .post(`${svc}/LabelValues`, (b) => b.name === 'service_name')
      .reply(200, { names: ['ride', 'checkout'] });
    expect(await source().services(range)).toEqual(['checkout', 'ride']);
  });

  it('merges a profile from SelectMergeProfile protojson with files and lines', async () => {
    nock(BASE)
      .post(`${svc}/SelectMergeProfile`, (b) => b.profileTypeID === CPU && b.labelSelector === '{service_name="ride"}' && b.start === range.start && b.end === range.end)
      .reply(200, mergedPprof);
    const p = await source().mergedProfile('ride', CPU, range);
    expect(p!.stacks.reduce((s, x) => s + x.value, 0)).toBe(1_400_000_000);
    expect(p!.durationMs).toBe(range.end - range.start);
    const hot = p!.stacks.find((s) => s.value === 900_000_000)!;
    expect(hot.frames.at(-1)).toMatchObject({ function: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup', file: 'github.com/acme/ride/internal/driver/login_cache.go', line: 41 });
    expect(hot.frames[0]!.function).toBe('runtime.goexit');
  });

  it('falls back to SelectMergeStacktraces (real flame graph fixture) when SelectMergeProfile is unimplemented', async () => {
    nock(BASE).post(`${svc}/SelectMergeProfile`).reply(404, { code: 'unimplemented', message: 'not implemented' });
    nock(BASE)
      .post(`${svc}/SelectMergeStacktraces`, (b) => b.maxNodes > 0)
      .reply(200, flamegraph);
    const p = await source().mergedProfile('ride', CPU, range);
    // Σ self over all nodes is the flame graph's total.
    expect(p!.stacks.reduce((s, x) => s + x.value, 0)).toBe(Number(flamegraph.flamegraph.total));
    expect(Math.max(...p!.stacks.map((s) => s.value))).toBe(Number(flamegraph.flamegraph.maxSelf));
    expect(p!.stacks.every((s) => s.frames[0]!.function !== 'total')).toBe(true);
  });

  it('falls back to /pyroscope/render (real flamebearer fixture) and converts samples to nanoseconds', async () => {
    nock(BASE).post(`${svc}/SelectMergeProfile`).reply(404, '404 page not found');
    nock(BASE).post(`${svc}/SelectMergeStacktraces`).reply(404, '404 page not found');
    nock(BASE)
      .get('/pyroscope/render')
      .query((q) => q.query === `${CPU}{service_name="ride"}` && q.from === String(range.start) && q.until === String(range.end) && q.format === 'json')
      .reply(200, flamebearer);
    const p = await source().mergedProfile('ride', CPU, range);
    const k = 1e9 / flamebearer.metadata.sampleRate;
    expect(p!.stacks.reduce((s, x) => s + x.value, 0)).toBeCloseTo(flamebearer.flamebearer.numTicks * k);
    expect(p!.stacks.some((s) => s.frames.map((f) => f.function).includes('rideshare/utility.mutexLock'))).toBe(true);
  });

  it('surfaces Connect errors naming the backend and status', async () => {
    nock(BASE).post(`${svc}/SelectMergeProfile`).reply(400, { code: 'invalid_argument', message: 'invalid profile type' });
    await expect(source().mergedProfile('ride', CPU, range)).rejects.toThrow(/pyroscope answered HTTP 400: invalid profile type/);
  });

  it('reads service_repository / service_git_ref labels', async () => {
    nock(BASE)
      .post(`${svc}/LabelValues`, (b) => b.name === 'service_repository' && b.matchers[0] === '{service_name="ride"}')
      .reply(200, { names: ['https://github.com/acme/ride'] });
    nock(BASE).post(`${svc}/LabelValues`, (b) => b.name === 'service_git_ref').reply(200, { names: ['v1.8.0'] });
    nock(BASE).post(`${svc}/LabelValues`, (b) => b.name === 'service_root_path').reply(200, {});
    expect(await source().repository('ride', range)).toEqual({ repository: 'https://github.com/acme/ride', ref: 'v1.8.0', rootPath: undefined });
  });
});

describe('hot_functions over Pyroscope (configured from the environment)', () => {
  it('answers from a live backend built by createSources, with the tenant header', async () => {
    const sources: Sources = await createSources(loadConfig({ PYROSCOPE_URL: BASE, PYROSCOPE_TENANT: 'team-b' } as NodeJS.ProcessEnv));
    expect(sources.profiles?.kind).toBe('pyroscope');
    sources.defaults = { window: range, baseline: { start: range.start - 960_000, end: range.start } };
    const scope = nock(BASE).matchHeader('x-scope-orgid', 'team-b');
    scope.post(`${svc}/Series`).reply(200, { labelsSet: [{ labels: [{ name: '__profile_type__', value: CPU }, { name: 'service_name', value: 'ride' }] }] });
    scope.post(`${svc}/SelectMergeProfile`, (b) => b.start === range.start).reply(200, mergedPprof);
    scope.post(`${svc}/SelectMergeProfile`, (b) => b.start === range.start - 960_000).reply(200, {});
    const r = await runTool(hotFunctions as unknown as ToolDef, { service: 'ride' }, { sources, signal: new AbortController().signal, progress: () => {} });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    expect(d.user_functions[0].name).toBe('github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    expect(d.user_functions[0].attributed).toBe(1_300_000_000);
    expect(d.query).toBe(`${CPU}{service_name="ride"}`);
    expect(scope.isDone()).toBe(true);
  });
});
