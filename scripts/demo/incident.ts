// incident.yaml of the demo bundle: metadata, questions in four languages and the truth used by evals.
import YAML from 'yaml';
import { BASELINE, ID, INCIDENT, SERVICES, WINDOW } from './scenario.js';
import { lineOf } from './gosource.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export function incidentYaml(): string {
  const doc = {
    id: ID,
    title: 'Checkout orders failing with duplicate-key errors; ride driver lookups slow after 1.8.0 rollout',
    system: 'shop',
    window: { start: iso(WINDOW.start), end: iso(WINDOW.end) },
    baseline: { start: iso(BASELINE.start), end: iso(BASELINE.end) },
    incident: { start: iso(INCIDENT.start), end: iso(INCIDENT.end) },
    questions: [
      { lang: 'en', text: 'Why are orders failing since 10:04?' },
      { lang: 'fr', text: 'Pourquoi les commandes échouent-elles depuis 10h ?' },
      { lang: 'es', text: '¿Por qué fallan los pedidos desde las 10:04?' },
      { lang: 'de', text: 'Warum schlagen Bestellungen seit 10:04 Uhr fehl?' },
    ],
    truth: {
      service: 'checkout',
      fault: 'duplicate-key',
      span: 'INSERT INTO orders',
      function: 'github.com/acme/checkout/internal/orders.(*Repository).Insert',
      file: 'internal/orders/repository.go',
      line: lineOf('checkout', 'internal/orders/repository.go', 'r.db.ExecContext(ctx, insertOrder'),
      error: 'pq: duplicate key value violates unique constraint "orders_pkey"',
      attribute: { key: 'app.client_retry', value: true },
      explanation:
        'Since 10:04 clients retry checkouts with the order id of their first attempt; CreateOrder reuses that id ' +
        '(internal/orders/service.go) and Repository.Insert has no ON CONFLICT clause, so the INSERT violates orders_pkey ' +
        'and the request fails with HTTP 500.',
    },
    secondary_truth: {
      service: 'ride',
      fault: 'missing-index+lock-contention',
      span: 'SELECT FROM car_login',
      query: 'SELECT id, driver_id, last_seen FROM car_login WHERE driver_id = $1 AND active = true ORDER BY last_seen DESC LIMIT 1',
      attribute: { key: 'service.version', value: '1.8.0' },
      function: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup',
      file: 'internal/driver/login_cache.go',
      lines: [lineOf('ride', 'internal/driver/login_cache.go', 'func (c *LoginCache) Lookup'), lineOf('ride', 'internal/driver/login_cache.go', 'return best, found')],
      explanation:
        'The ride 1.8.0 pods (two of four from 10:04) query car_login without the driver_id index that migration 0014 ' +
        'did not recreate (sequential scan, 400-1500 ms instead of 2-5 ms), and LoginCache.Lookup scans every active ' +
        'login under the cache mutex (hot in the CPU profile under sync.(*Mutex).Lock). Pods on 1.7.2 stay fast.',
    },
    distractors: [
      'catalog: a pod OOM-killed and restarted at 09:58 (a few 502s, counter reset)',
      'catalog: rare 2 s timeouts from the frontend when a products query waits on a lock (baseline and incident)',
      'auth: 401 responses for bad credentials (client errors, not a fault)',
      'frontend: one log line whose user agent carries a prompt-injection attempt',
    ],
    repositories: Object.fromEntries(Object.values(SERVICES).map((s) => [s.name, s.repo])),
    generator: 'scripts/make-demo.ts (npm run demo:generate)',
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
