// Log exports of other stacks, shaped as the tools write them: Elasticsearch/OpenSearch search answers
// (`curl …/_search?pretty`, Kibana's Inspect) and `elasticdump` hits, CloudWatch Logs (`aws logs
// filter-log-events`, `get-log-events`, Logs Insights `get-query-results`), Google Cloud Logging
// (`gcloud logging read --format=json`). Each opens as a folder, gives the records, services, levels and
// trace ids the other readers give, counts its damaged entries, and feeds log_patterns.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';
import { detectLevel } from '../../src/analysis/logs/level.js';
import { serviceFromLogGroup, serviceFromLogStream } from '../../src/sources/bundle/formats/cloudwatch-names.js';
import type { LogRecord } from '../../src/sources/types.js';
import { runTool } from '../../tools/run.js';
import { logPatterns } from '../../tools/log_patterns.js';
import type { ToolDef } from '../../tools/types.js';

const FIX = path.resolve('test/fixtures/formats');

async function open(folder: string) {
  const b = await openBundle(path.isAbsolute(folder) ? folder : path.join(FIX, folder));
  const records = (await b.logs!.queryLogs({ range: b.defaults.window, direction: 'forward' })).records;
  return { b, records, problems: b.problems };
}

const of = (records: LogRecord[], file: string) => records.filter((r) => fileOf(r) === file);
// Which fixture file a record came from, by the marks each file's records carry.
function fileOf(r: LogRecord): string {
  if (typeof r.attributes._index === 'string') return String(r.attributes._index).startsWith('filebeat') ? 'elasticdump' : 'search';
  return '';
}

const levels = (rs: LogRecord[]) => rs.reduce<Record<string, number>>((m, r) => ((m[detectLevel(r)] = (m[detectLevel(r)] ?? 0) + 1), m), {});

async function patterns(dir: string, service: string) {
  const b = await openBundle(dir);
  const r = await runTool(logPatterns as unknown as ToolDef, { service }, { sources: b, signal: new AbortController().signal, progress: () => {} });
  expect(r.isError).toBe(false);
  return r.structured as { patterns: Array<{ pattern: string; level: string; count: number; trace_ids: string[] }> };
}

function tempFile(name: string, text: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-exports-'));
  writeFileSync(path.join(dir, name), text);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('Elasticsearch / OpenSearch', () => {
  it('a pretty-printed _search answer longer than the head and elasticdump hits are recognised by content', async () => {
    const { b } = await open('elastic');
    expect(b.catalog.map((e) => [e.rel, e.format, e.signal])).toEqual([
      ['elasticdump.json', 'elastic-json', 'logs'],
      ['search-response.json', 'elastic-json', 'logs'],
    ]);
  });

  it('ECS documents, nested and dotted: time, level, service, trace and span ids, fields as attributes', async () => {
    const { records, problems } = await open('elastic');
    const search = of(records, 'search');
    const dump = of(records, 'elasticdump');
    expect(search).toHaveLength(34);
    expect(dump).toHaveLength(28);
    expect(new Set(records.map((r) => r.service))).toEqual(new Set(['checkout', 'payment']));
    const err = search.find((r) => r.body.startsWith('charge failed for order 4112'))!;
    expect(err).toMatchObject({
      service: 'payment',
      severityText: 'error',
      body: 'charge failed for order 4112: connection refused: payment-db:5432',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(err.timeMs).toBe(Date.UTC(2025, 5, 4, 10, 4, 0, 1644 + 41));
    expect(err.attributes).toMatchObject({ 'error.type': 'java.net.ConnectException', 'kubernetes.pod.name': 'payment-5b67c48447-mv5hb', _index: '.ds-logs-payment-default-2025.06.04-000001' });
    expect(err.attributes.message).toBeUndefined();
    // ecs-logging's dotted keys: `log.level` in capitals, `trace.id`.
    const dumped = dump.find((r) => r.body.startsWith('charge failed for order 4110'))!;
    expect(dumped).toMatchObject({ service: 'payment', severityText: 'ERROR', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(levels(search)).toEqual({ info: 22, error: 6, warn: 6 });
    expect(problems).toEqual([expect.stringMatching(/elasticdump\.json: 1 hit\(s\) skipped \(1× no readable time .*first: document 6, hit 1\)$/)]);
  });

  it("Kibana's Inspect response (`rawResponse`), a partial answer, and an answer holding fewer hits than matches say so", async () => {
    const hit = { _index: 'logs-app', _id: '1', _source: { '@timestamp': '2025-06-04T10:00:00Z', message: 'boom', log: { level: 'error' }, service: { name: 'cart' } } };
    const kibana = { id: 'FkZ…', rawResponse: { took: 3, timed_out: false, _shards: { total: 2, successful: 1, skipped: 0, failed: 1 }, hits: { total: 1, max_score: null, hits: [hit] } }, isPartial: false, isRunning: false };
    const sized = { took: 3, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 10000, relation: 'gte' }, hits: [hit] } };
    for (const [doc, problem] of [
      [kibana, /inspect\.json: the search answer is partial \(1 shard\(s\) failed\)/],
      [sized, /inspect\.json: the answer holds 1 of at least 10000 matching documents/],
    ] as const) {
      const t = tempFile('inspect.json', JSON.stringify(doc, null, 2));
      try {
        const { b, records, problems } = await open(t.dir);
        expect(b.catalog[0]!.format).toBe('elastic-json');
        expect(records.map((r) => [r.service, r.severityText, r.body])).toEqual([['cart', 'error', 'boom']]);
        expect(problems).toEqual([expect.stringMatching(problem)]);
      } finally {
        t.done();
      }
    }
  });

  it('log_patterns over a search answer finds the failing charge with its trace ids', async () => {
    const s = await patterns(path.join(FIX, 'elastic'), 'payment');
    const p = s.patterns.find((x) => x.pattern.includes('connection refused: payment-db:5432'))!;
    expect(p).toMatchObject({ level: 'error', count: 10 });
    expect(p.trace_ids.length).toBeGreaterThan(0);
  });
});

describe('CloudWatch Logs', () => {
  it('filter-log-events, get-log-events and Logs Insights results are recognised by content (AWS CLI indentation, past the head)', async () => {
    const { b } = await open('cloudwatch');
    expect(b.catalog.map((e) => [e.rel, e.format])).toEqual([
      ['filter-log-events.json', 'cloudwatch-json'],
      ['insights-results.json', 'cloudwatch-json'],
      ['refund.json', 'cloudwatch-json'],
    ]);
  });

  it('events: the ECS stream names the container, a JSON message gives level and trace ids, a damaged event is counted', async () => {
    const { records, problems } = await open('cloudwatch');
    const events = records.filter((r) => r.attributes.logStreamName !== undefined);
    expect(events).toHaveLength(33);
    expect(new Set(events.map((r) => r.service))).toEqual(new Set(['checkout', 'payment']));
    const err = events.find((r) => r.service === 'payment' && r.body.includes('charge failed for order 4112'))!;
    expect(err).toMatchObject({ severityText: 'error', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(err.timeMs).toBe(Date.UTC(2025, 5, 4, 10, 4, 0, 1644 + 41));
    // Plain text messages: the level from the line, as for any plain log.
    expect(levels(events.filter((r) => r.service === 'checkout'))).toEqual({ info: 14, warn: 6 });
    expect(problems).toContain(`${path.join(FIX, 'cloudwatch/filter-log-events.json')}: 1 event(s) skipped (1× no \`timestamp\` in epoch milliseconds; first: event 8)`);
  });

  it("a Lambda's get-log-events: the function is the file's name, trailing newlines dropped, START/END/REPORT kept", async () => {
    const { records } = await open('cloudwatch');
    const lambda = records.filter((r) => r.service === 'refund');
    expect(lambda).toHaveLength(56);
    expect(lambda.filter((r) => r.body.endsWith('\n'))).toEqual([]);
    expect(levels(lambda)).toEqual({ error: 6, info: 8, unknown: 42 });
    expect(lambda.find((r) => detectLevel(r) === 'error')!.body).toMatch(/^2025-06-04T12:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tERROR\tcharge failed for order \d+: connection refused: refund-db:5432$/);
  });

  it('Logs Insights rows: @timestamp in UTC, the service from the stream, else the group; @ptr left out', async () => {
    const { records, problems } = await open('cloudwatch');
    const rows = records.filter((r) => r.attributes['@log'] !== undefined);
    expect(rows).toHaveLength(27);
    expect(new Set(rows.map((r) => r.service))).toEqual(new Set(['checkout', 'payment']));
    expect(rows.some((r) => '@ptr' in r.attributes)).toBe(false);
    const err = rows.find((r) => r.body.includes('charge failed for order 4110'))!;
    expect(err).toMatchObject({ service: 'payment', severityText: 'error', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(err.timeMs).toBe(Date.UTC(2025, 5, 4, 13, 3, 21, 370 + 41));
    expect(problems).toContain(`${path.join(FIX, 'cloudwatch/insights-results.json')}: 1 result row(s) skipped (1× no readable \`@timestamp\`; first: row 4)`);
  });

  it('a query still running is read and said to be partial', async () => {
    const doc = { results: [[{ field: '@timestamp', value: '2025-06-04 10:00:00.000' }, { field: '@message', value: 'ERROR timeout calling bank' }, { field: '@log', value: '123456789012:/aws/lambda/pay' }]], statistics: { recordsMatched: 1 }, status: 'Running' };
    const t = tempFile('q.json', JSON.stringify(doc));
    try {
      const { records, problems } = await open(t.dir);
      expect(records.map((r) => [r.service, r.body, r.timeMs])).toEqual([['pay', 'ERROR timeout calling bank', Date.UTC(2025, 5, 4, 10)]]);
      expect(problems).toEqual([expect.stringMatching(/q\.json: the query's status is "Running", not "Complete": its results are partial/)]);
    } finally {
      t.done();
    }
  });

  it('names the service from log groups and streams by one rule', () => {
    expect(serviceFromLogGroup('/aws/lambda/checkout')).toBe('checkout');
    expect(serviceFromLogGroup('123456789012:/aws/lambda/us-east-1.checkout')).toBe('checkout');
    expect(serviceFromLogGroup('/ecs/checkout')).toBe('checkout');
    expect(serviceFromLogGroup('/aws/containerinsights/prod/application')).toBeUndefined();
    expect(serviceFromLogGroup('/aws/eks/prod/cluster')).toBeUndefined();
    expect(serviceFromLogStream('ecs/checkout/0f3e2d1c4b5a69788796a5b4c3d2e1f0')).toBe('checkout');
    expect(serviceFromLogStream(`ip-10-0-1-2.ec2.internal-application.var.log.containers.cart-7d9f6b8c4-x2k4p_shop_cart-${'ab'.repeat(32)}.log`)).toBe('cart');
    expect(serviceFromLogStream('2025/06/04/[$LATEST]0123456789abcdef0123456789abcdef')).toBeUndefined();
  });

  it('log_patterns over CloudWatch events finds the failing charge with its trace ids', async () => {
    // The events' JSON lines carry a `time` field, the Insights rows' not: two templates of one error.
    const s = await patterns(path.join(FIX, 'cloudwatch'), 'payment');
    const refused = s.patterns.filter((x) => x.pattern.includes('connection refused: payment-db:'));
    expect(refused.map((p) => [p.level, p.count])).toEqual([
      ['error', 6],
      ['error', 4],
    ]);
    expect(refused.every((p) => p.trace_ids.length > 0)).toBe(true);
  });
});

describe('Google Cloud Logging', () => {
  it('gcloud logging read --format=json: entries of GKE and Cloud Run, severities, payloads, trace and span ids', async () => {
    const { b, records, problems } = await open('cloud-logging');
    expect(b.catalog.map((e) => [e.rel, e.format])).toEqual([['gcloud-logging-read.json', 'cloud-logging-json']]);
    expect(records).toHaveLength(36);
    expect(new Set(records.map((r) => r.service))).toEqual(new Set(['checkout', 'payment']));
    const err = records.find((r) => r.body === 'charge failed for order 4112: connection refused: payment-db:5432')!;
    expect(err).toMatchObject({ service: 'payment', severityText: 'ERROR', spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(err.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(err.attributes).toMatchObject({ exception: 'java.net.ConnectException', order: 4112, 'resource.type': 'k8s_container', 'resource.labels.pod_name': 'payment-5b67c48447-mv5hb', 'labels.k8s-pod/app': 'payment' });
    expect(err.timeMs).toBeCloseTo(Date.UTC(2025, 5, 4, 14, 4, 0, 1644 + 41) + 0.321, 6);
    // DEFAULT is no level: the line decides (here none: unknown, as Loki would say).
    const plain = records.find((r) => r.body === 'order 4100 received')!;
    expect(plain.severityText).toBeUndefined();
    // A request log (no payload) and an audit log read as lines.
    expect(records.find((r) => r.attributes['httpRequest.status'] === 502)!).toMatchObject({ body: 'POST https://checkout-abc123-ew.a.run.app/api/checkout 502', severityText: 'ERROR', service: 'checkout' });
    expect(records.find((r) => r.body.startsWith('google.cloud.run.v1.Services.ReplaceService'))!).toMatchObject({ severityText: 'NOTICE', service: 'checkout' });
    expect(levels(records)).toMatchObject({ error: 7, warn: 6 });
    expect(problems).toEqual([expect.stringMatching(/gcloud-logging-read\.json: 1 entry\(ies\) skipped \(1× unreadable `timestamp`; first: entry \d+\)$/)]);
  });

  it("a sink's JSON Lines of entries and the API's entries:list answer", async () => {
    const entry = { insertId: 'a1', logName: 'projects/p/logs/stdout', resource: { type: 'cloud_function', labels: { function_name: 'resize' } }, severity: 'CRITICAL', textPayload: 'out of memory', timestamp: '2025-06-04T10:00:00.123456789Z', trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736' };
    for (const [name, text] of [
      ['sink.json', `${JSON.stringify(entry)}\n${JSON.stringify({ ...entry, insertId: 'a2' })}\n`],
      ['list.json', JSON.stringify({ entries: [entry, { ...entry, insertId: 'a2' }], nextPageToken: 'x' })],
    ]) {
      const t = tempFile(name, text);
      try {
        const { b, records, problems } = await open(t.dir);
        expect(b.catalog[0]!.format).toBe('cloud-logging-json');
        expect(records.map((r) => [r.service, r.severityText, r.traceId, r.body])).toEqual([
          ['resize', 'CRITICAL', '4bf92f3577b34da6a3ce929d0e0e4736', 'out of memory'],
          ['resize', 'CRITICAL', '4bf92f3577b34da6a3ce929d0e0e4736', 'out of memory'],
        ]);
        expect(problems).toEqual([]);
      } finally {
        t.done();
      }
    }
  });

  it('a damaged first entry neither hides the file nor goes unsaid', async () => {
    const ok = { insertId: 'y', logName: 'projects/p/logs/a', timestamp: '2025-06-04T10:00:01Z', textPayload: 'ok', resource: { type: 'k8s_container', labels: { container_name: 'cart' } } };
    const t = tempFile('entries.json', JSON.stringify([null, { ...ok, timestamp: 'soon' }, ok], null, 2));
    try {
      const { b, records, problems } = await open(t.dir);
      expect(b.catalog[0]!.format).toBe('cloud-logging-json');
      expect(records.map((r) => [r.service, r.body])).toEqual([['cart', 'ok']]);
      expect(problems).toEqual([expect.stringMatching(/entries\.json: 2 entry\(ies\) skipped \(1× not a LogEntry .*, 1× unreadable `timestamp`; first: entry 1\)$/)]);
    } finally {
      t.done();
    }
  });

  it('log_patterns over Cloud Logging entries finds the failing charge with its trace ids', async () => {
    const s = await patterns(path.join(FIX, 'cloud-logging'), 'payment');
    const p = s.patterns.find((x) => x.pattern.includes('connection refused: payment-db:5432'))!;
    expect(p).toMatchObject({ level: 'error', count: 6 });
    expect(p.trace_ids.length).toBeGreaterThan(0);
  });
});

describe('Azure Monitor Log Analytics', () => {
  it('az monitor log-analytics query: Container Insights rows and App Insights traces', async () => {
    const { b, records, problems } = await open('azure');
    expect(b.catalog.map((e) => [e.rel, e.format])).toEqual([
      ['app-traces.json', 'log-analytics-json'],
      ['container-logs.json', 'log-analytics-json'],
    ]);
    const containers = records.filter((r) => r.attributes.PodName !== undefined);
    expect(containers).toHaveLength(27);
    expect(new Set(containers.map((r) => r.service))).toEqual(new Set(['checkout', 'payment']));
    // A container's JSON line gives the trace ids the columns do not have.
    const err = containers.find((r) => r.body.includes('charge failed for order 4110'))!;
    expect(err).toMatchObject({ service: 'payment', severityText: 'error', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(err.attributes).toMatchObject({ PodNamespace: 'shop', LogSource: 'stdout' });
    expect(err.attributes.TableName).toBeUndefined();
    expect(err.timeMs).toBe(Date.UTC(2025, 5, 4, 15, 3, 21, 370 + 41));
    // App Insights: SeverityLevel 0–4, OperationId the trace, ParentId the span the line was written in.
    const traces = records.filter((r) => r.attributes.AppRoleInstance !== undefined);
    expect(traces).toHaveLength(16);
    expect(levels(traces)).toEqual({ info: 12, warn: 4 });
    const warn = traces.find((r) => r.severityText === 'warning')!;
    expect(warn).toMatchObject({ service: 'checkout', body: expect.stringMatching(/^payment for order \d+ failed, answering 502$/), traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(problems).toEqual([`${path.join(FIX, 'azure/container-logs.json')}: 1 row(s) skipped (1× no readable \`TimeGenerated\`; first: row 10)`]);
  });

  it("the REST API's tables answer, with a dynamic message column as an object", async () => {
    const doc = {
      tables: [
        {
          name: 'PrimaryResult',
          columns: [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'PodName', type: 'string' }, { name: 'LogMessage', type: 'dynamic' }],
          rows: [['2025-06-04T10:00:00.5Z', 'cart-6c9f7b5d4-abcde', { level: 'error', msg: 'redis timeout', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }]],
        },
        {
          name: 'AppTraces',
          columns: [{ name: 'TimeGenerated' }, { name: 'AppRoleName' }, { name: 'Message' }, { name: 'SeverityLevel' }],
          rows: [['2025-06-04T10:00:01Z', 'cart', 'cache warmed', 0]],
        },
      ],
    };
    const t = tempFile('answer.json', JSON.stringify(doc));
    try {
      const { records, problems } = await open(t.dir);
      // App Insights' SeverityLevel 0 (Verbose) is debug.
      expect(records.map((r) => [r.service, r.severityText, r.traceId, r.timeMs])).toEqual([
        ['cart', 'error', '4bf92f3577b34da6a3ce929d0e0e4736', Date.UTC(2025, 5, 4, 10, 0, 0, 500)],
        ['cart', 'debug', undefined, Date.UTC(2025, 5, 4, 10, 0, 1)],
      ]);
      expect(JSON.parse(records[0]!.body)).toMatchObject({ msg: 'redis timeout' });
      expect(problems).toEqual([]);
    } finally {
      t.done();
    }
  });
});

describe('detection stays as it was for the formats around', () => {
  it("JSON Lines of Elasticsearch `_source` documents are JSON log lines, with their ECS fields", async () => {
    const doc = (i: number, level: string, msg: string) => JSON.stringify({ '@timestamp': `2025-06-04T10:00:0${i}.000Z`, log: { level }, message: msg, service: { name: 'payment' }, trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' }, span: { id: '00f067aa0ba902b7' } });
    const t = tempFile('sources.ndjson', [doc(1, 'info', 'charged'), doc(2, 'error', 'charge failed')].join('\n') + '\n');
    try {
      const { b, records, problems } = await open(t.dir);
      expect(b.catalog[0]!.format).toBe('json-log');
      expect(records.map((r) => [r.service, r.severityText, r.traceId, r.spanId])).toEqual([
        ['payment', 'info', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
        ['payment', 'error', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
      ]);
      expect(problems).toEqual([]);
    } finally {
      t.done();
    }
  });

  it('a JSON log line of ECS fields is still JSON log lines; an unknown array is still unknown', () => {
    const ecs = Buffer.from('{"@timestamp":"2025-06-04T10:00:00Z","log.level":"error","message":"x","service.name":"a"}\n');
    expect(detectFormat('app.json', ecs).format).toBe('json-log');
    expect(detectFormat('list.json', Buffer.from('[\n  {"name": "a"},\n  {"name": "b"}\n]\n')).format).toBe('unknown');
  });
});
