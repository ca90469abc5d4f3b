// Log and metric files in the formats users have: OTLP (JSON in both spellings, protobuf), logcli's
// JSON Lines, Loki query answers, plain text (one service per file), Prometheus query answers saved to a file.
import { cpSync, mkdtempSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { LogRecord } from '../../src/sources/types.js';
import { logsBinpb, metricsBinpb, TRACE_ID } from '../../scripts/fixtures/otlp-binpb.js';
import { lineTime } from '../../src/sources/bundle/formats/line-time.js';
import { parsePlainLog, serviceFromFileName } from '../../src/sources/bundle/formats/plain-logs.js';

const FIX = path.resolve('test/fixtures/formats');

async function recordsOf(folder: string): Promise<{ records: LogRecord[]; problems: string[] }> {
  const b = await openBundle(path.join(FIX, folder));
  const records = (await b.logs!.queryLogs({ range: b.defaults.window, direction: 'forward' })).records;
  return { records, problems: b.problems };
}

describe('log formats', () => {
  it('OTLP/JSON logs in snake_case keep event_name, scope and exact int64', async () => {
    const { records, problems } = await recordsOf('otlp-snake');
    expect(problems).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      service: 'orders',
      severityText: 'ERROR',
      severityNumber: 17,
      eventName: 'order.rejected',
      scope: { name: 'orders.logger', version: '2.0.0' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      body: 'order 9007199254740993 rejected: stock reservation failed',
    });
    expect(records[0]!.attributes['order.id']).toBe('9007199254740993');
  });

  it('OTLP protobuf logs (.binpb)', async () => {
    expect(Buffer.compare(readFileSync(path.join(FIX, 'otlp-proto/logs.binpb')), Buffer.from(logsBinpb()))).toBe(0);
    const { records } = await recordsOf('otlp-proto');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      service: 'inventory',
      body: 'reserve failed: out of stock for sku A-1',
      severityNumber: 17,
      severityText: 'ERROR',
      eventName: 'inventory.reserve.failed',
      traceId: TRACE_ID,
      spanId: '051581bf3cb55c13',
      scope: { name: 'inventory.log', version: '3.1.0' },
      attributes: { sku: 'A-1', 'order.id': '9007199254740993' },
    });
    expect(records[0]!.timeMs).toBe(Date.UTC(2025, 5, 4, 10, 8, 0, 300));
  });

  it('a Loki query answer saved to a file (streams): labels, structured metadata, nanosecond times', async () => {
    const b = await openBundle(path.join(FIX, 'loki-answer'));
    expect(b.catalog.map((e) => [e.format, e.signal])).toEqual([['loki-json', 'logs']]);
    const { records, problems } = await recordsOf('loki-answer');
    expect(records.map((r) => [r.service, r.body])).toEqual([
      ['checkout', 'payment failed order=1'],
      ['checkout', 'payment failed order=2'],
      ['cart', 'cart updated'],
    ]);
    expect(records[0]).toMatchObject({ timeMs: 1749031680100, severityText: 'error', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(records[0]!.attributes).toMatchObject({ pod: 'checkout-7d9f-x2', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(records[1]!.traceId).toBeUndefined();
    expect(records[2]!.severityText).toBe('info');
    expect(problems).toEqual([expect.stringMatching(/query_range\.json: 1 value\(s\) skipped/)]);
  });

  it('logcli --output=jsonl: labels, line, RFC 3339 nano timestamps with a zone', async () => {
    const { records, problems } = await recordsOf('logcli');
    expect(problems).toEqual([]);
    expect(records.map((r) => r.service)).toEqual(['payment', 'payment', 'gateway']);
    expect(records[0]!.timeMs).toBeCloseTo(Date.UTC(2025, 5, 4, 10, 7, 2, 902) + 0.0012, 6);
    expect(records[1]).toMatchObject({ severityText: 'error', body: expect.stringContaining('msg="charge failed"'), attributes: { cluster: 'prod-eu', namespace: 'shop' } });
    expect(records[1]!.timeMs).toBeCloseTo(Date.UTC(2025, 5, 4, 10, 7, 3, 481) + 0.236517, 6);
  });

  it('plain text: one record per timed line, continuation lines joined, service from the file name', async () => {
    const { records, problems } = await recordsOf('text-logs');
    expect(problems).toEqual([]);
    const checkout = records.filter((r) => r.service === 'checkout');
    expect(checkout).toHaveLength(3);
    expect(checkout[1]!.body.split('\n')).toHaveLength(4);
    expect(checkout[1]!.body).toContain('at com.acme.checkout.PaymentClient.charge(PaymentClient.java:57)');
    expect(checkout[1]!.timeMs).toBe(Date.UTC(2025, 5, 4, 10, 7, 1, 377));
    const nginx = records.filter((r) => r.service === 'nginx');
    expect(nginx.map((r) => r.timeMs)).toEqual([Date.UTC(2025, 5, 4, 10, 7, 2), Date.UTC(2025, 5, 4, 10, 7, 3)]);
  });

  it('reads the times programs put at the start of a line', () => {
    expect(lineTime('2024-05-07T10:55:53.251123Z msg', 2000)).toBeCloseTo(Date.UTC(2024, 4, 7, 10, 55, 53, 251) + 0.123, 6);
    expect(lineTime('2024-05-07 12:55:53,251+02:00 x', 2000)).toBe(Date.UTC(2024, 4, 7, 10, 55, 53, 251));
    expect(lineTime('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass', 2005)).toBe(Date.UTC(2005, 5, 14, 15, 16, 1));
    expect(lineTime('I0507 11:59:38.116658    2791 file.go:220] hi', 2024)).toBeCloseTo(Date.UTC(2024, 4, 7, 11, 59, 38, 116) + 0.658, 6);
    expect(lineTime('[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok', 2000)).toBe(Date.UTC(2005, 11, 4, 4, 47, 44));
    expect(lineTime('1717495623.5 GET /', 2000)).toBe(1717495623500);
    expect(lineTime('level=info ts=2025-06-04T10:07:03.481Z msg=x', 2000)).toBe(Date.UTC(2025, 5, 4, 10, 7, 3, 481));
    expect(lineTime('{"level":"warn","time":"2025-06-04T10:07:03Z","msg":"x"}', 2000)).toBe(Date.UTC(2025, 5, 4, 10, 7, 3));
    expect(lineTime('at com.acme.X.y(X.java:1)', 2000)).toBeUndefined();
  });

  it('reads the short and compact dates of log4j, logcat and RAS logs, and an ISO time after one token', () => {
    expect(lineTime('17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls', 2000)).toBe(Date.UTC(2017, 5, 9, 20, 10, 40));
    expect(lineTime('081109 203615 148 INFO dfs.DataNode$PacketResponder: terminating', 2000)).toBe(Date.UTC(2008, 10, 9, 20, 36, 15));
    expect(lineTime('20171223-22:16:0:119|Step_LSC|30002312|processHandleBroadcastAction', 2000)).toBe(Date.UTC(2017, 11, 23, 22, 16, 0, 119));
    expect(lineTime('03-17 16:13:38.811  1702  2395 D WindowManager: freezing', 2017)).toBe(Date.UTC(2017, 2, 17, 16, 13, 38, 811));
    expect(lineTime('- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected', 2000)).toBe(1117838570000);
    expect(lineTime('nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server', 2000)).toBe(Date.UTC(2017, 4, 16, 0, 0, 0, 8));
    expect(lineTime('INFO  2024-05-07 10:55:53,251 [main] started', 2000)).toBe(Date.UTC(2024, 4, 7, 10, 55, 53, 251));
    // Digits that only look like a date are not one; an epoch is not taken from a flag line whose date disagrees.
    expect(lineTime('991399 123456 not a date', 2000)).toBeUndefined();
    expect(lineTime('- 1117838570 2009.01.01 R02 RAS', 2000)).toBeUndefined();
    expect(lineTime('134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change', 2000)).toBeUndefined();
  });

  it('a file whose lines mostly carry no time keeps one record per line; a year-less format takes the year of the file\'s dated lines', () => {
    const mostlyUntimed = ['2024-05-07T10:00:00Z boot', 'alpha ready', 'beta ready', 'gamma ready', 'delta ready'].join('\n');
    const a = parsePlainLog(mostlyUntimed, 'x', { year: 2030, fallbackMs: 0 });
    expect(a.records.map((r) => r.body)).toEqual(['2024-05-07T10:00:00Z boot', 'alpha ready', 'beta ready', 'gamma ready', 'delta ready']);
    expect(new Set(a.records.map((r) => r.timeMs))).toEqual(new Set([Date.UTC(2024, 4, 7, 10)]));
    // A log heavy with stack traces keeps them with their record, though most of its lines have no time.
    const traces = ['2024-05-07 10:00:00,001 ERROR boom', 'java.lang.IllegalStateException: x', '\tat a.B.c(B.java:1)', '\tat a.B.d(B.java:2)', '\tat a.B.e(B.java:3)', '2024-05-07 10:00:01,001 ERROR boom again'].join('\n');
    expect(parsePlainLog(traces, 'x', { year: 2030, fallbackMs: 0 }).records.map((r) => r.body.split('\n').length)).toEqual([5, 1]);
    const mixed = ['time="2024-05-07T11:59:43Z" level=info msg="StartContainer"', 'I0507 11:59:44.523502 4727 kubelet.go:187] "Pod status updated"'].join('\n');
    const b = parsePlainLog(mixed, 'node', { year: 2030, fallbackMs: 0 });
    expect(b.records[1]!.timeMs).toBeCloseTo(Date.UTC(2024, 4, 7, 11, 59, 44, 523) + 0.502, 6);
  });

  it('names the service after the file', () => {
    expect(serviceFromFileName('/x/checkout.log')).toBe('checkout');
    expect(serviceFromFileName('payment-2024-05-07.log.gz')).toBe('payment');
    expect(serviceFromFileName('api.log.1')).toBe('api');
  });
});

describe('metric formats', () => {
  it('OTLP protobuf metrics (.binpb, the Collector file exporter with format: proto)', async () => {
    expect(Buffer.compare(readFileSync(path.join(FIX, 'otlp-proto-metrics/metrics.binpb')), Buffer.from(metricsBinpb()))).toBe(0);
    const b = await openBundle(path.join(FIX, 'otlp-proto-metrics'));
    expect(b.catalog.map((e) => [e.format, e.signal])).toEqual([['otlp-proto', 'metrics']]);
    expect(b.problems).toEqual([]);
    const m = b.metrics!;
    const at = Date.UTC(2025, 5, 4, 10, 8, 15);
    const one = async (q: string) => (await m.instant(q, at)).map((s) => [s.labels, s.points[0]![1]]);
    const svc = { job: 'inventory', service_name: 'inventory', instance: 'inventory-0' };
    expect(await one('inventory_stock_level')).toEqual([[{ __name__: 'inventory_stock_level', sku: 'A-1', ...svc }, 42]]);
    expect(await one('inventory_reservations_total')).toEqual([[{ __name__: 'inventory_reservations_total', ...svc }, 17]]);
    expect((await one('inventory_reserve_duration_milliseconds_bucket')).map(([l, v]) => [(l as Record<string, string>).le, v]).sort()).toEqual([['+Inf', 10], ['10', 4], ['50', 9]]);
    expect(await one('inventory_reserve_duration_milliseconds_sum')).toEqual([[{ __name__: 'inventory_reserve_duration_milliseconds_sum', outcome: 'ok', ...svc }, 123.5]]);
    expect(await one('inventory_gc_pause_seconds{quantile="0.5"}')).toEqual([[{ __name__: 'inventory_gc_pause_seconds', quantile: '0.5', ...svc }, 0.009]]);
    expect((await m.store()).families.get('inventory_reserve_duration_milliseconds')).toMatchObject({ type: 'histogram', help: 'Time to reserve stock.', unit: 'ms' });
  });

  it("OTLP/JSON metrics (both spellings) are stored as Prometheus' OTLP receiver names and labels them", async () => {
    const b = await openBundle(path.join(FIX, 'otlp-metrics'));
    const m = b.metrics!;
    const at = Date.UTC(2025, 5, 4, 10, 8, 30);
    const svc = { job: 'shop/checkout', service_name: 'checkout', instance: 'checkout-1' };
    // Monotonic cumulative sum: a counter named with _total; its rate over the recording.
    const req = await m.instant('http_server_requests_total', at);
    expect(req.map((s) => [s.labels, s.points[0]![1]])).toEqual([[{ __name__: 'http_server_requests_total', http_response_status_code: '500', ...svc }, 9]]);
    // 3, 6, 9 at 0, 15, 30 s: +6 in 30 s, extrapolated by half an interval to 7.5 over the minute (Prometheus' rate).
    const rate = await m.instant('rate(http_server_requests_total[1m])', at);
    expect(rate[0]!.points[0]![1]).toBeCloseTo(0.125, 6);
    // Histogram: cumulative buckets from per-bucket counts; +Inf, _count and _sum.
    const buckets = await m.instant('http_server_request_duration_seconds_bucket', at);
    expect(buckets.map((s) => [s.labels.le, s.points[0]![1]]).sort()).toEqual([['+Inf', 30], ['0.01', 6], ['0.1', 15]]);
    expect((await m.instant('http_server_request_duration_seconds_count', at))[0]!.points[0]![1]).toBe(30);
    expect((await m.instant('http_server_request_duration_seconds_sum', at))[0]!.labels.http_route).toBe('/api/checkout');
    // Units: `1` on a gauge → _ratio, `{item}` dropped, `ms` → milliseconds; delta sums accumulate.
    expect((await m.instant('cpu_utilization_ratio', at))[0]!.points[0]![1]).toBe(0.25);
    expect((await m.instant('queue_depth', at))[0]!.points[0]![1]).toBe(4.5);
    expect((await m.instant('orders_placed_total', at))[0]!.points[0]![1]).toBe(6);
    const q = await m.instant('rpc_latency_milliseconds', at);
    expect(q.map((s) => [s.labels.quantile, s.points[0]![1]]).sort()).toEqual([['0.5', 9], ['0.99', 30]]);
    // snake_case document.
    expect((await m.instant('cart_size', Date.UTC(2025, 5, 4, 10, 8, 0)))[0]!.labels.service_name).toBe('cart');
    const store = await m.store();
    expect(store.families.get('http_server_request_duration_seconds')).toMatchObject({ type: 'histogram', unit: 's', help: 'Duration of HTTP server requests.' });
    expect(store.families.get('http_server_requests')).toMatchObject({ type: 'counter' });
    // Exponential (scale 4, merged to 3): positive buckets 0-3 at 2^(k/16) become 2^(1/8) and 2^(2/8); the zero
    // bucket; negative bucket -1 ([-2^(0/16), -2^(-1/16)) at scale 4) is index -1 at scale 3, below -2^(-1/8).
    const exp = await m.instant('db_latency_seconds_bucket', at);
    expect(exp.map((s) => [s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.points[0]![1]]).sort((x, y) => x[0]! - y[0]!)).toEqual([[-(2 ** (-1 / 8)), 2], [0, 3], [2 ** (1 / 8), 6], [2 ** (2 / 8), 13], [Infinity, 13]]);
    const p90 = await m.instant('histogram_quantile(0.9, db_latency_seconds_bucket)', at);
    expect(p90[0]!.points[0]![1]).toBeGreaterThan(2 ** (1 / 8));
    expect(p90[0]!.points[0]![1]).toBeLessThan(2 ** (2 / 8));
    expect(b.problems.join('\n')).toMatch(/3 exponential histogram point\(s\) read as classic buckets 2\^\(k\/8\) apart/);
    expect(b.problems.join('\n')).toMatch(/3 delta point\(s\) summed into cumulative series/);
  });

  it('Prometheus query_range and query answers saved to files are queryable with PromQL', async () => {
    const b = await openBundle(path.join(FIX, 'prometheus-json'));
    expect(b.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 10, 0, 0), end: Date.UTC(2025, 5, 4, 10, 0, 46) });
    const m = b.metrics!;
    const at = Date.UTC(2025, 5, 4, 10, 0, 45);
    const total = await m.instant('http_requests_total{job="checkout"}', at);
    expect(total.map((s) => s.points[0]![1])).toEqual([166]);
    const up = await m.instant('up', at + 200);
    expect(up.map((s) => [s.labels.job, s.points[0]![1]]).sort()).toEqual([
      ['checkout', 1],
      ['payment', 0],
    ]);
    // An expression's answer has no __name__: it is named after its file, and the file says so.
    const unnamed = await m.instant('http_errors_query_range', Date.UTC(2025, 5, 4, 10, 0, 30));
    expect(unnamed[0]!.points[0]![1]).toBe(Infinity);
    expect(b.problems.join('\n')).toMatch(/http_errors_query_range\.json: 1 series without __name__/);
  });
});

describe('OpenMetrics / Prometheus text', () => {
  it('timestamped OpenMetrics, and a scrape without timestamps at the time the file was written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-om-'));
    cpSync(path.join(FIX, 'openmetrics'), dir, { recursive: true });
    cpSync(path.join(FIX, 'prometheus-scrape'), dir, { recursive: true });
    const scrapedAt = new Date(Date.UTC(2025, 5, 4, 10, 0, 20));
    utimesSync(path.join(dir, 'payment-scrape.prom'), scrapedAt, scrapedAt);
    const b = await openBundle(dir);
    expect(b.catalog.map((e) => `${e.rel} ${e.format}`)).toEqual(['checkout.om openmetrics', 'payment-scrape.prom openmetrics']);
    expect(b.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 10, 0, 0), end: Date.UTC(2025, 5, 4, 10, 0, 21) });
    const errors = await b.metrics!.instant('http_server_requests_total{code="500"}', Date.UTC(2025, 5, 4, 10, 0, 15));
    expect(errors[0]!.points[0]![1]).toBe(48);
    const g = await b.metrics!.instant('go_goroutines', Date.UTC(2025, 5, 4, 10, 0, 30));
    expect(g.map((s) => s.points[0]![1])).toEqual([1843]);
    expect(b.problems.join('\n')).toMatch(/payment-scrape\.prom: no timestamps \(a scrape\); its 3 sample\(s\) take the file's modification time \(2025-06-04T10:00:20\.000Z\)/);
  });
});
