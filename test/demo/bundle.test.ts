// The committed demo bundle loads cleanly and its four signals tell one consistent story.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Profile } from 'pprof-format';
import { openBundle, type BundleSources } from '../../src/sources/bundle/load.js';
import type { LogRecord, Span } from '../../src/sources/types.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import type { ToolDef } from '../../tools/types.js';

const DIR = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');
const INCIDENT_START = Date.parse('2025-06-03T10:04:00Z');

const hasPromtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('demo-checkout bundle', () => {
  let bundle: BundleSources;
  let spans: Span[];
  let logs: LogRecord[];
  const byId = new Map<string, Span>();

  beforeAll(async () => {
    bundle = await openBundle(DIR);
    const set = await bundle.traces!.findTraces({ range: bundle.defaults.window });
    spans = set.spans;
    for (const s of spans) byId.set(s.spanId, s);
    logs = (await bundle.logs!.queryLogs({ range: bundle.defaults.window, limit: 1_000_000 })).records;
  });

  it('loads with metadata, all signals present and no problems', async () => {
    expect(bundle.incident.id).toBe('demo-checkout');
    expect(bundle.incident.truth).toMatchObject({ service: 'checkout', fault: 'duplicate-key', span: 'INSERT INTO orders' });
    expect(bundle.incident.questions.map((q) => q.lang)).toEqual(['en', 'fr', 'es', 'de']);
    expect(bundle.incident.repositories).toMatchObject({ checkout: 'acme/checkout', ride: 'acme/ride' });
    expect(spans.length).toBeGreaterThan(15_000);
    expect(logs.length).toBeGreaterThan(5_000);
    expect(bundle.metrics).toBeDefined();
    expect(bundle.problems).toEqual([]);
    expect(await bundle.traces!.services(bundle.defaults.window)).toEqual(['auth', 'catalog', 'checkout', 'frontend', 'ride']);
  });

  it('list_services shows checkout errors and ride latency rising vs the baseline', async () => {
    const res = await runTool(listServices as unknown as ToolDef, {}, { sources: bundle, signal: new AbortController().signal, progress: () => {} });
    expect(res.isError).toBe(false);
    type Row = { service: string; window?: { requests: number; errors: number; p95_ms: number }; baseline?: { requests: number; errors: number; p95_ms: number } };
    const rows = (res.structured as { services: Row[] }).services;
    const get = (s: string) => rows.find((r) => r.service === s)!;
    const checkout = get('checkout');
    expect(checkout.baseline!.errors).toBe(0);
    expect(checkout.window!.errors / checkout.window!.requests).toBeGreaterThan(0.15);
    expect(get('ride').window!.p95_ms).toBeGreaterThan(10 * get('ride').baseline!.p95_ms);
    expect(get('catalog').window!.p95_ms).toBeLessThan(3 * get('catalog').baseline!.p95_ms);
  });

  it('every log trace/span id exists in the traces', () => {
    const traceIds = new Set(spans.map((s) => s.traceId));
    const withTrace = logs.filter((l) => l.traceId);
    expect(withTrace.length).toBeGreaterThan(3_000);
    for (const l of withTrace) {
      expect(traceIds.has(l.traceId!), l.body).toBe(true);
      const span = byId.get(l.spanId!);
      expect(span?.traceId, l.body).toBe(l.traceId);
      expect(span!.service).toBe(l.service);
    }
  });

  it('fault 1: duplicate-key errors only from 10:04, only on retried checkouts, propagated to the root', () => {
    const failed = spans.filter((s) => s.name === 'INSERT INTO orders' && s.status === 'error');
    expect(failed.length).toBeGreaterThan(40);
    for (const s of failed) {
      expect(s.startMs).toBeGreaterThanOrEqual(INCIDENT_START);
      expect(s.statusMessage).toContain('duplicate key value violates unique constraint "orders_pkey"');
      expect(s.attributes['db.system']).toBe('postgresql');
      expect(s.attributes['db.query.text']).toBe('INSERT INTO orders (id, user_id, total) VALUES ($1, $2, $3)');
      expect(s.events.find((e) => e.name === 'exception')?.attributes['exception.type']).toBe('*pq.Error');
      const trace = spans.filter((x) => x.traceId === s.traceId);
      const server = trace.find((x) => x.service === 'checkout' && x.kind === 2)!;
      expect(server.status).toBe('error');
      expect(server.attributes['app.client_retry']).toBe(true);
      const root = trace.find((x) => !x.parentSpanId)!;
      expect(root.service).toBe('frontend');
      expect(root.status).toBe('error');
      expect(root.attributes['http.response.status_code']).toBe(500);
    }
    // Retries happen in the baseline too, and succeed there: the attribute alone is not the fault.
    const baselineRetries = spans.filter((s) => s.service === 'checkout' && s.kind === 2 && s.startMs < INCIDENT_START && s.attributes['app.client_retry'] === true);
    expect(baselineRetries.length).toBeGreaterThan(3);
    expect(baselineRetries.every((s) => s.status !== 'error')).toBe(true);
    const errorLogs = logs.filter((l) => l.service === 'checkout' && l.severityText === 'ERROR');
    expect(errorLogs.length).toBe(failed.length);
    expect(errorLogs.every((l) => /failed to create order \S+ for user \d+: pq: duplicate key/.test(l.body) && l.timeMs >= INCIDENT_START)).toBe(true);
  });

  it('other errors exist in the baseline, so the fault must win on impact', () => {
    const baselineErrors = spans.filter((s) => s.status === 'error' && s.startMs < INCIDENT_START);
    expect(baselineErrors.length).toBeGreaterThan(0);
    expect(new Set(baselineErrors.map((s) => s.service))).toContain('frontend');
  });

  it('fault 2: slow car_login queries only on ride 1.8.0 pods after 10:04', () => {
    const q = spans.filter((s) => s.service === 'ride' && s.attributes['db.query.text'] === 'SELECT id, driver_id, last_seen FROM car_login WHERE driver_id = $1 AND active = true ORDER BY last_seen DESC LIMIT 1');
    const slow = q.filter((s) => s.durationMs > 100);
    expect(slow.length).toBeGreaterThan(50);
    for (const s of slow) {
      expect(s.resource['service.version']).toBe('1.8.0');
      expect(s.startMs).toBeGreaterThanOrEqual(INCIDENT_START);
    }
    const old = q.filter((s) => s.resource['service.version'] === '1.7.2');
    expect(old.every((s) => s.durationMs < 10)).toBe(true);
    const warn = logs.filter((l) => l.service === 'ride' && l.body.includes('WARN store: slow query') && l.body.includes('car_login'));
    expect(warn.length).toBe(slow.filter((s) => s.durationMs > 200).length);
  });

  it('includes one prompt-injection attempt as plain data', () => {
    const hits = logs.filter((l) => /ignore previous instructions/i.test(l.body));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.service).toBe('frontend');
  });

  it('ride CPU profiles show the LoginCache.Lookup mutex hot path on 1.8.0 pods only, with lines matching the source', () => {
    const src = readFileSync(path.join(DIR, 'source/ride/internal/driver/login_cache.go'), 'utf8').split('\n');
    const dir = path.join(DIR, 'profiles/ride');
    const share = (file: string) => {
      const p = Profile.decode(gunzipSync(readFileSync(path.join(dir, file))));
      const str = p.stringTable.strings;
      expect(str[Number(p.periodType!.type)]).toBe('cpu');
      expect(Number(p.period)).toBe(10_000_000);
      expect(Number(p.durationNanos)).toBe(10e9);
      const fn = new Map(p.function.map((f) => [Number(f.id), f]));
      const loc = new Map(p.location.map((l) => [Number(l.id), l]));
      let total = 0;
      let lookup = 0;
      let lock = 0;
      for (const s of p.sample) {
        const v = Number(s.value[0]);
        total += v;
        const names = s.locationId.map((id) => {
          const line = loc.get(Number(id))!.line[0]!;
          const f = fn.get(Number(line.functionId))!;
          const name = str[Number(f.name)]!;
          if (name.endsWith('.(*LoginCache).Lookup')) {
            expect(str[Number(f.filename)]).toBe('github.com/acme/ride/internal/driver/login_cache.go');
            expect(src[Number(f.startLine) - 1]).toContain('func (c *LoginCache) Lookup');
            expect(src[Number(line.line) - 1]!.trim().length).toBeGreaterThan(0);
          }
          return name;
        });
        if (names.some((n) => n.endsWith('.(*LoginCache).Lookup'))) lookup += v;
        if (names.includes('sync.(*Mutex).lockSlow')) lock += v;
      }
      return { total, lookup: lookup / total, lock: lock / total };
    };
    const files = readdirSync(dir).sort();
    const newPod = files.filter((f) => f.startsWith('ride-84bd6f5c7-8vj2d-') && f > 'ride-84bd6f5c7-8vj2d-20250603T1005');
    const oldPod = files.filter((f) => f.startsWith('ride-5c8f7d9b6-4jx8n-'));
    expect(newPod.length).toBeGreaterThan(10);
    for (const f of newPod) {
      const s = share(f);
      expect(s.lookup, f).toBeGreaterThan(0.5);
      expect(s.lock, f).toBeGreaterThan(0.1);
    }
    for (const f of oldPod) expect(share(f).lookup, f).toBeLessThan(0.25);
  });

  it('metrics: OpenMetrics with one block per family, sorted, ending in # EOF; histogram counts match the server spans', () => {
    const text = gunzipSync(readFileSync(path.join(DIR, 'metrics/metrics.om.gz'))).toString('utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!);
    expect(families).toEqual([...families].sort());
    expect(new Set(families).size).toBe(families.length);
    expect(families).toEqual(expect.arrayContaining(['http_server_request_duration_seconds', 'http_server_requests', 'process_cpu_seconds', 'go_goroutines', 'db_client_connections_usage', 'up']));
    // The last _count of each checkout series = the checkout server spans of that pod and status
    // that ended by that scrape.
    const last = new Map<string, { value: number; ts: number }>();
    for (const m of text.matchAll(/^http_server_request_duration_seconds_count\{([^}]*)\} (\S+) (\S+)$/gm)) last.set(m[1]!, { value: Number(m[2]), ts: Number(m[3]) * 1000 });
    const servers = spans.filter((s) => s.service === 'checkout' && s.kind === 2);
    let compared = 0;
    for (const [labels, { value, ts }] of last) {
      if (!labels.includes('service="checkout"')) continue;
      const pod = /instance="([^"]+)"/.exec(labels)![1]!;
      const status = Number(/http_response_status_code="(\d+)"/.exec(labels)![1]);
      const n = servers.filter((s) => s.resource['k8s.pod.name'] === pod && s.attributes['http.response.status_code'] === status && s.endMs <= ts).length;
      expect(value, labels).toBe(n);
      compared++;
    }
    expect(compared).toBe(4); // two pods × {201, 500}
    // The restarted catalog pod's CPU counter resets.
    const cpu = [...text.matchAll(/^process_cpu_seconds_total\{service="catalog",instance="catalog-58c6d4f9b7-bx5nq"\} (\S+) /gm)].map((m) => Number(m[1]));
    expect(cpu.some((v, i) => i > 0 && v < cpu[i - 1]!)).toBe(true);
  });

  it.skipIf(!hasPromtool)('metrics backfill with promtool tsdb create-blocks-from openmetrics', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'ql-om-'));
    try {
      const file = path.join(tmp, 'm.om');
      writeFileSync(file, gunzipSync(readFileSync(path.join(DIR, 'metrics/metrics.om.gz'))));
      const out = execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, path.join(tmp, 'data')], { encoding: 'utf8' });
      expect(out).toMatch(/BLOCK ULID/);
      expect(existsSync(path.join(tmp, 'data'))).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
