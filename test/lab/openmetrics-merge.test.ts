// The lab receiver's merge of /metrics scrapes into one timestamped OpenMetrics file (evals/lab/
// receiver/openmetrics.js, plain Node: runs without the lab's dependencies), read back by our parser.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseOpenMetrics } from '../../src/sources/bundle/openmetrics.js';

const require = createRequire(import.meta.url);
const { MetricsStore } = require('../../evals/lab/receiver/openmetrics.js') as { MetricsStore: new () => { addScrape(text: string, t: number, labels: Record<string, string>): void; toOpenMetrics(): string } };

// The shape prom-client writes with the OpenMetrics content type (counter family without _total, exemplar-free).
const scrape = (cpu: number, p: number) => `# HELP process_cpu_seconds Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds counter
process_cpu_seconds_total ${cpu}
# HELP db_client_connections_pending_requests Requests waiting for a connection from the pool.
# TYPE db_client_connections_pending_requests gauge
db_client_connections_pending_requests{pool_name="orders"} ${p}
# HELP http_server_request_duration_seconds Duration of HTTP requests served.
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{le="0.1",http_route="/orders"} 3
http_server_request_duration_seconds_bucket{le="+Inf",http_route="/orders"} 4
http_server_request_duration_seconds_sum{http_route="/orders"} 0.5
http_server_request_duration_seconds_count{http_route="/orders"} 4
# EOF
`;

describe('lab OpenMetrics merge', () => {
  it('keeps each family once, adds service/instance labels and the scrape time, and parses back', () => {
    const m = new MetricsStore();
    m.addScrape(scrape(1.5, 0), 1_700_000_000_000, { service: 'orders', instance: 'orders-1' });
    m.addScrape(scrape(2.25, 3), 1_700_000_005_000, { service: 'orders', instance: 'orders-1' });
    m.addScrape(scrape(0.5, 0), 1_700_000_005_000, { service: 'payments', instance: 'payments-1' });
    const text = m.toOpenMetrics();
    expect(text.match(/^# TYPE process_cpu_seconds counter$/gm)).toHaveLength(1);
    expect(text.endsWith('# EOF\n')).toBe(true);
    const { store, problems } = parseOpenMetrics(text);
    expect(problems).toEqual([]);
    const cpu = store.byName.get('process_cpu_seconds_total')!;
    const orders = cpu.find((s) => s.labels.service === 'orders')!;
    expect(orders.labels.instance).toBe('orders-1');
    expect([...orders.t]).toEqual([1_700_000_000_000, 1_700_000_005_000]);
    expect([...orders.v]).toEqual([1.5, 2.25]);
    const pending = store.byName.get('db_client_connections_pending_requests')!.find((s) => s.labels.service === 'orders')!;
    expect([...pending.v]).toEqual([0, 3]);
    expect(store.byName.get('http_server_request_duration_seconds_bucket')).toHaveLength(4); // 2 buckets × 2 services
  });
});
