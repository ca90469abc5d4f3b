// Grafana deep links: Explore (schemaVersion=1 panes) and the Drilldown apps. Only built when Grafana is configured.
import type { GrafanaLinkConfig, TimeRange } from './sources/types.js';

type DsType = 'prometheus' | 'loki' | 'tempo' | 'pyroscope';
const PLUGIN_TYPE: Record<DsType, string> = { prometheus: 'prometheus', loki: 'loki', tempo: 'tempo', pyroscope: 'grafana-pyroscope-datasource' };

function base(g: GrafanaLinkConfig): string {
  return g.url.replace(/\/+$/, '');
}

/** An Explore link for one query; `query` holds the datasource-specific query model fields. */
export function exploreLink(g: GrafanaLinkConfig | undefined, ds: DsType, range: TimeRange, query: Record<string, unknown>): string | undefined {
  const uid = g?.datasources[ds];
  if (!g || !uid) return undefined;
  const panes = {
    ql: {
      datasource: uid,
      queries: [{ refId: 'A', datasource: { type: PLUGIN_TYPE[ds], uid }, ...query }],
      range: { from: String(Math.floor(range.start)), to: String(Math.ceil(range.end)) },
    },
  };
  return `${base(g)}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

export function promqlExploreLink(g: GrafanaLinkConfig | undefined, range: TimeRange, expr: string): string | undefined {
  return exploreLink(g, 'prometheus', range, { expr, range: true, instant: false, editorMode: 'code' });
}

export function logqlExploreLink(g: GrafanaLinkConfig | undefined, range: TimeRange, expr: string): string | undefined {
  return exploreLink(g, 'loki', range, { expr, queryType: 'range' });
}

export function traceqlExploreLink(g: GrafanaLinkConfig | undefined, range: TimeRange, query: string): string | undefined {
  return exploreLink(g, 'tempo', range, { queryType: 'traceql', query, limit: 20, spss: 3 });
}

export function profileExploreLink(g: GrafanaLinkConfig | undefined, range: TimeRange, profileTypeId: string, labelSelector: string): string | undefined {
  return exploreLink(g, 'pyroscope', range, { queryType: 'profile', profileTypeId, labelSelector, groupBy: [] });
}

function filterParam(label: string, op: string, value: string): string {
  return `${label}|${op}|${value.replace(/\|/g, '__gfp__').replace(/,/g, '__gfc__')}`;
}

export function tracesDrilldownLink(
  g: GrafanaLinkConfig | undefined,
  range: TimeRange,
  opts: { filters?: Array<[string, string, string]>; metric?: 'rate' | 'errors' | 'duration'; actionView?: string; traceId?: string },
): string | undefined {
  const uid = g?.datasources.tempo;
  if (!g || !uid) return undefined;
  const p = new URLSearchParams({ 'var-ds': uid, from: String(Math.floor(range.start)), to: String(Math.ceil(range.end)), 'var-primarySignal': 'true' });
  for (const [l, op, v] of opts.filters ?? []) p.append('var-filters', filterParam(l, op, v));
  if (opts.metric) p.set('var-metric', opts.metric);
  if (opts.actionView) p.set('actionView', opts.actionView);
  if (opts.traceId) p.set('traceId', opts.traceId);
  return `${base(g)}/a/grafana-exploretraces-app/explore?${p.toString()}`;
}

export function logsDrilldownLink(g: GrafanaLinkConfig | undefined, range: TimeRange, service: string, opts: { level?: string } = {}): string | undefined {
  const uid = g?.datasources.loki;
  if (!g || !uid) return undefined;
  const value = encodeURIComponent(service.replace(/[/\\]/g, '-'));
  const p = new URLSearchParams({ 'var-ds': uid, from: String(Math.floor(range.start)), to: String(Math.ceil(range.end)) });
  if (opts.level) p.append('var-levels', `detected_level|=|${opts.level}`);
  return `${base(g)}/a/grafana-lokiexplore-app/explore/service/${value}/logs?${p.toString()}`;
}

export function metricsDrilldownLink(g: GrafanaLinkConfig | undefined, range: TimeRange, metric: string, opts: { filters?: Array<[string, string, string]>; groupBy?: string } = {}): string | undefined {
  const uid = g?.datasources.prometheus;
  if (!g || !uid) return undefined;
  const p = new URLSearchParams({ metric, from: String(Math.floor(range.start)), to: String(Math.ceil(range.end)), 'var-ds': uid });
  for (const [l, op, v] of opts.filters ?? []) p.append('var-filters', filterParam(l, op, v));
  if (opts.groupBy) {
    p.set('actionView', 'breakdown');
    p.set('var-groupby', opts.groupBy);
  }
  return `${base(g)}/a/grafana-metricsdrilldown-app/drilldown?${p.toString()}`;
}

export function profilesDrilldownLink(g: GrafanaLinkConfig | undefined, range: TimeRange, service: string, profileTypeId: string, diff = false): string | undefined {
  const uid = g?.datasources.pyroscope;
  if (!g || !uid) return undefined;
  const p = new URLSearchParams({
    explorationType: diff ? 'diff-flame-graph' : 'flame-graph',
    'var-dataSource': uid,
    'var-serviceName': service,
    'var-profileMetricId': profileTypeId,
    from: String(Math.floor(range.start)),
    to: String(Math.ceil(range.end)),
  });
  return `${base(g)}/a/grafana-pyroscope-app/explore?${p.toString()}`;
}
