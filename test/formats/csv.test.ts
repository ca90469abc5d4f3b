// Telemetry exported as CSV/TSV tables: one fixture per product, shaped as that product writes it (header
// spelling, quoting, time format), decoded into the same log records, span store and metric store as the
// other formats; what `queryless inspect` says of them; an error analysis on a span table; a plain log with
// commas stays a plain log; damaged rows are skipped and named by line.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';
import { sniffCsv, forEachCsvRow } from '../../src/sources/bundle/formats/csv-table.js';
import { attributeMap, cellTime, clickhouseArray, serviceName } from '../../src/sources/bundle/formats/csv-values.js';
import { seriesHeader } from '../../src/sources/bundle/formats/csv-metrics.js';
import { loadLogRecords } from '../../src/sources/bundle/logs.js';
import { loadSpans } from '../../src/sources/bundle/traces.js';
import { loadMetricStore } from '../../src/sources/bundle/metrics-load.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { inspectBundle } from '../../src/sources/bundle/inspect.js';
import type { Format } from '../../src/sources/bundle/formats/detect.js';
import { runTool } from '../../tools/run.js';
import { findPrevalentErrorsTool } from '../../tools/find_prevalent_errors.js';
import { rankSuspectsTool } from '../../tools/rank_suspects.js';
import { logFields as logFieldsTool } from '../../tools/log_fields.js';
import type { ToolDef } from '../../tools/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = path.join(ROOT, 'test/fixtures/formats/csv');
const fx = (rel: string) => path.join(FIX, rel);
const detect = (rel: string) => detectFormat(rel, readFileSync(fx(rel)));
const formats = (file: string, f: Format) => new Map([[file, f]]);

async function logsOf(rel: string) {
  const problems: string[] = [];
  const records = await loadLogRecords([fx(rel)], problems, formats(fx(rel), 'csv-logs'));
  return { records, problems };
}

describe('detection', () => {
  it('a header row with the delimiter the next rows agree on: `,`, tab or `;`', () => {
    expect(sniffCsv('time,level,message\n2024-05-07T10:00:00Z,info,"a, b"\n')).toMatchObject({ delimiter: ',', columns: ['time', 'level', 'message'], quoted: true });
    expect(sniffCsv('Timestamp\tServiceName\tBody\n2024-05-07 10:00:00\tcart\tx, y; z\n')).toMatchObject({ delimiter: '\t', quoted: false });
    expect(sniffCsv('zeit;stufe;nachricht\n2024-05-07 10:00:00;INFO;Bestellung 1,5 EUR\n')).toMatchObject({ delimiter: ';', columns: ['zeit', 'stufe', 'nachricht'] });
    // A first line that is data, or rows that disagree with it, make no table.
    expect(sniffCsv('2024-05-07 10:00:00,120 INFO started, listening\n2024-05-07 10:00:01,500 ERROR failed, retry\n')).toBeUndefined();
    expect(sniffCsv('a,b,c\n1\n2,3,4,5\n6\n')).toBeUndefined();
    // Kibana's formula escaping: `'@timestamp` is the column `@timestamp`.
    expect(sniffCsv(`"'@timestamp",message\n"May 7, 2024 @ 10:00:01.120",x\n`)!.columns).toEqual(['@timestamp', 'message']);
    // A byte order mark before the header (Excel, Splunk) is not part of the first column's name.
    expect(sniffCsv('\uFEFF_time,_raw\n2024-05-07T10:00:00Z,x\n')!.columns).toEqual(['_time', '_raw']);
  });

  it('each product fixture is recognised by its columns', () => {
    expect(detect('grafana/explore-data.csv')).toEqual({ format: 'csv-metrics', signal: 'metrics' });
    expect(detect('kibana/discover-report.csv')).toEqual({ format: 'csv-logs', signal: 'logs' });
    expect(detect('cloudwatch/logs-insights-results.csv')).toEqual({ format: 'csv-logs', signal: 'logs' });
    expect(detect('splunk/search-export.csv')).toEqual({ format: 'csv-logs', signal: 'logs' });
    expect(detect('clickhouse/otel_traces.csv')).toEqual({ format: 'csv-spans', signal: 'traces' });
    expect(detect('clickhouse/otel_logs.tsv')).toEqual({ format: 'csv-logs', signal: 'logs' });
    expect(detect('nezha/08_50_trace.csv')).toEqual({ format: 'csv-spans', signal: 'traces' });
    expect(detect('nezha/08_50_log.csv')).toEqual({ format: 'csv-logs', signal: 'logs' });
  });

  it('a plain log whose lines hold commas stays a plain log, in a bundle too', async () => {
    expect(detect('plain/checkout.log')).toMatchObject({ format: 'text-log', signal: 'logs' });
    const r = await inspectBundle(fx('plain'));
    expect(r.files).toMatchObject([{ file: 'checkout.log', format: 'plain text log', services: ['checkout'], counts: { records: 3 } }]);
  });

  it('a log table with trace ids and a duration but no span name stays logs; with a span name it is spans', () => {
    const log = 'timestamp,trace_id,span_id,duration_ms,message\n2024-05-07T10:00:00Z,4bf92f3577b34da6a3ce929d0e0e4736,00f067aa0ba902b7,12,GET /api/cart 200\n';
    expect(detectFormat('access.csv', Buffer.from(log))).toEqual({ format: 'csv-logs', signal: 'logs' });
    const spans = 'start_time,trace_id,span_id,parent_id,service,operation,duration_ms\n2024-05-07T10:00:00Z,4bf92f3577b34da6a3ce929d0e0e4736,00f067aa0ba902b7,,cart,GET /api/cart,12\n';
    expect(detectFormat('spans.csv', Buffer.from(spans))).toEqual({ format: 'csv-spans', signal: 'traces' });
  });

  it('a table that is no telemetry (Loghub-style structured CSV: its Date/Time cells are no times) stays what it was', () => {
    const text = 'LineId,Date,Time,Pid,Level,Component,Content\n1,081109,203615,148,INFO,dfs.DataNode,Receiving block blk_1\n';
    expect(detectFormat('loghub/HDFS_2k.log_structured.csv', Buffer.from(text)).format).toBe('text-log');
  });
});

describe('cell values', () => {
  it('times: RFC 3339, zoneless UTC, Kibana, epoch s/ms/µs/ns by magnitude', () => {
    const t = Date.UTC(2024, 4, 7, 10, 0, 1, 120);
    expect(cellTime('2024-05-07T10:00:01.120Z')).toEqual({ ms: t, zoneless: false });
    expect(cellTime('2024-05-07T12:00:01.120+02:00')).toEqual({ ms: t, zoneless: false });
    expect(cellTime('2024-05-07 10:00:01.120000000')).toEqual({ ms: t, zoneless: true });
    expect(cellTime('May 7, 2024 @ 10:00:01.120')).toEqual({ ms: t, zoneless: true });
    for (const v of ['1715076001.12', '1715076001120', '1715076001120000', '1715076001120000000']) expect(cellTime(v)!.ms).toBeCloseTo(t, 3);
    // Go's time.String(), as the Nezha metric CSVs' `Time` column writes it.
    expect(cellTime('2022-08-22 03:51:19.607158889 +0000 UTC m=+0.113112869')!.ms).toBeCloseTo(Date.UTC(2022, 7, 22, 3, 51, 19, 607) + 0.158889, 3);
    expect(cellTime('2023-01-29 16:41:09 +0800 CST')!.ms).toBe(Date.UTC(2023, 0, 29, 8, 41, 9));
    expect(cellTime('203615')).toBeUndefined();
    expect(cellTime('')).toBeUndefined();
  });

  it("maps as JSON or ClickHouse text, arrays, pod and log group names", () => {
    expect(attributeMap(`{'service.name':'pay','k':'it\\'s'}`)).toEqual({ 'service.name': 'pay', k: "it's" });
    expect(attributeMap('{"app":"cart","k8s":{"pod":"cart-1"}}')).toEqual({ app: 'cart', 'k8s.pod': 'cart-1' });
    expect(clickhouseArray(`['exception','retry']`)).toEqual(['exception', 'retry']);
    expect(clickhouseArray(`[{'a':'1'},{}]`)).toEqual([{ a: '1' }, {}]);
    expect(serviceName('ts-order-service-5b67c48447-mv5hb', 'PodName')).toBe('ts-order-service');
    expect(serviceName('redis-master', 'pod')).toBe('redis-master');
    expect(serviceName('123456789012:/aws/lambda/checkout-api', '@log')).toBe('checkout-api');
    expect(seriesHeader('up{instance="a:9100", job="node"}', 'f')).toEqual({ __name__: 'up', instance: 'a:9100', job: 'node' });
    expect(seriesHeader('{pod="cart-1"}', 'f')).toEqual({ __name__: 'f', pod: 'cart-1' });
    expect(seriesHeader('CPU usage (%)', 'f')).toEqual({ __name__: 'CPU_usage' });
  });
});

describe('log tables', () => {
  it('Kibana Discover report: level, service, trace id, a quoted stack trace with commas and quotes in one record', async () => {
    const { records, problems } = await logsOf('kibana/discover-report.csv');
    expect(records.map((r) => [r.service, r.severityText, r.traceId])).toEqual([
      ['checkout', 'INFO', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['checkout', 'ERROR', '5e1c2f3577b34da6a3ce929d0e0e4737'],
      ['payment', 'WARN', undefined],
    ]);
    expect(records[0]!.timeMs).toBe(Date.UTC(2024, 4, 7, 10, 0, 1, 120));
    expect(records[1]!.body).toBe('payment failed for order 1043: "card declined"\njava.lang.IllegalStateException: card declined\n\tat com.acme.checkout.PaymentClient.charge(PaymentClient.java:88)\n\tat com.acme.checkout.OrderService.place(OrderService.java:41)');
    expect(records[0]!.attributes).toEqual({ 'host.name': 'ip-10-0-1-12' });
    expect(problems).toEqual([`${fx('kibana/discover-report.csv')}: times in column "@timestamp" have no zone; read as UTC`]);
  });

  it('the other columns are fields the log tools see (log_fields)', async () => {
    const b = await openBundle(fx('kibana'));
    const r = await runTool(logFieldsTool as unknown as ToolDef, {}, { sources: b, signal: new AbortController().signal, progress: () => {} });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/host\.name \(string, attribute, 2 value\(s\)/);
  });

  it("Grafana Explore's logs download (Loki): nanosecond `tsNs`, service and level from the `labels` JSON, the labels as fields", async () => {
    const { records, problems } = await logsOf('grafana-loki/explore-logs.csv');
    expect(records.map((r) => [r.service, r.severityText, r.body])).toEqual([
      ['checkout', 'info', 'level=info msg="order placed" order=1042 total=31.50'],
      ['checkout', 'error', 'level=error msg="payment failed, will retry" order=1043 err="card declined"'],
      ['payment', 'warn', 'retrying charge; attempt 2 of 3'],
    ]);
    expect(records[1]!.timeMs).toBeCloseTo(1715076002480.351, 3);
    expect(records[1]!.attributes).toMatchObject({ app: 'checkout', namespace: 'shop', level: 'error' });
    // The formatted `Time` beside `tsNs` adds no field.
    expect(records[1]!.attributes.Time).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('CloudWatch Logs Insights: the service from the log group, the stream kept as a field', async () => {
    const { records } = await logsOf('cloudwatch/logs-insights-results.csv');
    expect(records.map((r) => r.service)).toEqual(['checkout-api', 'checkout-api', 'checkout-api']);
    expect(records[1]!.body).toBe('[ERROR] Runtime.UnhandledPromiseRejection: timeout calling inventory, 3000 ms');
    expect(records[1]!.attributes['@logStream']).toBe('2024/05/07/[$LATEST]0a1b2c3d4e5f');
    expect(records[1]!.timeMs).toBe(Date.UTC(2024, 4, 7, 10, 0, 4, 210));
  });

  it('Splunk export: `_time` with its offset, `_raw` as the body, host as the service, source and sourcetype as fields', async () => {
    const { records, problems } = await logsOf('splunk/search-export.csv');
    expect(records.map((r) => r.timeMs)).toEqual([Date.UTC(2024, 4, 7, 8, 0, 5), Date.UTC(2024, 4, 7, 8, 0, 6, 500)]);
    expect(records[1]!.body).toBe('2024/05/07 10:00:06 [error] 31#31: *7 upstream timed out (110: Connection timed out), upstream: "http://10.0.3.4:8080/api/cart"');
    expect(records[1]!).toMatchObject({ service: 'web-01', attributes: { source: '/var/log/nginx/error.log', sourcetype: 'nginx_error', _serial: '1' } });
    expect(problems).toEqual([]);
  });

  it('ClickHouse otel_logs as TSVWithNames: backslash escapes undone, severity, resource and LogAttributes', async () => {
    const { records } = await logsOf('clickhouse/otel_logs.tsv');
    const [pay, cart] = records;
    expect(pay).toMatchObject({ service: 'payment', severityText: 'ERROR', severityNumber: 17, traceId: '7f3a9c1e5b2d4a6f8e0c1b3d5f7a9c2e', spanId: '1a2b3c4d5e6f7a8b', scope: { name: 'com.acme.payment.ChargeService' } });
    expect(pay!.body).toBe('charge failed: connection refused: payment-db:5432\njava.net.ConnectException: Connection refused\n\tat org.postgresql.Driver.connect(Driver.java:252)');
    expect(pay!.attributes).toMatchObject({ 'order.id': '1043', retry: 'false', TraceFlags: '1' });
    expect(pay!.resource).toEqual({ 'service.name': 'payment', 'deployment.environment': 'prod' });
    expect(cart).toMatchObject({ service: 'checkout', body: 'order 1044 placed\twith 2 items', attributes: { TraceFlags: '0' } });
    expect(cart!.traceId).toBeUndefined();
    // An empty map (`ScopeAttributes` {}) adds no field.
    expect(cart!.attributes.ScopeAttributes).toBeUndefined();
    expect(pay!.timeMs).toBe(Date.UTC(2024, 4, 7, 10, 2, 30, 120));
  });

  it('Nezha log CSV: the nanosecond time, the pod as the service, the Docker envelope unwrapped', async () => {
    const { records } = await logsOf('nezha/08_50_log.csv');
    const err = records.find((r) => r.body.includes('ERROR'))!;
    expect(err.body).toBe('16:48:42.468 ERROR f.s.FoodServiceImpl#302 TraceID: 49a51828322183eb20bfe4ace3060000 SpanID: 82c5151cc6058983 [getAllFood][Get the Get Food Request Failed!][foodStoresListResult is null]');
    expect(err).toMatchObject({ service: 'ts-food-service', traceId: '49a51828322183eb20bfe4ace3060000', spanId: '82c5151cc6058983', attributes: { stream: 'stdout', PodName: 'ts-food-service-f5756978c-k8vqf', Node: '33.33.33.155', Container: 'server' } });
    expect(err.timeMs).toBeCloseTo(1674982122468.514241, 5);
  });

  it('damaged rows are skipped and named by line; a file cut inside a quoted field keeps its complete rows', async () => {
    const { records, problems } = await logsOf('malformed/cart-logs.csv');
    expect(records.map((r) => r.body)).toEqual(['added item 1, qty 2', 'stock low: "sku-9"']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cart-logs\.csv: 3 row\(s\) skipped \(line 3: 3 field\(s\) where the header has 4; line 4: 5 field\(s\) where the header has 4; line 6: Quote Not Closed/);
  });

  it('Windows line ends and a byte order mark (Excel, Splunk) read as the same records', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      const file = path.join(dir, 'export.csv');
      writeFileSync(file, '\uFEFF' + readFileSync(fx('splunk/search-export.csv'), 'utf8').replace(/\n/g, '\r\n'));
      expect(detectFormat('export.csv', readFileSync(file))).toEqual({ format: 'csv-logs', signal: 'logs' });
      const records = await loadLogRecords([file], [], formats(file, 'csv-logs'));
      const { records: plain } = await logsOf('splunk/search-export.csv');
      expect(records).toEqual(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('row lines count the line breaks inside quoted fields', () => {
    const text = 'time,message\n2024-05-07T10:00:00Z,"a\nb\nc"\n2024-05-07T10:00:01Z,d\nbad\n';
    const shape = sniffCsv(text)!;
    const index: number[] = [];
    const res = forEachCsvRow(text, shape, (_, i) => index.push(i));
    expect(index.map((i) => res.lineOf(i))).toEqual([2, 5]);
    expect(res.skipped).toEqual([{ line: 6, why: '1 field(s) where the header has 2' }]);
  });
});

describe('span tables', () => {
  it('ClickHouse otel_traces (CSVWithNames): ns durations, kind, status, map attributes, exception events', async () => {
    const problems: string[] = [];
    const spans = await loadSpans([fx('clickhouse/otel_traces.csv')], problems, formats(fx('clickhouse/otel_traces.csv'), 'csv-spans'));
    expect(spans).toHaveLength(24);
    const pay = spans.filter((s) => s.service === 'payment' && s.status === 'error');
    expect(pay).toHaveLength(4);
    const p = pay[0]!;
    expect(p).toMatchObject({ name: 'charge', kind: 2, statusMessage: 'connection refused: payment-db:5432', scope: { name: 'io.opentelemetry.grpc', version: '1.60' }, attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Charge' }, resource: { 'service.name': 'payment' } });
    expect(p.durationMs).toBeGreaterThanOrEqual(900);
    expect(p.durationMs).toBeLessThanOrEqual(1100);
    expect(p.events).toHaveLength(1);
    expect(p.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'java.net.ConnectException' } });
    expect(p.events[0]!.timeMs).toBeGreaterThanOrEqual(p.startMs);
    const root = spans.find((s) => s.service === 'frontend')!;
    expect(root.parentSpanId).toBeUndefined();
    expect(root.kind).toBe(2);
    expect(spans.find((s) => s.service === 'checkout')!.kind).toBe(3);
    expect(problems).toEqual([`${fx('clickhouse/otel_traces.csv')}: times in column "Timestamp" have no zone; read as UTC`]);
  });

  it('Nezha trace CSV: `root` parents, services from pod names, durations from start and end nanoseconds', async () => {
    const spans = await loadSpans([fx('nezha/08_50_trace.csv')], [], formats(fx('nezha/08_50_trace.csv'), 'csv-spans'));
    expect(spans.map((s) => [s.service, s.name, s.parentSpanId ?? null])).toEqual([
      ['ts-gateway-service', '/*', null],
      ['ts-gateway-service', 'HTTP GET', '233d5101e107e112'],
      ['ts-execute-service', '/api/v1/executeservice/execute/execute/{orderId}', '5751c1b1c2d30a9a'],
    ]);
    expect(spans[0]!.durationMs).toBeCloseTo(28.16, 3);
    expect(spans[0]!.resource['k8s.pod.name']).toBe('ts-gateway-service-6f6cfc45b-h5m2n');
    // Start and end are exact; the table's rounded Duration (µs) is not what the span's duration is read from.
    expect(spans[0]!.endMs - spans[0]!.startMs).toBeCloseTo(28.16, 3);
  });

  it('find_prevalent_errors on a span table names the failing service, its message and exception', async () => {
    const b = await openBundle(fx('clickhouse'));
    const r = await runTool(findPrevalentErrorsTool as unknown as ToolDef, {}, { sources: b, signal: new AbortController().signal, progress: () => {} });
    expect(r.isError).toBe(false);
    const s = r.structured as { failing_requests: number; requests: number; groups: Array<{ service: string; span_name: string; message?: string; exception_type?: string }> };
    expect(s.requests).toBe(8);
    expect(s.failing_requests).toBe(4);
    expect(s.groups[0]).toMatchObject({ service: 'payment', span_name: 'charge', exception_type: 'java.net.ConnectException', path: ['frontend: GET /api/checkout', 'payment: charge'] });
    expect(r.text).toMatch(/connection refused: payment-db/);
    expect(r.text).toMatch(/exception\.type=java\.net\.ConnectException/);
  });

  it('rank_suspects on span and log tables puts the service whose calls fail first', async () => {
    const b = await openBundle(fx('clickhouse'));
    const r = await runTool(rankSuspectsTool as unknown as ToolDef, {}, { sources: b, signal: new AbortController().signal, progress: () => {} });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/^1\s+payment\s/m);
    expect(r.text).toMatch(/4 error span\(s\) starting here \(baseline 0\): charge/);
  });
});

describe('span rows that cannot be spans', () => {
  it('are counted with why, and the first one named by its line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      const file = path.join(dir, 'spans.csv');
      writeFileSync(
        file,
        'start_time,trace_id,span_id,parent_id,service,operation,duration_ms\n' +
          '2024-05-07T10:00:00Z,4bf92f3577b34da6a3ce929d0e0e4736,00f067aa0ba902b7,,cart,GET /api/cart,12.5\n' +
          '2024-05-07T10:00:01Z,not-an-id,00f067aa0ba902b8,,cart,GET /api/cart,3\n' +
          'yesterday,4bf92f3577b34da6a3ce929d0e0e4737,00f067aa0ba902b9,,cart,GET /api/cart,3\n',
      );
      const problems: string[] = [];
      const spans = await loadSpans([file], problems, formats(file, 'csv-spans'));
      expect(spans.map((s) => [s.service, s.name, s.durationMs])).toEqual([['cart', 'GET /api/cart', 12.5]]);
      expect(problems).toEqual([`${file}: the first row whose span was skipped is line 3`, `${file}: 2 span(s) skipped (1× missing or invalid trace_id/span_id, 1× no readable time in start_time)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('metric tables', () => {
  it("Grafana's series joined by time: a series per column, label sets from headers, empty cells no sample", async () => {
    const problems: string[] = [];
    const st = await loadMetricStore([fx('grafana/explore-data.csv')], problems, formats(fx('grafana/explore-data.csv'), 'csv-metrics'));
    const byKey = Object.fromEntries(st.series.map((s) => [`${s.name}${JSON.stringify(Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__')))}`, [...s.v]]));
    expect(byKey).toEqual({
      'http_requests_total{"instance":"checkout:8080","job":"checkout"}': [120, 123, 126, 129, 132, 135],
      'http_requests_total{"instance":"payment:8080","job":"payment"}': [40, 40, 40, 2, 2, 2],
      'up{"job":"payment"}': [1, 1, 1, 1],
    });
    expect(st.minT).toBe(Date.UTC(2024, 4, 7, 10, 0));
    expect(problems).toEqual([`${fx('grafana/explore-data.csv')}: times in column "Time" have no zone; read as UTC`]);
  });

  it('Nezha per-pod metric CSV: epoch `TimeStamp` first, a series per column, the pod and its service as labels', async () => {
    const file = fx('nezha-metric/ts-contacts-service-866bd68c97-xcqfx_metric.csv');
    expect(detectFormat('ts-contacts-service-866bd68c97-xcqfx_metric.csv', readFileSync(file))).toEqual({ format: 'csv-metrics', signal: 'metrics' });
    const problems: string[] = [];
    const st = await loadMetricStore([file], problems, formats(file, 'csv-metrics'));
    expect(st.series).toHaveLength(19);
    const cpu = st.byName.get('CpuUsage_m')![0]!;
    expect(cpu.labels).toEqual({ __name__: 'CpuUsage_m', pod: 'ts-contacts-service-866bd68c97-xcqfx', service: 'ts-contacts-service' });
    expect([...cpu.t]).toEqual([0, 1, 2, 3].map((i) => (1674981669 + 60 * i) * 1000));
    expect([...cpu.v]).toEqual([12.41, 12.97, 13.32, 48.06]);
    expect([...st.byName.get('PodSuccessRate')![0]!.v]).toEqual([100, 100, 100, 62.5]);
    expect(problems).toEqual([]);
  });

  it('a long table: time, metric name, value, and label columns', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      const file = path.join(dir, 'metrics.csv');
      writeFileSync(file, 'timestamp,metric,pod,value\n1715076000,cpu_usage_seconds_total,cart-1,10.5\n1715076015,cpu_usage_seconds_total,cart-1,12\n1715076000,cpu_usage_seconds_total,cart-2,3\n');
      expect(detectFormat('metrics.csv', readFileSync(file))).toEqual({ format: 'csv-metrics', signal: 'metrics' });
      const st = await loadMetricStore([file], [], formats(file, 'csv-metrics'));
      expect(st.series.map((s) => [s.labels.pod, [...s.t], [...s.v]])).toEqual([
        ['cart-1', [1715076000000, 1715076015000], [10.5, 12]],
        ['cart-2', [1715076000000], [3]],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wide tables', () => {
  it("a Grafana download with more series than the 16 KiB head holds is still a metric table", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      const pods = Array.from({ length: 300 }, (_, i) => `container_cpu_usage_seconds_total{container="app", namespace="shop", pod="checkout-7d9f8b6c5-${String(i).padStart(5, 'x')}"}`);
      const header = ['Time', ...pods].map((h) => `"${h.replace(/"/g, '""')}"`).join(',');
      const rows = [0, 1, 2].map((m) => [`2024-05-07 10:0${m}:00`, ...pods.map((_, i) => (i * 0.01 + m).toFixed(2))].join(','));
      writeFileSync(path.join(dir, 'cpu.csv'), [header, ...rows].join('\n') + '\n');
      expect(header.length).toBeGreaterThan(16384);
      const r = await inspectBundle(dir);
      expect(r.files).toMatchObject([{ file: 'cpu.csv', format: 'metric table (CSV/TSV)', counts: { series: 300, samples: 900, metrics: 1 } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('queryless inspect on tables', () => {
  it('says what each table is, its services, times, counts and problems', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      for (const d of ['grafana', 'grafana-loki', 'kibana', 'cloudwatch', 'splunk', 'clickhouse', 'nezha', 'nezha-metric']) cpSync(fx(d), path.join(dir, d), { recursive: true });
      const json = JSON.parse(execFileSync('node', [path.join(ROOT, 'bin/queryless.js'), 'inspect', dir, '--json'], { encoding: 'utf8' })) as { files: Array<{ file: string; format: string; signal: string; services: string[]; counts: Record<string, number>; problems: string[] }> };
      const by = Object.fromEntries(json.files.map((f) => [f.file, f]));
      expect(by['clickhouse/otel_traces.csv']).toMatchObject({ format: 'span table (CSV/TSV)', signal: 'traces', services: ['checkout', 'frontend', 'payment'], counts: { spans: 24, traces: 8, errors: 12 } });
      expect(by['clickhouse/otel_logs.tsv']).toMatchObject({ format: 'log table (CSV/TSV)', signal: 'logs', services: ['checkout', 'payment'], counts: { records: 2 } });
      expect(by['grafana/explore-data.csv']).toMatchObject({ format: 'metric table (CSV/TSV)', signal: 'metrics', services: ['checkout', 'payment'], counts: { series: 3, samples: 16, metrics: 2 } });
      expect(by['kibana/discover-report.csv']).toMatchObject({ services: ['checkout', 'payment'], counts: { records: 3 }, problems: ['times in column "@timestamp" have no zone; read as UTC'] });
      expect(by['cloudwatch/logs-insights-results.csv']).toMatchObject({ services: ['checkout-api'], counts: { records: 3 } });
      expect(by['splunk/search-export.csv']).toMatchObject({ services: ['web-01'], counts: { records: 2 }, problems: [] });
      expect(by['nezha/08_50_trace.csv']).toMatchObject({ services: ['ts-execute-service', 'ts-gateway-service'], counts: { spans: 3, traces: 1, errors: 0 } });
      expect(by['nezha/08_50_log.csv']).toMatchObject({ services: ['ts-food-service'], counts: { records: 2 } });
      expect(by['nezha-metric/ts-contacts-service-866bd68c97-xcqfx_metric.csv']).toMatchObject({ format: 'metric table (CSV/TSV)', services: ['ts-contacts-service'], counts: { series: 19, samples: 76, metrics: 19 }, problems: [] });
      expect(by['grafana-loki/explore-logs.csv']).toMatchObject({ format: 'log table (CSV/TSV)', services: ['checkout', 'payment'], counts: { records: 3 }, problems: [] });
      expect(json.files).toHaveLength(10);
      const text = spawnSync('node', [path.join(ROOT, 'bin/queryless.js'), 'inspect', fx('malformed')], { encoding: 'utf8' }).stdout;
      expect(text).toMatch(/cart-logs\.csv\n\s+log table \(CSV\/TSV\) · logs/);
      expect(text).toMatch(/problem: 3 row\(s\) skipped \(line 3: 3 field\(s\) where the header has 4/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decoded in the worker thread', () => {
  const DIST_LOAD = path.join(ROOT, 'dist/src/sources/bundle/load.js');
  it.skipIf(!existsSync(DIST_LOAD))('the decode worker reads tables as the calling thread does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-'));
    try {
      for (const d of ['grafana', 'kibana', 'clickhouse']) cpSync(fx(d), path.join(dir, d), { recursive: true });
      const { openBundle: open } = (await import(DIST_LOAD)) as typeof import('../../src/sources/bundle/load.js');
      const here = await open(dir);
      const off = await open(dir, { offThread: true });
      const spans = async (b: typeof here) => {
        const st = await b.traces!.store();
        return Array.from({ length: st.size }, (_, i) => st.span(i));
      };
      const [a, b] = await Promise.all([spans(here), spans(off)]);
      expect(a).toHaveLength(24);
      expect(b).toEqual(a);
      const [la, lb] = await Promise.all([here.logs!.allRecords(), off.logs!.allRecords()]);
      expect(la).toHaveLength(5);
      expect(lb).toEqual(la);
      const [ma, mb] = await Promise.all([here.metrics!.store(), off.metrics!.store()]);
      expect(mb.sampleCount).toBe(16);
      expect(mb.series.map((s) => [s.key, [...s.v]])).toEqual(ma.series.map((s) => [s.key, [...s.v]]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
