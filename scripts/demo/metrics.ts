// Writes the scraped metrics as OpenMetrics text with timestamps (what `promtool tsdb
// create-blocks-from openmetrics` backfills): one block per family, families sorted by name,
// each series' points contiguous and in time order, `# EOF` at the end.
import { Rng } from './rng.js';
import { PODS, SCRAPE_INTERVAL_MS, SEED, SERVICES, WINDOW, podUp, processStart, type Pod } from './scenario.js';
import type { Simulation } from './model.js';

export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  unit?: string;
  /** series key → lines (already in time order) */
  series: Map<string, string[]>;
}

function labelText(labels: [string, string][]): string {
  return `{${labels.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(10)));
}

/** Scrape times of one target: every 15 s, offset per target (Prometheus spreads targets). */
function scrapeTimes(pod: Pod, offsetMs: number): number[] {
  const out: number[] = [];
  for (let t = WINDOW.start + offsetMs; t <= WINDOW.end; t += SCRAPE_INTERVAL_MS) if (t >= pod.start) out.push(t);
  return out;
}

const podAtEnd = (p: Pod, t: number): boolean => p.end !== undefined && t >= p.end;

export function openMetrics(sim: Simulation): string {
  const rng = new Rng(`${SEED}/metrics`);
  const fam = (name: string, type: Family['type'], help: string, unit?: string): Family => ({ name, type, help, unit, series: new Map() });
  const hist = fam('http_server_request_duration_seconds', 'histogram', 'Duration of HTTP server requests.', 'seconds');
  const reqs = fam('http_server_requests', 'counter', 'Number of HTTP server requests.');
  const cpu = fam('process_cpu_seconds', 'counter', 'Total user and system CPU time spent in seconds.', 'seconds');
  const gor = fam('go_goroutines', 'gauge', 'Number of goroutines that currently exist.');
  const pool = fam('db_client_connections_usage', 'gauge', 'The number of connections that are currently in state described by the state attribute.');
  const up = fam('up', 'gauge', 'Whether the last scrape of the target succeeded (1) or failed (0).');

  const offsets = new Map(PODS.map((p) => [p.name, Math.round(rng.uniform(200, 14_000))]));
  const push = (f: Family, key: string, line: string): void => {
    let list = f.series.get(key);
    if (!list) f.series.set(key, (list = []));
    list.push(line);
  };

  for (const pod of PODS) {
    const times = scrapeTimes(pod, offsets.get(pod.name)!);
    const go = SERVICES[pod.service]!.language === 'go';
    const target: [string, string][] = [
      ['service', pod.service],
      ['instance', pod.name],
    ];
    const obs = sim.observations.filter((o) => o.pod === pod).sort((a, b) => a.endMs - b.endMs);
    const work = sim.cpu.filter((w) => w.pod === pod).sort((a, b) => a.ms - b.ms);
    const dbUses = sim.dbUses.filter((d) => d.pod === pod);
    const serverSpans = sim.observations.filter((o) => o.pod === pod);

    // Per-series cumulative state since the current process started.
    interface H {
      labels: [string, string][];
      buckets: number[];
      count: number;
      sum: number;
    }
    let state = new Map<string, H>();
    let oi = 0;
    let wi = 0;
    let cpuTotal = 0;
    let procStart = -1;
    for (const t of times) {
      if (podAtEnd(pod, t)) break;
      const ts = (t / 1000).toFixed(3);
      const alive = podUp(pod, t);
      push(up, labelText(target), `up${labelText(target)} ${alive ? 1 : 0} ${ts}`);
      if (!alive) continue;
      const ps = processStart(pod, t);
      if (ps !== procStart) {
        // New process: counters start again from zero (a counter reset for the restarted pod).
        procStart = ps;
        state = new Map();
        cpuTotal = procStart < WINDOW.start ? ((WINDOW.start - procStart) / 1000) * (go ? 0.021 : 0.052) : 0.41;
        while (oi < obs.length && obs[oi]!.endMs <= procStart) oi++;
        while (wi < work.length && work[wi]!.ms <= procStart) wi++;
      }
      while (oi < obs.length && obs[oi]!.endMs <= t) {
        const o = obs[oi++]!;
        const labels: [string, string][] = [...target, ['http_request_method', o.method], ['http_route', o.route], ['http_response_status_code', String(o.status)]];
        const key = labelText(labels);
        let h = state.get(key);
        if (!h) state.set(key, (h = { labels, buckets: BUCKETS.map(() => 0), count: 0, sum: 0 }));
        h.count++;
        h.sum += o.durationS;
        BUCKETS.forEach((le, i) => {
          if (o.durationS <= le) h!.buckets[i]!++;
        });
      }
      while (wi < work.length && work[wi]!.ms <= t) cpuTotal += work[wi++]!.seconds;
      for (const [key, h] of [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const lines: string[] = [];
        BUCKETS.forEach((le, i) => lines.push(`${hist.name}_bucket${labelText([...h.labels, ['le', String(le)]])} ${h.buckets[i]} ${ts}`));
        lines.push(`${hist.name}_bucket${labelText([...h.labels, ['le', '+Inf']])} ${h.count} ${ts}`);
        lines.push(`${hist.name}_count${key} ${h.count} ${ts}`);
        lines.push(`${hist.name}_sum${key} ${num(Math.round(h.sum * 1e6) / 1e6)} ${ts}`);
        push(hist, key, lines.join('\n'));
        push(reqs, key, `${reqs.name}_total${key} ${h.count} ${ts}`);
      }
      push(cpu, labelText(target), `${cpu.name}_total${labelText(target)} ${num(Math.round(cpuTotal * 1000) / 1000)} ${ts}`);
      if (go) {
        const inflight = serverSpans.filter((o) => o.endMs > t && o.endMs - o.durationS * 1000 <= t).length;
        const slow = pod.version === '1.8.0' ? 22 + Math.round(rng.uniform(0, 14)) : 0;
        push(gor, labelText(target), `go_goroutines${labelText(target)} ${14 + 2 * inflight + slow + rng.int(0, 5)} ${ts}`);
        // Connections held now, plus those held during most of the last scrape interval (long queries).
        const used = dbUses.filter((d) => d.startMs <= t && d.endMs > t).length + (dbUses.some((d) => d.endMs > t - 7_500 && d.endMs - d.startMs > 300 && d.startMs <= t) ? 1 : 0);
        const maxIdle = pod.service === 'ride' ? 5 : 2;
        const idle = Math.max(0, Math.min(maxIdle, 3 + rng.int(0, 2) - used));
        push(pool, labelText([...target, ['pool_name', pod.service], ['state', 'idle']]), `${pool.name}${labelText([...target, ['pool_name', pod.service], ['state', 'idle']])} ${idle} ${ts}`);
        push(pool, labelText([...target, ['pool_name', pod.service], ['state', 'used']]), `${pool.name}${labelText([...target, ['pool_name', pod.service], ['state', 'used']])} ${used} ${ts}`);
      }
    }
  }

  const families = [hist, reqs, cpu, gor, pool, up].sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: string[] = [];
  for (const f of families) {
    out.push(`# TYPE ${f.name} ${f.type}`);
    if (f.unit) out.push(`# UNIT ${f.name} ${f.unit}`);
    out.push(`# HELP ${f.name} ${f.help}`);
    for (const key of [...f.series.keys()].sort()) out.push(...f.series.get(key)!);
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}
