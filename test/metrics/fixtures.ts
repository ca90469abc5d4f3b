// Synthetic OpenMetrics for the metric tests: a counter with resets, a sparse counter (gaps longer than
// the 5m lookback), a gauge, a classic histogram per route and a summary. Deterministic (seeded PRNG),
// irregular millisecond timestamps, so extrapolation and window edges are exercised.

export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0); // ms
export const STEP = 15_000;
export const POINTS = 240; // one hour

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ts = (ms: number) => (ms / 1000).toFixed(3);

export function syntheticOpenMetrics(): string {
  const rnd = prng(42);
  const lines: string[] = [];
  // Counter with resets at fixed points, two series.
  lines.push('# HELP app_requests Requests handled.', '# TYPE app_requests counter');
  for (const [svc, resetAt] of [
    ['checkout', [80, 170]],
    ['ride', [120]],
  ] as Array<[string, number[]]>) {
    let v = 100 * rnd();
    for (let i = 0; i < POINTS; i++) {
      if (resetAt.includes(i)) v = 3 * rnd();
      else v += 5 + 20 * rnd() + (i > 150 && svc === 'ride' ? 30 : 0);
      const t = T0 + i * STEP + Math.floor(rnd() * 900);
      lines.push(`app_requests_total{service="${svc}",code="200"} ${v} ${ts(t)}`);
    }
  }
  // Sparse counter: samples only in bursts, with gaps of 10 minutes.
  lines.push('# TYPE app_jobs counter');
  {
    let v = 0;
    for (let i = 0; i < POINTS; i++) {
      if (i % 60 >= 20) continue;
      v += 1 + Math.floor(rnd() * 3);
      lines.push(`app_jobs_total{queue="default"} ${v} ${ts(T0 + i * STEP + 333)}`);
    }
  }
  // Gauge per pod.
  lines.push('# HELP app_pool_in_use Connections in use.', '# TYPE app_pool_in_use gauge');
  for (const pod of ['a', 'b', 'c']) {
    for (let i = 0; i < POINTS; i++) {
      const v = 10 + 5 * rnd() + (pod === 'b' && i > 160 ? 25 : 0);
      lines.push(`app_pool_in_use{pod="${pod}",service="checkout"} ${v.toFixed(4)} ${ts(T0 + i * STEP + 50 * (pod.charCodeAt(0) - 96))}`);
    }
  }
  // Classic histogram per route; one route slows down from i=160; a reset at i=100 for one route.
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Infinity];
  lines.push('# HELP app_latency_seconds Request latency.', '# TYPE app_latency_seconds histogram');
  for (const route of ['/a', '/b']) {
    const counts = new Array<number>(bounds.length).fill(0);
    let sum = 0;
    const rows: string[][] = bounds.map(() => []);
    const sums: string[] = [];
    const cnts: string[] = [];
    for (let i = 0; i < POINTS; i++) {
      if (route === '/a' && i === 100) {
        counts.fill(0);
        sum = 0;
      }
      const n = 3 + Math.floor(rnd() * 6);
      for (let k = 0; k < n; k++) {
        const slow = route === '/b' && i >= 160;
        const x = (slow ? 0.8 : 0.02) * Math.exp(rnd() * 1.5);
        sum += x;
        for (let b = 0; b < bounds.length; b++) if (x <= bounds[b]!) counts[b]!++;
      }
      const t = ts(T0 + i * STEP + 111);
      bounds.forEach((b, j) => rows[j]!.push(`app_latency_seconds_bucket{route="${route}",le="${b === Infinity ? '+Inf' : b}"} ${counts[j]} ${t}`));
      sums.push(`app_latency_seconds_sum{route="${route}"} ${sum} ${t}`);
      cnts.push(`app_latency_seconds_count{route="${route}"} ${counts[bounds.length - 1]} ${t}`);
    }
    // OpenMetrics requires a series' samples contiguous; buckets in le order per series.
    for (const r of rows) lines.push(...r);
    lines.push(...sums, ...cnts);
  }
  // Summary with quantiles.
  lines.push('# TYPE app_rpc_seconds summary');
  for (const q of ['0.5', '0.99']) {
    for (let i = 0; i < POINTS; i += 2) lines.push(`app_rpc_seconds{quantile="${q}",method="get"} ${(Number(q) * (1 + rnd())).toFixed(5)} ${ts(T0 + i * STEP)}`);
  }
  {
    let c = 0;
    let s = 0;
    const sl: string[] = [];
    const cl: string[] = [];
    for (let i = 0; i < POINTS; i += 2) {
      c += 10;
      s += 5 * rnd();
      sl.push(`app_rpc_seconds_sum{method="get"} ${s} ${ts(T0 + i * STEP)}`);
      cl.push(`app_rpc_seconds_count{method="get"} ${c} ${ts(T0 + i * STEP)}`);
    }
    lines.push(...sl, ...cl);
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}
