// Prometheus metrics with prom-client, served as OpenMetrics text on /metrics: process CPU, memory,
// event-loop lag (default metrics), request durations per route, and the database pool's state.
'use strict';
const client = require('prom-client');

function createMetrics(service) {
  const registry = new client.Registry(client.Registry.OPENMETRICS_CONTENT_TYPE);
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const histogram = (name, help, labelNames) => new client.Histogram({ name, help, labelNames, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] });
  const requestDuration = histogram('http_server_request_duration_seconds', 'Duration of HTTP requests served, by route and status code.', ['http_route', 'http_response_status_code']);
  const clientDuration = histogram('http_client_request_duration_seconds', 'Duration of HTTP requests sent to other services, by peer and status code.', ['peer_service', 'http_response_status_code']);
  return { registry, requestDuration, clientDuration, client, service };
}

/** Gauges of a pg.Pool, read at scrape time. */
function observePool(metrics, pool, poolName) {
  const { client: c, registry } = metrics;
  const gauge = (name, help, read) => new c.Gauge({ name, help, labelNames: ['pool_name'], registers: [registry], collect() { this.set({ pool_name: poolName }, read()); } });
  gauge('db_client_connections_total', 'Connections open in the pool.', () => pool.totalCount);
  gauge('db_client_connections_idle', 'Idle connections in the pool.', () => pool.idleCount);
  gauge('db_client_connections_pending_requests', 'Requests waiting for a connection from the pool.', () => pool.waitingCount);
}

module.exports = { createMetrics, observePool };
