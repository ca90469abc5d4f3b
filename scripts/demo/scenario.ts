// The demo incident's cast: time window, services, pods and their lifetimes, traffic mix.
// Everything the signal writers share lives here so traces, logs, metrics and profiles agree.

export const ID = 'demo-checkout';
export const SEED = 'queryless-demo-checkout-v1';

const t = (hhmmss: string): number => Date.parse(`2025-06-03T${hhmmss}Z`);

/** Milliseconds since the epoch. */
export const WINDOW = { start: t('09:50:00'), end: t('10:20:00') };
export const BASELINE = { start: t('09:50:00'), end: t('10:04:00') };
export const INCIDENT = { start: t('10:04:00'), end: t('10:20:00') };
/** ride 1.8.0 rollout: two of the four pods replaced, new pods ready at 10:04. */
export const ROLLOUT = { oldPodsGone: t('10:03:50'), newPodsStarted: t('10:03:32'), newPodsReady: t('10:04:00') };
/** A catalog pod OOM-killed and restarted in the baseline (counter reset, a burst of 502s). */
export const CATALOG_RESTART = { down: t('09:58:07'), ready: t('09:58:34') };
export const SCRAPE_INTERVAL_MS = 15_000;

export type Language = 'go' | 'nodejs';

export interface ServiceDef {
  name: string;
  language: Language;
  namespace: string;
  port: number;
  repo: string;
}

export const SERVICES: Record<string, ServiceDef> = {
  frontend: { name: 'frontend', language: 'nodejs', namespace: 'shop', port: 3000, repo: 'acme/frontend' },
  checkout: { name: 'checkout', language: 'go', namespace: 'shop', port: 8080, repo: 'acme/checkout' },
  ride: { name: 'ride', language: 'go', namespace: 'shop', port: 8080, repo: 'acme/ride' },
  catalog: { name: 'catalog', language: 'go', namespace: 'shop', port: 8080, repo: 'acme/catalog' },
  auth: { name: 'auth', language: 'go', namespace: 'shop', port: 8080, repo: 'acme/auth' },
};

export interface Pod {
  service: string;
  name: string;
  version: string;
  host: string;
  ip: string;
  /** Process start (ms). */
  start: number;
  /** Serving traffic from (ms). */
  ready: number;
  /** Gone at (ms); undefined = alive until the end. */
  end?: number;
  /** Restart: down between down and ready (process restarted, counters reset). */
  restart?: { down: number; ready: number };
}

const EARLY = t('07:12:44'); // pods started long before the window
const node = (n: number): string => `ip-10-0-${n}-${[23, 41, 87, 112][n % 4]}.eu-west-1.compute.internal`;

export const PODS: Pod[] = [
  { service: 'frontend', name: 'frontend-6f9d7c8b5-2xkqp', version: '3.12.0', host: node(1), ip: '10.42.1.17', start: EARLY, ready: EARLY },
  { service: 'frontend', name: 'frontend-6f9d7c8b5-h7m4z', version: '3.12.0', host: node(2), ip: '10.42.2.9', start: EARLY + 4_000, ready: EARLY + 9_000 },
  { service: 'checkout', name: 'checkout-7d4b9f6c8-9tq2w', version: '2.4.1', host: node(1), ip: '10.42.1.33', start: EARLY, ready: EARLY },
  { service: 'checkout', name: 'checkout-7d4b9f6c8-lm5vx', version: '2.4.1', host: node(3), ip: '10.42.3.21', start: EARLY, ready: EARLY },
  { service: 'ride', name: 'ride-5c8f7d9b6-4jx8n', version: '1.7.2', host: node(2), ip: '10.42.2.14', start: EARLY, ready: EARLY },
  { service: 'ride', name: 'ride-5c8f7d9b6-kq2pz', version: '1.7.2', host: node(3), ip: '10.42.3.8', start: EARLY, ready: EARLY },
  { service: 'ride', name: 'ride-5c8f7d9b6-r7w3c', version: '1.7.2', host: node(1), ip: '10.42.1.52', start: EARLY, ready: EARLY, end: ROLLOUT.oldPodsGone },
  { service: 'ride', name: 'ride-5c8f7d9b6-zt6fm', version: '1.7.2', host: node(4), ip: '10.42.4.30', start: EARLY, ready: EARLY, end: ROLLOUT.oldPodsGone },
  { service: 'ride', name: 'ride-84bd6f5c7-8vj2d', version: '1.8.0', host: node(1), ip: '10.42.1.61', start: ROLLOUT.newPodsStarted, ready: ROLLOUT.newPodsReady },
  { service: 'ride', name: 'ride-84bd6f5c7-wc9hx', version: '1.8.0', host: node(4), ip: '10.42.4.44', start: ROLLOUT.newPodsStarted + 1_700, ready: ROLLOUT.newPodsReady },
  { service: 'catalog', name: 'catalog-58c6d4f9b7-bx5nq', version: '5.0.3', host: node(2), ip: '10.42.2.27', start: EARLY, ready: EARLY, restart: CATALOG_RESTART },
  { service: 'catalog', name: 'catalog-58c6d4f9b7-vp8kd', version: '5.0.3', host: node(4), ip: '10.42.4.12', start: EARLY, ready: EARLY },
  { service: 'auth', name: 'auth-6b7c9d8f4-g2hwr', version: '1.3.9', host: node(3), ip: '10.42.3.40', start: EARLY, ready: EARLY },
  { service: 'auth', name: 'auth-6b7c9d8f4-tz4jm', version: '1.3.9', host: node(2), ip: '10.42.2.55', start: EARLY, ready: EARLY },
];

/** Pods of a service that exist (process running) at time ms. */
export function podsAlive(service: string, ms: number): Pod[] {
  return PODS.filter((p) => p.service === service && p.start <= ms && (p.end === undefined || ms < p.end));
}

/** Pods that accept traffic at time ms (restarting pods excluded). */
export function podsServing(service: string, ms: number): Pod[] {
  return podsAlive(service, ms).filter((p) => p.ready <= ms && !(p.restart && ms >= p.restart.down && ms < p.restart.ready));
}

/** Whether the process of pod is up at ms (restarting pods are down for a while). */
export function podUp(p: Pod, ms: number): boolean {
  return p.start <= ms && (p.end === undefined || ms < p.end) && !(p.restart && ms >= p.restart.down && ms < p.restart.ready);
}

/** Start of the current process of pod (a restart begins a new process). */
export function processStart(p: Pod, ms: number): number {
  return p.restart && ms >= p.restart.ready ? p.restart.ready - 2_500 : p.start;
}

export type Route = 'catalog' | 'checkout' | 'ride' | 'login';

/** Requests per second at the frontend: a gentle morning ramp with a little wobble. */
export function trafficRate(ms: number): number {
  const minutes = (ms - WINDOW.start) / 60_000;
  return 2.1 + 0.012 * minutes + 0.15 * Math.sin(minutes / 4.3);
}

export const ROUTE_MIX: readonly (readonly [Route, number])[] = [
  ['catalog', 0.44],
  ['checkout', 0.17],
  ['ride', 0.24],
  ['login', 0.15],
];

export function inIncident(ms: number): boolean {
  return ms >= INCIDENT.start;
}
