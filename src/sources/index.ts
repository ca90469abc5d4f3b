// Builds the Sources for a configuration: a bundle when one is given, else the configured live backends.
import type { Config } from '../config.js';
import type { Sources } from './types.js';
import { openBundle, type BundleOptions } from './bundle/load.js';
import { createPrometheusSource } from './remote/prometheus.js';
import { TempoTraceSource } from './remote/tempo.js';
import { createPyroscopeSource } from './remote/pyroscope.js';
import { githubFromConfig } from './remote/github.js';
import { LokiLogSource } from './remote/loki.js';
import { guardRemoteSource } from './remote/guard.js';

export async function createSources(config: Config, opts: BundleOptions = {}): Promise<Sources> {
  if (config.bundle) {
    const b = await openBundle(config.bundle, opts);
    if (config.grafana) b.grafana = { url: config.grafana.url, datasources: config.grafana.uids };
    // A bundle without a source/ tree can still read code from GitHub when a token or repositories are configured.
    if (!b.code && (config.github.token || Object.keys(config.github.repos).length || config.github.repo)) {
      b.code = githubFromConfig(config.github, undefined, b.defaults.window, b.incident.repositories);
      b.immutable = false; // code read from GitHub can change under a ref
    }
    return b;
  }
  const now = Date.now();
  const sources: Sources = {
    defaults: { window: { start: now - 3_600_000, end: now } },
    problems: [],
    describe: 'live backends',
    grafana: config.grafana ? { url: config.grafana.url, datasources: config.grafana.uids } : undefined,
  };
  // Remote sources register here as their clients land (see src/sources/remote/).
  // Each is wrapped so an answer of an unforeseen shape is an error naming the backend (remote/guard.ts).
  const b = config.backends;
  const metrics = createPrometheusSource(b.prometheus);
  if (metrics && b.prometheus) sources.metrics = guardRemoteSource('prometheus', b.prometheus.url, metrics);
  if (b.tempo) sources.traces = guardRemoteSource('tempo', b.tempo.url, new TempoTraceSource(b.tempo));
  if (b.loki) sources.logs = guardRemoteSource('loki', b.loki.url, new LokiLogSource(b.loki));
  const profiles = createPyroscopeSource(b.pyroscope);
  if (profiles && b.pyroscope) sources.profiles = guardRemoteSource('pyroscope', b.pyroscope.url, profiles);
  sources.code = githubFromConfig(config.github, sources.profiles, sources.defaults.window);
  return sources;
}

export function describeMissing(sources: Sources): string[] {
  const missing: string[] = [];
  if (!sources.traces) missing.push('traces (set TEMPO_URL, or GRAFANA_URL + GRAFANA_TEMPO_UID, or --bundle DIR)');
  if (!sources.logs) missing.push('logs (set LOKI_URL, or GRAFANA_URL + GRAFANA_LOKI_UID, or --bundle DIR)');
  if (!sources.metrics) missing.push('metrics (set PROMETHEUS_URL, or GRAFANA_URL + GRAFANA_PROMETHEUS_UID, or --bundle DIR)');
  if (!sources.profiles) missing.push('profiles (set PYROSCOPE_URL, or GRAFANA_URL + GRAFANA_PYROSCOPE_UID, or --bundle DIR)');
  return missing;
}
