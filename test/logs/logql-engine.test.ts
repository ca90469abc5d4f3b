// The bundle LogQL engine: each construct on a handful of lines whose answers are worked out by hand, and
// the answer's wire shape read back by the same parser that reads a live Loki's answers.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/sources/types.js';
import { runLogQL, toLokiWire } from '../../src/query/logql/engine.js';
import { parseLogQL } from '../../src/query/logql/parse.js';
import { parseQueryData } from '../../src/sources/remote/loki.js';

const T0 = Date.UTC(2025, 5, 3, 10, 0, 0);
const rec = (s: number, service: string, body: string, attributes: Record<string, string> = {}, resource: Record<string, string> = {}): LogRecord => ({
  timeMs: T0 + s * 1000,
  service,
  body,
  attributes,
  resource: { 'service.name': service, ...resource },
});

const RECORDS: LogRecord[] = [
  rec(0, 'checkout', 'level=info msg="order placed" duration=120ms status=200 size=2KB', {}, { 'k8s.namespace.name': 'shop', 'host.name': 'n1' }),
  rec(10, 'checkout', 'level=error msg="payment failed" duration=1.5s status=502 size=512B', { 'http.route': '/pay' }),
  rec(20, 'checkout', '{"level":"warn","user":{"id":"u1","tier":"gold"},"latency_ms":80,"tags":["a"]}'),
  rec(30, 'checkout', '{"level":"error","user":{"id":"u2","tier":"free"},"latency_ms":900}'),
  rec(40, 'cart', '10.0.0.1 - GET /cart/items 200 15'),
  rec(50, 'cart', '10.0.0.2 - POST /cart/add 500 250'),
  rec(60, 'cart', 'not json {'),
  rec(70, 'checkout', '\x1b[31mERROR\x1b[0m timeout calling payment'),
];
const OPTS = { start: T0, end: T0 + 120_000, stepMs: 60_000, limit: 100, direction: 'forward' as const };
const lines = async (q: string, o: Partial<typeof OPTS> = {}) => (await runLogQL(RECORDS, q, { ...OPTS, ...o })).streams.flatMap((s) => s.entries.map((e) => e.line));
const labelsOf = async (q: string) => (await runLogQL(RECORDS, q, OPTS)).streams.map((s) => s.labels);
const matrix = async (q: string, o: Partial<typeof OPTS> = {}) => (await runLogQL(RECORDS, q, { ...OPTS, ...o })).series.map((s) => [s.labels, s.points.map(([t, v]) => [(t - T0) / 1000, v])]);

describe('LogQL on bundles: log queries', async () => {
  it('stream selectors over service_name, indexed resource attributes and metadata', async () => {
    expect(await lines('{service_name="cart"}')).toHaveLength(3);
    expect(await lines('{k8s_namespace_name="shop"}')).toEqual([RECORDS[0]!.body]);
    expect(await lines('{service_name=~"c.*", service_name!="checkout"}')).toHaveLength(3);
    expect(() => parseLogQL('{service_name=~".*"}')).toThrow(/at least one matcher that does not match the empty string/);
  });

  it('line filters: contains, not, RE2 regex (with flags), or-chains and Loki patterns', async () => {
    expect(await lines('{service_name="checkout"} |= "error"')).toHaveLength(2);
    expect(await lines('{service_name="checkout"} != "error" != "warn"')).toEqual([RECORDS[0]!.body, RECORDS[7]!.body]);
    expect(await lines('{service_name="checkout"} |~ "(?i)TIMEOUT"')).toEqual([RECORDS[7]!.body]);
    expect(await lines('{service_name="cart"} |= "GET" or "POST"')).toHaveLength(2);
    expect(await lines('{service_name="cart"} |> "<_> - <_> /cart/<_> 500 <_>"')).toEqual([RECORDS[5]!.body]);
    expect(await lines('{service_name="cart"} !~ "^10\\\\."')).toEqual(['not json {']);
    await expect(lines('{service_name="cart"} |~ "(?=x)"')).rejects.toThrow(/RE2/);
  });

  it('logfmt, json (nested keys joined by _), pattern and regexp parsers, with label filters', async () => {
    expect(await lines('{service_name="checkout"} | logfmt | status >= 500')).toEqual([RECORDS[1]!.body]);
    expect(await lines('{service_name="checkout"} | logfmt | duration > 1s')).toEqual([RECORDS[1]!.body]);
    expect(await lines('{service_name="checkout"} | logfmt | size > 1KB')).toEqual([RECORDS[0]!.body]);
    expect(await lines('{service_name="checkout"} | json | user_tier="gold"')).toEqual([RECORDS[2]!.body]);
    expect(await lines('{service_name="checkout"} | json | latency_ms > 100 and level="error"')).toEqual([RECORDS[3]!.body]);
    expect(await lines('{service_name="cart"} | pattern "<ip> - <method> <path> <status> <_>" | status="500"')).toEqual([RECORDS[5]!.body]);
    expect(await lines('{service_name="cart"} | regexp "(?P<method>GET|POST) (?P<path>\\\\S+)" | path=~"/cart/a.*"')).toEqual([RECORDS[5]!.body]);
    expect(await lines('{service_name="checkout"} | logfmt | status >= 500 or level="warn"')).toEqual([RECORDS[1]!.body]);
  });

  it('parsed labels join the stream labels; a collision becomes _extracted; a failed parse sets __error__', async () => {
    const [one] = await labelsOf('{service_name="checkout"} |= "order placed" | logfmt');
    expect(one).toMatchObject({ service_name: 'checkout', k8s_namespace_name: 'shop', host_name: 'n1', level: 'info', msg: 'order placed', status: '200', detected_level: 'info' });
    const [two] = await labelsOf('{service_name="checkout"} |= "order placed" | logfmt | line_format "{{.msg}}" | json');
    expect(two!.__error__).toBe('JSONParserErr');
    const [ext] = await labelsOf('{service_name="checkout"} |= "order placed" | regexp "(?P<service_name>order)"');
    expect(ext).toMatchObject({ service_name: 'checkout', service_name_extracted: 'order' });
    expect(await lines('{service_name="cart"} | json | __error__=""')).toEqual([]);
    expect(await lines('{service_name="cart"} | json | __error__!=""')).toHaveLength(3);
    // A numeric filter on a value that is not a number keeps the line and says why.
    const [bad] = await labelsOf('{service_name="checkout"} |= "order placed" | logfmt | msg > 3');
    expect(bad!.__error__).toBe('LabelFilterErr');
  });

  it('line_format, drop, keep, decolorize; limit and direction', async () => {
    expect(await lines('{service_name="checkout"} | logfmt | status=200 | line_format "{{.level | ToUpper}} {{ .msg }} took {{.duration}}{{.missing}}"')).toEqual(['INFO order placed took 120ms']);
    expect(await lines('{service_name="checkout"} |= "timeout" | decolorize')).toEqual(['ERROR timeout calling payment']);
    expect(await labelsOf('{service_name="checkout"} |= "order placed" | logfmt | keep level, status')).toEqual([{ service_name: 'checkout', k8s_namespace_name: 'shop', level: 'info', status: '200' }]);
    expect(Object.keys((await labelsOf('{service_name="checkout"} |= "order placed" | logfmt | drop msg, size, detected_level'))[0]!)).not.toContain('msg');
    expect(await lines('{service_name="cart"}', { limit: 1, direction: 'backward' })).toEqual(['not json {']);
    expect(await lines('{service_name="cart"}', { limit: 1 })).toEqual(['10.0.0.1 - GET /cart/items 200 15']);
    // end is exclusive, start inclusive.
    expect(await lines('{service_name="checkout"}', { start: T0 + 10_000, end: T0 + 30_000 })).toHaveLength(2);
    await expect(lines('{service_name="cart"} | line_format "{{if .x}}y{{end}}"')).rejects.toThrow(/line_format action \{\{if\}\} is not supported by the bundle LogQL engine/);
    await expect(lines('{service_name="cart"} | label_format a=b')).rejects.toThrow(/label_format is not supported/);
  });
});

describe('LogQL on bundles: metric queries', async () => {
  it('count_over_time, rate and bytes_over_time per series, in windows (t - range, t]', async () => {
    // The step at 0 holds the line at exactly 0 ((−60 s, 0]); the one at 60 s the lines of (0, 60].
    expect(await matrix('sum(count_over_time({service_name="checkout"}[1m]))')).toEqual([[{}, [[0, 1], [60, 3], [120, 1]]]]);
    expect(await matrix('sum by (service_name) (count_over_time({service_name=~".+"}[1m]))', { start: T0, end: T0 + 60_000 })).toEqual([
      [{ service_name: 'checkout' }, [[0, 1], [60, 3]]],
      [{ service_name: 'cart' }, [[60, 3]]],
    ]);
    expect(await matrix('sum(rate({service_name="cart"}[2m]))', { start: T0 + 120_000 })).toEqual([[{}, [[120, 3 / 120]]]]);
    const bytes = RECORDS.slice(4, 7).reduce((a, r) => a + Buffer.byteLength(r.body), 0);
    expect(await matrix('sum(bytes_over_time({service_name="cart"}[2m]))', { start: T0 + 120_000 })).toEqual([[{}, [[120, bytes]]]]);
  });

  it('unwrap with quantile_over_time, avg_over_time by, conversions, and the pipeline error rule', async () => {
    expect(await matrix('quantile_over_time(0.5, {service_name="checkout"} | json | unwrap latency_ms | __error__="" [2m]) by (service_name)', { start: T0 + 110_000 })).toEqual([[{ service_name: 'checkout' }, [[110, 490]]]]);
    expect(await matrix('max_over_time({service_name="checkout"} |= "msg=" | logfmt | unwrap duration(duration) [2m]) by (level)', { start: T0 + 110_000 })).toEqual([
      [{ level: 'info' }, [[110, 0.12]]],
      [{ level: 'error' }, [[110, 1.5]]],
    ]);
    expect(await matrix('sum_over_time({service_name="checkout"} |= "msg=" | logfmt | unwrap bytes(size) [2m]) by (service_name)', { start: T0 + 110_000 })).toEqual([[{ service_name: 'checkout' }, [[110, 2512]]]]);
    await expect(matrix('sum(count_over_time({service_name="cart"} | json [2m]))')).rejects.toThrow(/pipeline error: JSONParserErr.*__error__=""/);
    await expect(matrix('avg_over_time({service_name="checkout"} | logfmt | unwrap msg [2m]) by (level)')).rejects.toThrow(/SampleExtractionErr/);
  });

  it('topk, sort, binary operators with precedence, vector(), absent_over_time and instant queries', async () => {
    const q = 'topk(1, sum by (service_name) (count_over_time({service_name=~".+"}[2m])))';
    expect(await matrix(q, { start: T0 + 60_000, end: T0 + 60_000 })).toEqual([[{ service_name: 'checkout' }, [[60, 4]]]]);
    expect(await matrix('sum(count_over_time({service_name="checkout"}[1m])) * 2 + 1', { start: T0 + 60_000, end: T0 + 60_000 })).toEqual([[{}, [[60, 7]]]]);
    expect(await matrix('1 + sum(count_over_time({service_name="checkout"}[1m])) * 2', { start: T0 + 60_000, end: T0 + 60_000 })).toEqual([[{}, [[60, 7]]]]);
    expect(await matrix('sum(count_over_time({service_name="checkout"}[1m])) / (sum(count_over_time({service_name="checkout"}[1m])) + 1)', { start: T0 + 60_000, end: T0 + 60_000 })).toEqual([[{}, [[60, 0.75]]]]);
    expect(await matrix('2 ^ 3 ^ 2 + sum(count_over_time({service_name="checkout"}[1m]))', { start: T0 + 60_000, end: T0 + 60_000 })).toEqual([[{}, [[60, 515]]]]);
    expect(await matrix('sum(count_over_time({service_name="checkout"}[1m])) > 2', { start: T0, end: T0 + 120_000 })).toEqual([[{}, [[60, 3]]]]);
    expect(await matrix('sum(count_over_time({service_name="nope"}[1m])) or vector(0)', { start: T0, end: T0 })).toEqual([[{}, [[0, 0]]]]);
    expect(await matrix('absent_over_time({service_name="nope"}[1m])', { start: T0, end: T0 })).toEqual([[{ service_name: 'nope' }, [[0, 1]]]]);
    const inst = await runLogQL(RECORDS, 'sort_desc(sum by (service_name) (count_over_time({service_name=~".+"}[2m])))', { ...OPTS, instant: true, end: T0 + 60_000 });
    expect(inst.resultType).toBe('vector');
    expect(inst.series.map((s) => [s.labels.service_name, s.points[0]![1]])).toEqual([['checkout', 4], ['cart', 3]]);
    await expect(runLogQL(RECORDS, '{service_name="cart"}', { ...OPTS, instant: true })).rejects.toThrow(/not supported as an instant query/);
  });

  it('a long scan yields to the event loop and stops when the call is cancelled', async () => {
    const many = Array.from({ length: 50_000 }, (_, i) => rec(i / 1000, 'bulk', `line ${i}`));
    const all = await runLogQL(many, 'sum(count_over_time({service_name="bulk"}[10m]))', { ...OPTS, end: T0 + 60_000 });
    expect(all.series[0]!.points.at(-1)![1]).toBe(50_000);
    const ac = new AbortController();
    ac.abort(new Error('call deadline reached'));
    await expect(runLogQL(many, 'sum(count_over_time({service_name="bulk"}[10m]))', { ...OPTS, end: T0 + 60_000, signal: ac.signal })).rejects.toThrow(/call deadline reached/);
  });

  it('answers in Loki wire shape: the remote parser reads it back unchanged', async () => {
    for (const q of ['{service_name="cart"} | pattern "<ip> - <_>"', 'sum by (service_name) (rate({service_name=~".+"}[1m]))']) {
      const res = await runLogQL(RECORDS, q, OPTS);
      const back = parseQueryData(toLokiWire(res) as never);
      expect(back.resultType).toBe(res.resultType);
      expect(back.series).toEqual(res.series);
      expect(back.streams.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => ({ tsNs: e.tsNs, timeMs: e.timeMs, line: e.line })) }))).toEqual(res.streams);
    }
  });
});
