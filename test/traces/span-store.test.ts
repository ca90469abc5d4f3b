// The compact span store and its byte decoder must give exactly the spans of the general OTLP decoder
// (JSON.parse + parseTracesData, then sorted by start), whatever the field shapes, chunk boundaries and
// key orders; files it does not take (other shapes, invalid JSON) go to the general decoder unchanged;
// queries over the store answer as the span-by-span evaluation did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import type { Span, SpanQuery } from '../../src/sources/types.js';
import { parseTracesData, type ParseStats } from '../../src/sources/otlp-traces.js';
import { parseJsonDocuments, readMaybeGzip } from '../../src/sources/bundle/files.js';
import { SpanStoreBuilder, type SpanStore } from '../../src/sources/spanstore/store.js';
import { NotPlain, decodeOtlpJson, decodeOtlpJsonBytes } from '../../src/sources/spanstore/otlp-json.js';
import { BundleTraceSource } from '../../src/sources/bundle/traces.js';
import { spanMatches } from '../../src/analysis/traces/match.js';
import { T0, shop, toOtlp } from './fixtures.js';

const newStats = (): ParseStats => ({ spans: 0, skipped: 0, reasons: new Map() });

/** The general decoder's answer: every document parsed, spans sorted by start (stable). */
function general(text: string): { spans: Span[]; stats: ParseStats } {
  const stats = newStats();
  const spans: Span[] = [];
  for (const doc of parseJsonDocuments('x.json', text)) parseTracesData(doc, spans, stats);
  spans.sort((a, b) => a.startMs - b.startMs);
  return { spans, stats };
}

function all(store: SpanStore): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < store.size; i++) out.push(store.span(i));
  return out;
}

/** The byte decoder's answer, fed in chunks of the given sizes (cycled) with a window of `window` bytes. */
function fast(text: string, chunkSizes: number[] = [], window?: number): { spans: Span[]; stats: ParseStats; store: SpanStore } {
  const buf = Buffer.from(text, 'utf8');
  const b = new SpanStoreBuilder();
  const stats = newStats();
  if (chunkSizes.length === 0) decodeOtlpJsonBytes(buf, b, stats);
  else {
    const steps = decodeOtlpJson(b, stats, window);
    let at = 0;
    let k = 0;
    for (let r = steps.next(); !r.done; ) {
      if (r.value === 'pause') r = steps.next();
      else if (at >= buf.length) r = steps.next(null);
      else {
        const n = chunkSizes[k++ % chunkSizes.length]!;
        r = steps.next(buf.subarray(at, at + n));
        at += n;
      }
    }
  }
  const store = b.build();
  return { spans: all(store), stats, store };
}

function expectSame(text: string, chunkSizes?: number[], window?: number): Span[] {
  const g = general(text);
  const f = fast(text, chunkSizes, window);
  expect(f.spans).toStrictEqual(g.spans);
  expect(f.stats).toStrictEqual(g.stats);
  return f.spans;
}

const kv = (key: unknown, value: unknown) => ({ key, value });
const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** Spans in every shape the OTLP/JSON mapping allows, and some it does not (which both decoders must treat alike). */
function oddDocument(): unknown {
  const span = (over: Record<string, unknown>) => ({ traceId: TRACE, spanId: 'b7ad6b7169203331', name: 'op', kind: 2, startTimeUnixNano: '1748944200000000000', endTimeUnixNano: '1748944200250000000', ...over });
  return {
    resourceSpans: [
      {
        // The resource after its spans, and a non-ASCII service name.
        scopeSpans: [
          {
            scope: { name: 'lib', version: '1.0', attributes: [kv('a', { stringValue: 'b' })] },
            spans: [
              span({
                attributes: [
                  kv('s', { stringValue: 'plain' }),
                  kv('esc', { stringValue: 'quote " backslash \\ tab \t é \u2603 😀' }),
                  kv('int', { intValue: '200' }),
                  kv('intNum', { intValue: 404 }),
                  kv('intNeg', { intValue: '-7' }),
                  kv('intOdd', { intValue: '007' }),
                  kv('intEmpty', { intValue: '' }),
                  kv('big', { intValue: '9007199254740993' }),
                  kv('bool', { boolValue: true }),
                  kv('boolF', { boolValue: false }),
                  kv('dbl', { doubleValue: 1.5e-3 }),
                  kv('dblStr', { doubleValue: '2.5' }),
                  kv('bytes', { bytesValue: 'AAEC' }),
                  kv('arr', { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] } }),
                  kv('kvl', { kvlistValue: { values: [kv('k', { boolValue: false })] } }),
                  kv('nullString', { stringValue: null }),
                  kv('two', { stringValue: 'first', intValue: '2' }),
                  kv('none', {}),
                  kv('nullValue', null),
                  { key: 'missingValue' },
                  kv(7, { stringValue: 'non-string key' }),
                  null,
                  'not an object',
                  kv('s', { stringValue: 'repeated key: last wins' }),
                  kv('__proto__', { stringValue: 'ignored by plain objects' }),
                  kv('é\u00e9', { stringValue: 'escaped key' }),
                ],
                status: { code: 2, message: 'boom "quoted"' },
                events: [{ name: 'exception', timeUnixNano: '1748944200100000000', attributes: [kv('exception.type', { stringValue: 'E' })] }, { name: 'no time' }],
                droppedAttributesCount: 0,
                droppedEventsCount: 1,
                flags: 257,
                traceState: '',
                links: [],
              }),
              span({ spanId: 'B7AD6B7169203332', parentSpanId: 'b7ad6b7169203331', kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_OK', message: '' } }),
              span({ spanId: 'c7ad6b7169203333', parentSpanId: '', kind: 'toString', status: null, startTimeUnixNano: 1748944200000000000, endTimeUnixNano: 1748944100000000000 }),
              span({ spanId: 'd7ad6b7169203334', parentSpanId: '0000000000000000', kind: 3.5, status: {}, endTimeUnixNano: undefined, name: 42 }),
              span({ spanId: 'e7ad6b7169203335', parentSpanId: null, status: { code: 'ERROR', other: [1, { a: 2 }] }, startTimeUnixNano: '17489442000', name: 'short time' }),
              span({ spanId: 'f7ad6b7169203336', startTimeUnixNano: '00001748944200000000001', name: 'long time' }),
              span({ spanId: 'a7ad6b7169203337', startTimeUnixNano: '1748944200x00000000', name: 'bad time' }),
              span({ spanId: 'a7ad6b7169203338', startTimeUnixNano: undefined, name: 'no start' }),
              span({ traceId: 'not hex', spanId: 'a7ad6b7169203339' }),
              span({ traceId: 'CgtwZRkWzUPdhEjrIRyAMZw=', spanId: 'AAAAAAAAAAE=', name: 'base64 ids (Tempo)' }),
              span({ traceId: 'abc', spanId: '1', name: 'short hex ids' }),
              span({ traceId: TRACE.toUpperCase(), spanId: 'a7ad6b716920333a', name: 'upper-case id' }),
              span({ spanId: 'a7ad6b716920333b', name: 'esc\\u0061ped \u0001', kind: 5, attributes: 'not a list', events: 'not a list' }),
            ],
          },
          { scope: { name: 'empty' }, spans: [] },
          { scope: { name: 'no spans' } },
          // Both scope keys, the legacy one first: `scope` wins, and the parse goes past both.
          { instrumentationLibrary: { name: 'legacy' }, scope: { name: 'current', version: '2' }, spans: [span({ spanId: 'a7ad6b716920333c', name: 'two scope keys' })] },
        ],
        resource: { attributes: [kv('service.name', { stringValue: 'café-service' }), kv('host.name', { stringValue: 'h1' })] },
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      },
      { resource: { attributes: [kv('service.name', { intValue: '3' })] }, scopeSpans: [{ spans: [span({ spanId: '0000000000000001', name: 'numeric service name' })] }] },
      { resource: null, instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [span({ spanId: '0000000000000002', name: 'legacy scope key' })] }] },
      { resource: { attributes: [] } },
      {},
    ],
  };
}

describe('byte decoder vs general decoder', () => {
  it('gives the same spans and skip counts for every field shape', () => {
    const text = JSON.stringify(oddDocument());
    const spans = expectSame(text);
    expect(spans.length).toBeGreaterThan(10);
    // The decoder really took this file (it did not hand it to the general decoder).
    expect(() => decodeOtlpJsonBytes(Buffer.from(text), new SpanStoreBuilder(), newStats())).not.toThrow();
    const first = spans.find((s) => s.spanId === 'b7ad6b7169203331')!;
    expect(first.service).toBe('café-service');
    expect(first.attributes).toMatchObject({ s: 'repeated key: last wins', int: 200, intNum: 404, intNeg: -7, intOdd: 7, intEmpty: 0, bool: true, dbl: 0.0015, dblStr: 2.5, two: 'first' });
    expect(Object.keys(first.attributes)[0]).toBe('s');
  });

  it('gives the same spans when pretty-printed, with spaces everywhere, and in JSON Lines', () => {
    const doc = oddDocument();
    expectSame(JSON.stringify(doc, null, 2));
    expectSame(JSON.stringify(doc, null, '\t').replace(/\n/g, '\r\n'));
    const data = shop(40, T0, 1000, T0 + 20_000);
    const lines = [toOtlp(data.slice(0, 100)), toOtlp(data.slice(100), { kindNames: true })].map((d) => JSON.stringify(d)).join('\n') + '\n';
    expect(expectSame(lines).length).toBe(data.length);
    expect(expectSame('\ufeff' + JSON.stringify(toOtlp(data))).length).toBe(data.length);
  });

  it('gives the same spans whatever the chunk boundaries and the window', () => {
    const data = shop(30, T0, 1000, T0 + 20_000);
    const text = JSON.stringify(toOtlp(data));
    for (const sizes of [[1], [7, 3, 64], [4096], [100_000]]) expectSame(text, sizes, 2048);
    expectSame(JSON.stringify(oddDocument()), [5, 11], 8192);
  });

  it('pauses every few thousand spans, so a long load lets other calls run', () => {
    const spans = Array.from({ length: 40_000 }, (_, i) => ({ traceId: TRACE, spanId: i.toString(16).padStart(16, '0'), name: 'op', startTimeUnixNano: String(1748944200000000000 + i * 1000) }));
    const steps = decodeOtlpJson(new SpanStoreBuilder(), newStats());
    const text = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
    let pauses = 0;
    let fed = false;
    for (let r = steps.next(); !r.done; ) {
      if (r.value === 'pause') pauses++;
      r = r.value === 'more' ? steps.next(fed ? null : ((fed = true), text)) : steps.next();
    }
    expect(pauses).toBeGreaterThanOrEqual(2);
  });

  it('matches the general decoder on the recorded bundles (demo, Nezha) when present', async () => {
    const roots = [path.resolve('evals/incidents'), path.resolve('../shared/datasets/nezha-onlineboutique/dev')].filter(existsSync);
    let files = 0;
    for (const root of roots) {
      for (const d of readdirSync(root).slice(0, 2)) {
        const dir = path.join(root, d, 'traces');
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir)) {
          expectSame((await readMaybeGzip(path.join(dir, f))).toString('utf8'));
          files++;
        }
      }
    }
    expect(files).toBeGreaterThan(0);
  });
});

describe('spans from the general decoder', () => {
  it('keep fields that have no column (a decoder that reads more of a format adds fields)', () => {
    const [s] = general(JSON.stringify(toOtlp(shop(1, T0, 1000, T0 + 1000)))).spans;
    const withMore = { ...s!, traceState: 'k=v', links: [{ traceId: TRACE, spanId: 'b7ad6b7169203331' }], later: undefined } as Span;
    const b = new SpanStoreBuilder();
    b.addSpan(s!);
    b.addSpan(withMore);
    const store = b.build();
    const got = [store.span(0), store.span(1)].sort((x, y) => Number('links' in x) - Number('links' in y));
    expect(got).toStrictEqual([s, withMore]);
  });
});

describe('files the byte decoder leaves to the general decoder', () => {
  const span = { traceId: TRACE, spanId: 'b7ad6b7169203331', name: 'op', startTimeUnixNano: '1748944200000000000' };
  const cases: Array<[string, string]> = [
    ["Tempo's {trace: …} wrapper", JSON.stringify({ trace: { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] } })],
    ['an unknown key (snake_case)', JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [span] }] }] })],
    ['an unknown span field', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, trace_id: TRACE }] }] }] })],
    ['span links', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, links: [{ traceId: TRACE, spanId: 'b7ad6b7169203332' }] }] }] }] })],
    ['a trace state', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, traceState: 'k=v' }] }] }] })],
    ['a repeated span key', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"b7ad6b7169203331","name":"a","name":"b","startTimeUnixNano":"1"}]}]}]}`],
    ['both scope lists', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }], instrumentationLibrarySpans: [{ spans: [span] }] }] })],
    ['two documents on one line', JSON.stringify({ resourceSpans: [] }) + JSON.stringify({ resourceSpans: [] })],
    ['an empty object', '{}'],
    ['truncated JSON', '{"resourceSpans": [ {"resource": '],
    ['a bad literal in a skipped field', `{"resourceSpans":[{"scopeSpans":[{"scope":{"name":tru},"spans":[]}]}]}`],
    ['a raw control character in a string', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"b7ad6b7169203331","name":"a\u0001b","startTimeUnixNano":"1"}]}]}]}`],
    ['a span that is null', '{"resourceSpans":[{"scopeSpans":[{"spans":[null]}]}]}'],
  ];
  it.each(cases)('%s: NotPlain, nothing added', (_, text) => {
    const b = new SpanStoreBuilder();
    b.addSpan(general(JSON.stringify(toOtlp(shop(1, T0, 1000, T0 + 1000)))).spans[0]!);
    const before = b.mark();
    const stats = newStats();
    expect(() => decodeOtlpJsonBytes(Buffer.from(text), b, stats)).toThrow(NotPlain);
    expect(b.mark()).toEqual(before);
    expect(stats).toStrictEqual(newStats());
  });
});

describe('bundle trace source over the store', () => {
  let dir: string;
  let files: string[];
  const data = shop(300, T0, 1000, T0 + 300_000);
  let reference: Span[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ql-store-'));
    const half = Math.floor(data.length / 2);
    files = [path.join(dir, 'a.json.gz'), path.join(dir, 'b.json'), path.join(dir, 'c.json'), path.join(dir, 'broken.json.gz'), path.join(dir, 'd.json')];
    await writeFile(files[0]!, gzipSync(JSON.stringify(toOtlp(data.slice(0, half)))));
    await writeFile(files[1]!, JSON.stringify(toOtlp(data.slice(half))));
    // A file for the general decoder (Tempo's wrapper), one with invalid JSON, one with corrupt gzip.
    await writeFile(files[2]!, JSON.stringify({ trace: oddDocument() }));
    await writeFile(files[3]!, gzipSync('{"resourceSpans": []}').subarray(0, 12));
    await writeFile(files[4]!, '{"resourceSpans": [ {"resource": ');
    const texts = [JSON.stringify(toOtlp(data.slice(0, half))), JSON.stringify(toOtlp(data.slice(half))), JSON.stringify(oddDocument())];
    const stats = newStats();
    reference = [];
    for (const t of texts) for (const doc of parseJsonDocuments('x', t)) parseTracesData(doc, reference, stats);
    reference.sort((a, b) => a.startMs - b.startMs);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The previous in-memory evaluation: spans sorted by start, traces in the order of their first match. */
  function oldFindTraces(q: SpanQuery): Span[] {
    const byTrace = new Map<string, Span[]>();
    for (const s of reference) {
      const l = byTrace.get(s.traceId);
      if (l) l.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const hit = new Set<string>();
    for (const s of reference) {
      if (s.startMs >= q.range.end) break;
      if (!hit.has(s.traceId) && spanMatches(s, q)) hit.add(s.traceId);
    }
    const ids = [...hit].slice(0, q.limitTraces ?? Infinity);
    return ids.flatMap((id) => byTrace.get(id)!);
  }

  it('loads every file, reports the broken ones by name, and answers queries as before', async () => {
    const problems: string[] = [];
    const src = new BundleTraceSource(files, problems);
    expect(await src.allSpans()).toStrictEqual(reference);
    // The cut gzip holds one byte: that it stopped early is said, and that the byte is no JSON.
    expect(problems.join('\n')).toMatch(/broken\.json\.gz: the gzip data stops early/);
    expect(problems.join('\n')).toMatch(/broken\.json\.gz: invalid JSON/);
    expect(problems.join('\n')).toMatch(/d\.json: invalid JSON/);
    expect(problems.join('\n')).toMatch(/c\.json: 4 span\(s\) skipped/);
    const whole = { start: T0 - 1e9, end: T0 + 1e9 };
    const queries: SpanQuery[] = [
      { range: whole },
      { range: { start: T0 + 100_000, end: T0 + 200_000 } },
      { range: whole, service: 'checkout' },
      { range: whole, service: 'nobody' },
      { range: whole, spanName: 'INSERT INTO orders' },
      { range: whole, status: 'error' },
      { range: whole, errorsOnly: true },
      { range: whole, minDurationMs: 50, maxDurationMs: 400 },
      { range: whole, attributes: { 'service.version': '1.8.0' } },
      { range: whole, attributes: { 'span.db.system': 'postgresql' }, service: 'checkout' },
      { range: whole, limitTraces: 5 },
    ];
    for (const q of queries) {
      const got = await src.findTraces(q);
      expect(got.spans).toStrictEqual(oldFindTraces(q));
      expect(got.partial).toBe(q.limitTraces !== undefined);
    }
    const id = reference[10]!.traceId;
    expect(await src.getTrace(id.toUpperCase())).toStrictEqual(reference.filter((s) => s.traceId === id));
    expect(await src.getTrace('ffffffffffffffffffffffffffffffff')).toBeUndefined();
    // A span is made once: later queries return the same objects.
    const again = await src.getTrace(id);
    expect(again![0]).toBe((await src.findTraces({ range: whole })).spans.find((s) => s.traceId === id));
    const services = await src.services({ start: T0, end: T0 + 1 });
    expect(services).toStrictEqual([...new Set(reference.filter((s) => s.startMs < T0 + 1 && s.endMs >= T0).map((s) => s.service))].sort());
  });

  it('keeps far less than span objects: the columns count under 300 bytes a span', async () => {
    const store = await new BundleTraceSource(files.slice(0, 2), []).store();
    expect(store.size).toBe(data.length);
    expect(store.traces).toBe(new Set(data.map((s) => s.traceId)).size);
    expect(store.bytes() / store.size).toBeLessThan(300);
  });
});
