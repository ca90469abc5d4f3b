// Traces, logs and metrics decoded in a worker thread (investigate's `offThread`) must give exactly the stores
// decoded in the calling thread: same spans, same log records, same series and samples, same problems. The worker path
// needs the compiled worker, so it is run from dist/ (npm test builds it first); the packing that
// carries a store between threads is also checked from the sources.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpanStore } from '../../src/sources/spanstore/store.js';
import type { MetricStore } from '../../src/sources/bundle/openmetrics.js';
import { loadSpanStore } from '../../src/sources/bundle/traces.js';
import { packSpanStore, unpackSpanStore } from '../../src/sources/spanstore/transfer.js';
import { loadMetricStore } from '../../src/sources/bundle/metrics-load.js';
import { packMetricStore, unpackMetricStore } from '../../src/sources/bundle/metrics-transfer.js';
import { T0, shop, toOtlp } from '../traces/fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = path.join(ROOT, 'evals/incidents/demo-checkout');
const DIST_LOAD = path.join(ROOT, 'dist/src/sources/bundle/load.js');
const built = existsSync(DIST_LOAD) && existsSync(path.join(ROOT, 'dist/src/sources/bundle/decode-worker.js'));

function spansOf(st: SpanStore): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < st.size; i++) out.push(st.span(i));
  return out;
}

function seriesOf(st: MetricStore): unknown {
  return {
    series: st.series.map((s) => ({ key: s.key, name: s.name, labels: s.labels, t: [...s.t], v: [...s.v], resets: [...s.resets] })),
    byName: [...st.byName].map(([n, l]) => [n, l.map((s) => s.key)]),
    families: [...st.families],
    counts: [st.sampleCount, st.minT, st.maxT, st.bytes],
  };
}

describe('stores carried between threads', () => {
  it('a span store packed and unpacked answers as the original', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ql-pack-'));
    try {
      const file = path.join(dir, 'traces.json');
      await writeFile(file, JSON.stringify(toOtlp(shop(200, T0, 1000, T0 + 100_000))));
      const st = await loadSpanStore([file], []);
      expect(st.size).toBeGreaterThan(10);
      const { packed, transfer } = packSpanStore(st);
      expect(transfer.length).toBeGreaterThan(5);
      const back = unpackSpanStore(structuredClone(packed));
      expect(spansOf(back)).toEqual(spansOf(st));
      const id = st.span(0).traceId;
      expect(back.traceNumber(id)).toBe(st.traceNumber(id));
      expect(back.traceSpans(back.traceNumber(id))).toEqual(st.traceSpans(st.traceNumber(id)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a metric store packed and unpacked holds the same series', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ql-pack-'));
    try {
      const file = path.join(dir, 'm.om');
      await writeFile(file, '# TYPE req counter\nreq_total{svc="a"} 1 100\nreq_total{svc="a"} 3 115\nreq_total{svc="a"} 1 130\nreq_total{svc="b"} 2 100\n# TYPE up gauge\nup 1 100\n');
      const st = await loadMetricStore([file], []);
      const { packed } = packMetricStore(st);
      expect(seriesOf(unpackMetricStore(structuredClone(packed)))).toEqual(seriesOf(st));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!built)('bundle decoded in a worker thread (built code)', () => {
  it('the demo bundle: same spans, log records, series and problems as in the calling thread', async () => {
    const { openBundle } = (await import(DIST_LOAD)) as typeof import('../../src/sources/bundle/load.js');
    const here = await openBundle(DEMO);
    const off = await openBundle(DEMO, { offThread: true });
    const [a, b] = await Promise.all([here.traces!.store(), off.traces!.store()]);
    expect(b.size).toBe(a.size);
    expect(spansOf(b)).toEqual(spansOf(a));
    const [ma, mb] = await Promise.all([here.metrics!.store(), off.metrics!.store()]);
    expect(ma.series.length).toBeGreaterThan(100);
    expect(seriesOf(mb)).toEqual(seriesOf(ma));
    const [la, lb] = await Promise.all([here.logs!.allRecords(), off.logs!.allRecords()]);
    expect(la.length).toBeGreaterThan(1000);
    expect(lb).toEqual(la);
    expect(off.problems).toEqual(here.problems);
    // And the worker did answer (no silent fallback to this thread).
    const { startDecodeWorker } = (await import(path.join(ROOT, 'dist/src/sources/bundle/decode-thread.js'))) as typeof import('../../src/sources/bundle/decode-thread.js');
    const files = (signal: string) => here.catalog.filter((e) => e.signal === signal && !e.problem).map((e) => e.file);
    const w = startDecodeWorker({ traces: { files: files('traces') }, logs: { files: files('logs') }, metrics: { files: files('metrics') } });
    expect((await w.traces)?.store.size).toBe(a.size);
    expect((await w.logs)?.store.length).toBe(la.length);
    expect((await w.metrics)?.store.series.length).toBe(ma.series.length);
  });

  it('problems found in a worker are reported, and what decoded stays usable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ql-off-'));
    try {
      await mkdir(path.join(dir, 'traces'));
      await mkdir(path.join(dir, 'metrics'));
      await mkdir(path.join(dir, 'logs'));
      const logs = (n: number) => ({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => ({ timeUnixNano: String((T0 + i * 1000) * 1e6), severityText: 'INFO', body: { stringValue: `order ${i} placed` }, attributes: [{ key: 'k', value: { intValue: i } }] })) }] }],
      });
      await writeFile(path.join(dir, 'logs/a.json.gz'), gzipSync(JSON.stringify(logs(50))));
      await writeFile(path.join(dir, 'logs/b.json.gz'), gzipSync(JSON.stringify(logs(500))).subarray(0, 60));
      await writeFile(path.join(dir, 'incident.yaml'), 'window: {start: 2025-06-03T09:00:00Z, end: 2025-06-03T11:00:00Z}\n');
      await writeFile(path.join(dir, 'traces/a.json.gz'), gzipSync(JSON.stringify(toOtlp(shop(200, T0, 1000, T0 + 100_000)))));
      // A valid start, then truncated gzip: catalogued as traces, unreadable when decoded.
      await writeFile(path.join(dir, 'traces/b.json.gz'), gzipSync(JSON.stringify(toOtlp(shop(200, T0, 1000, T0 + 100_000)))).subarray(0, 60));
      await writeFile(path.join(dir, 'metrics/m.om'), '# TYPE up gauge\nup 1 1748941200\nup{ 2 1748941215\nup 1 1748941230\n');
      const { openBundle } = (await import(DIST_LOAD)) as typeof import('../../src/sources/bundle/load.js');
      const here = await openBundle(dir);
      const off = await openBundle(dir, { offThread: true });
      const [a, b] = await Promise.all([here.traces!.store(), off.traces!.store()]);
      expect(a.size).toBeGreaterThan(100);
      expect(spansOf(b)).toEqual(spansOf(a));
      const [ma, mb] = await Promise.all([here.metrics!.store(), off.metrics!.store()]);
      expect(seriesOf(mb)).toEqual(seriesOf(ma));
      expect(mb.sampleCount).toBe(2);
      const [la, lb] = await Promise.all([here.logs!.allRecords(), off.logs!.allRecords()]);
      expect(la.length).toBe(50);
      expect(lb).toEqual(la);
      expect(off.problems.length).toBeGreaterThan(0);
      expect([...off.problems].sort()).toEqual([...here.problems].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a worker the launcher started early on the bundle is taken over: same stores, and it is used once', async () => {
    const early = (await import(path.join(ROOT, 'dist/src/sources/bundle/early-decode.js'))) as typeof import('../../src/sources/bundle/early-decode.js');
    const { openBundle } = (await import(DIST_LOAD)) as typeof import('../../src/sources/bundle/load.js');
    const here = await openBundle(DEMO);
    early.startEarlyDecode(DEMO);
    const off = await openBundle(DEMO, { offThread: true });
    // openBundle took it: nothing is left to take.
    expect(early.takeEarlyDecode(DEMO)).toBeUndefined();
    expect(spansOf(await off.traces!.store())).toEqual(spansOf(await here.traces!.store()));
    expect(await off.logs!.allRecords()).toEqual(await here.logs!.allRecords());
    expect(seriesOf(await off.metrics!.store())).toEqual(seriesOf(await here.metrics!.store()));
    expect(off.problems).toEqual(here.problems);
  });

  it("an early worker's answer for other files than the ones opened is not used", async () => {
    const early = (await import(path.join(ROOT, 'dist/src/sources/bundle/early-decode.js'))) as typeof import('../../src/sources/bundle/early-decode.js');
    const { startDecodeWorker } = (await import(path.join(ROOT, 'dist/src/sources/bundle/decode-thread.js'))) as typeof import('../../src/sources/bundle/decode-thread.js');
    early.startEarlyDecode(DEMO);
    // The same folder, but (say) a file was added since the launcher looked: the caller's list differs.
    const w = startDecodeWorker({ traces: { files: [path.join(DEMO, 'traces/traces.json.gz'), path.join(DEMO, 'traces/later.json')] } }, DEMO);
    expect(await w.traces).toBeUndefined();
    // A run started on another folder is stopped when a different one is opened.
    early.startEarlyDecode(path.join(ROOT, 'evals'));
    const v = startDecodeWorker({ traces: { files: [path.join(DEMO, 'traces/traces.json.gz')] } }, DEMO);
    expect((await v.traces)?.store.size).toBeGreaterThan(1000);
    expect(early.takeEarlyDecode(path.join(ROOT, 'evals'))).toBeUndefined();
  });
});

describe('the bundle investigate will open, read by the launcher', () => {
  it("follows the command's own reading of its arguments", async () => {
    const { investigatedBundle } = await import('../../src/sources/bundle/early-decode.js');
    expect(investigatedBundle(['investigate', '--bundle', 'b1', 'why?'], {})).toBe('b1');
    expect(investigatedBundle(['investigate', 'why?', '--bundle=b2'], {})).toBe('b2');
    expect(investigatedBundle(['investigate', 'why?'], { QUERYLESS_BUNDLE: 'b3' })).toBe('b3');
    // The flag wins over the environment, as in the configuration.
    expect(investigatedBundle(['investigate', '--bundle', 'b1'], { QUERYLESS_BUNDLE: 'b3' })).toBe('b1');
    // A value-taking flag eats the next word, as parseArgv does: `--lang --bundle` names no bundle.
    expect(investigatedBundle(['investigate', '--lang', '--bundle', 'x', 'q'], {})).toBeUndefined();
    expect(investigatedBundle(['investigate', '--help', '--bundle', 'b1'], {})).toBeUndefined();
    expect(investigatedBundle(['call', 'list_services', '--bundle', 'b1'], {})).toBeUndefined();
    expect(investigatedBundle(['investigate', 'q', '--bundle'], {})).toBeUndefined();
  });
});
