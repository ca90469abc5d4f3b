// Parity with a real Prometheus: backfill OpenMetrics with promtool, start Prometheus on 127.0.0.1, and
// check that the bundle evaluator and the remote client return the same numbers (relative error ≤ 1e-9)
// for every default query of explore_metric and breakdown_metric, at several instants and ranges.
// Runs when `prometheus` and `promtool` are installed (.ci/prometheus.sh installs them), else skips.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { syntheticOpenMetrics, T0, STEP, POINTS } from './fixtures.js';
import { BundleMetricSource } from '../../src/sources/bundle/metrics.js';
import { parseOpenMetrics } from '../../src/sources/bundle/openmetrics.js';
import { PrometheusSource } from '../../src/sources/remote/prometheus.js';
import { semanticsForVersion } from '../../src/analysis/metrics/eval.js';
import { labelsKey } from '../../src/analysis/metrics/eval.js';
import { buildFamilies, type MetricFamily } from '../../src/analysis/metrics/catalog.js';
import { breakdownQueries, defaultQueries, type DefaultQuery } from '../../src/analysis/metrics/defaults.js';
import type { MetricSource, SeriesPoints } from '../../src/sources/types.js';

const which = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const haveProm = which('prometheus') && which('promtool');
if (!haveProm) console.log('prometheus-parity: skipped — `prometheus`/`promtool` not on PATH (run .ci/prometheus.sh to install them)');

const DEMO = path.resolve(process.cwd(), 'evals/incidents/demo-checkout/metrics/metrics.om.gz');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Same label sets, values within 1e-9 relative (NaN equals NaN; infinities must match). */
let pointsCompared = 0;
function compare(what: string, a: SeriesPoints[], b: SeriesPoints[]): string[] {
  const errs: string[] = [];
  for (const s of a) pointsCompared += s.points.length;
  const norm = (l: Record<string, string>) => labelsKey(Object.fromEntries(Object.entries(l).filter(([, v]) => v !== '')));
  const bm = new Map(b.map((s) => [norm(s.labels), s]));
  if (a.length !== b.length) errs.push(`${what}: ${a.length} series in the bundle vs ${b.length} in Prometheus`);
  for (const s of a) {
    const o = bm.get(norm(s.labels));
    if (!o) {
      errs.push(`${what}: series ${JSON.stringify(s.labels)} missing in Prometheus`);
      continue;
    }
    const om = new Map(o.points.map(([t, v]) => [t, v]));
    if (s.points.length !== o.points.length) errs.push(`${what} ${JSON.stringify(s.labels)}: ${s.points.length} points vs ${o.points.length}`);
    for (const [t, v] of s.points) {
      const w = om.get(t);
      if (w === undefined) {
        errs.push(`${what} ${JSON.stringify(s.labels)}: no Prometheus point at ${new Date(t).toISOString()}`);
        break;
      }
      const same = (Number.isNaN(v) && Number.isNaN(w)) || v === w || Math.abs(v - w) <= 1e-9 * Math.max(Math.abs(v), Math.abs(w));
      if (!same) {
        errs.push(`${what} ${JSON.stringify(s.labels)} at ${new Date(t).toISOString()}: bundle ${v} vs prometheus ${w}`);
        break;
      }
    }
  }
  return errs;
}

describe.skipIf(!haveProm)('parity with a real Prometheus (promtool backfill)', () => {
  let dir = '';
  let proc: ChildProcess | undefined;
  let remote: PrometheusSource;
  let bundle: BundleMetricSource;
  let families: MetricFamily[] = [];
  let demoRange: { start: number; end: number } | undefined;
  let log = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'queryless-prom-'));
    // One OpenMetrics file: our fixtures, plus the demo bundle's metrics when present.
    let text = syntheticOpenMetrics().replace(/# EOF\n$/, '');
    if (existsSync(DEMO)) {
      const demo = gunzipSync(readFileSync(DEMO)).toString('utf8');
      text += demo.split('\n').filter((l) => l !== '' && l !== '# EOF').join('\n') + '\n';
    }
    text += '# EOF\n';
    const om = path.join(dir, 'data.om');
    writeFileSync(om, text);
    const data = path.join(dir, 'data');
    const bf = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], { encoding: 'utf8' });
    if (bf.status !== 0) throw new Error(`promtool backfill failed: ${bf.stderr || bf.stdout}`);
    const cfg = path.join(dir, 'prometheus.yml');
    writeFileSync(cfg, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const port = await freePort();
    proc = spawn('prometheus', [`--config.file=${cfg}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`${url}/-/ready`);
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
      if (proc.exitCode !== null) throw new Error(`prometheus exited: ${log.slice(-2000)}`);
      if (i > 600) throw new Error(`prometheus not ready: ${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    remote = new PrometheusSource({ name: 'prometheus', url, headers: {}, timeoutMs: 60_000, maxResponseBytes: 200e6, viaGrafana: false });
    const info = await remote.buildInfo();
    const { store, problems } = parseOpenMetrics(text, 'parity.om');
    expect(problems).toEqual([]);
    bundle = new BundleMetricSource([], [], semanticsForVersion(process.env.PARITY_FORCE_VERSION ?? info?.version ?? '3.0.0'), store);
    families = buildFamilies([...store.byName.keys()], [...store.families.values()]);
    if (existsSync(DEMO)) {
      const demoNames = new Set(gunzipSync(readFileSync(DEMO)).toString('utf8').match(/^[a-zA-Z_:][a-zA-Z0-9_:]*(?=[{ ])/gm) ?? []);
      const ts = [...demoNames].flatMap((n) => (store.byName.get(n) ?? []).flatMap((s) => [s.t[0]!, s.t[s.t.length - 1]!]));
      demoRange = { start: Math.min(...ts), end: Math.max(...ts) };
    }
  });

  afterAll(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function queriesFor(src: MetricSource, f: MetricFamily, range: { start: number; end: number }): Promise<DefaultQuery[]> {
    const out = defaultQueries(f, { windowMs: 600_000 });
    const series = await src.series(`{__name__=~"${f.sampleNames.join('|')}"}`, range);
    const labels = new Set(series.flatMap((s) => Object.keys(s)).filter((l) => !['__name__', 'le', 'quantile'].includes(l)));
    for (const l of labels) out.push(...breakdownQueries(f, l, {}));
    return out;
  }

  async function check(range: { start: number; end: number }, names: (f: MetricFamily) => boolean) {
    const queries: Array<{ promql: string; instantOnly?: boolean }> = [];
    for (const f of families.filter(names)) queries.push(...(await queriesFor(bundle, f, range)));
    return checkQueries(range, queries);
  }

  async function checkQueries(range: { start: number; end: number }, queries: Array<{ promql: string; instantOnly?: boolean }>) {
    const errs: string[] = [];
    let compared = 0;
    const len = range.end - range.start;
    // Instants: aligned to samples, between samples, just after the end (lookback/staleness), odd ms.
    const instants = [range.start + 7 * 60_000, range.start + len / 2 + 1, range.start + len * 0.73, range.end, range.end + 4 * 60_000, range.end + 6 * 60_000, range.start + 20 * 60_000 + 333];
    const ranges: Array<[number, number, number]> = [
      [range.start, range.end, 60_000],
      [range.start + 90_000, range.end - 30_000, 15_000],
      [range.start - 600_000, range.end + 600_000, 37_000],
    ];
    {
      for (const q of queries) {
        for (const t of instants) {
          const [a, b] = await Promise.all([bundle.instant(q.promql, Math.round(t)), remote.instant(q.promql, Math.round(t))]);
          errs.push(...compare(`${q.promql} @${new Date(Math.round(t)).toISOString()}`, a, b));
          compared++;
        }
        if (q.instantOnly) continue;
        for (const [s, e, step] of ranges) {
          const r = { start: Math.round(s), end: Math.round(e) };
          const [a, b] = await Promise.all([bundle.range(q.promql, r, step), remote.range(q.promql, r, step)]);
          errs.push(...compare(`${q.promql} [${new Date(r.start).toISOString()}..${step / 1000}s]`, a, b));
          compared++;
        }
      }
    }
    console.log(`prometheus-parity: ${compared} query evaluations, ${pointsCompared} points compared so far`);
    return { errs, compared };
  }

  it('matches on synthetic counters with resets, sparse series, gauges, histograms and summaries', async () => {
    const { errs, compared } = await check({ start: T0, end: T0 + POINTS * STEP }, (f) => f.name.startsWith('app_'));
    expect(compared).toBeGreaterThan(100);
    expect(errs.slice(0, 20)).toEqual([]);
  });

  it('matches on the functions, subqueries and modifiers written by hand (not by our builders)', async () => {
    const queries = [
      'changes(app_pool_in_use[10m])',
      'resets(app_requests_total[30m])',
      'deriv(app_pool_in_use[10m])',
      'predict_linear(app_pool_in_use[15m], 600)',
      'quantile_over_time(0.9, app_pool_in_use[20m])',
      'stddev_over_time(app_pool_in_use[10m])',
      'max_over_time(rate(app_requests_total[5m])[30m:1m])',
      'avg_over_time(sum by (service) (app_pool_in_use)[15m:2m] offset 5m)',
      'min_over_time(app_pool_in_use[7m:45s])',
      'label_replace(app_pool_in_use, "p", "pod-$1", "pod", "(.*)")',
      'label_join(app_pool_in_use, "id", "/", "service", "pod")',
      'timestamp(app_pool_in_use)',
      'hour(timestamp(app_pool_in_use))',
      'minute()',
      'day_of_week()',
      'absent(app_pool_in_use{pod="zz", service="x"})',
      'absent_over_time(app_pool_in_use{pod="a"}[1m])',
      'histogram_quantile(0.9, sum by (le, route) (rate(app_latency_seconds_bucket[5m])))',
      'round(app_pool_in_use, 0.5)',
      'clamp(app_pool_in_use, 12, 14)',
      'sgn(deriv(app_pool_in_use[5m]))',
      'cos(app_pool_in_use) + sin(app_pool_in_use)',
      'app_pool_in_use @ end() - app_pool_in_use @ start()',
      'rate(app_requests_total[5m] @ start())',
      'count_values("v", round(app_pool_in_use))',
      'SUM BY (pod) (app_pool_in_use)',
      'quantile(0.3, app_pool_in_use)',
      'sum(app_pool_in_use) * 2.',
      'rate((app_requests_total[5m]))',
    ].map((promql) => ({ promql }));
    queries.push({ promql: 'sort_desc(app_pool_in_use)', instantOnly: true } as never);
    const { errs, compared } = await checkQueries({ start: T0, end: T0 + POINTS * STEP }, queries);
    expect(compared).toBeGreaterThan(200);
    expect(errs.slice(0, 20)).toEqual([]);
  });

  it('matches on the demo bundle metrics (when the demo bundle exists)', async () => {
    if (!demoRange) {
      console.log('prometheus-parity: demo bundle absent, demo part skipped');
      return;
    }
    const { errs, compared } = await check(demoRange, (f) => !f.name.startsWith('app_'));
    expect(compared).toBeGreaterThan(50);
    expect(errs.slice(0, 20)).toEqual([]);
  });
});
