// A minimal HTTP service skeleton shared by the shop's services: routing, JSON bodies, calls to other
// services through node:http (which the OpenTelemetry HTTP instrumentation traces), /metrics and the
// lab's control endpoint that switches a fault on.
'use strict';
const http = require('node:http');
const { trace, SpanStatusCode } = require('@opentelemetry/api');
const { shutdownTelemetry } = require('../../telemetry/otel.js');
const { createLogger } = require('../../telemetry/log.js');
const { createMetrics } = require('../../telemetry/metrics.js');
const { startProfiler } = require('../../telemetry/profiler.js');
const { activeFaults } = require('./faults.js');

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Calls another service; resolves with {status, body}; rejects on network errors and timeouts. */
function callService(metrics, peer, method, path, body, { timeoutMs = 5000 } = {}) {
  const base = process.env[`LAB_URL_${peer.toUpperCase()}`];
  if (!base) return Promise.reject(new Error(`no address for ${peer} (LAB_URL_${peer.toUpperCase()} unset)`));
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, timeout: timeoutMs, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        metrics.clientDuration.observe({ peer_service: peer, http_response_status_code: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = { raw: text };
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${peer} did not answer within ${timeoutMs} ms`)));
    req.on('error', (e) => {
      metrics.clientDuration.observe({ peer_service: peer, http_response_status_code: 'error' }, Number(process.hrtime.bigint() - started) / 1e9);
      reject(e);
    });
    req.end(payload);
  });
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Starts a service. `routes` maps "METHOD /path/:param" to async (ctx) => body; a thrown HttpError
 * answers with its status, anything else with 500 (and an error log carrying the stack).
 */
function startService(name, routes, { onStop } = {}) {
  const log = createLogger(name);
  const metrics = createMetrics(name);
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ');
    const names = [];
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)'))}$`);
    return { method, pattern, re, names, handler };
  });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://lab');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (url.pathname === '/__lab/fault' && req.method === 'POST') {
      const body = await readJson(req).catch(() => ({}));
      activeFaults.set(body.faults ?? []);
      res.writeHead(204);
      return res.end();
    }
    const route = table.find((r) => r.method === req.method && r.re.test(url.pathname));
    const started = process.hrtime.bigint();
    const span = trace.getActiveSpan();
    let status = 200;
    let out;
    try {
      if (!route) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
      // What a web framework's instrumentation does: name the server span after its route.
      span?.updateName(`${req.method} ${route.pattern}`);
      span?.setAttribute('http.route', route.pattern);
      const m = route.re.exec(url.pathname);
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      const body = req.method === 'GET' ? {} : await readJson(req);
      out = await route.handler({ params, query: url.searchParams, body, log, metrics, call: (peer, method, path, b, o) => callService(metrics, peer, method, path, b, o) });
    } catch (e) {
      status = e instanceof HttpError ? e.status : 500;
      out = { error: e.message };
      // Unexpected failures are recorded on the server span with their stack, as error handlers do.
      if (status >= 500 && !(e instanceof HttpError)) span?.recordException(e);
      if (status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      if (status >= 500) log.error(`${req.method} ${route?.pattern ?? url.pathname} failed: ${e.message}`, { 'exception.type': e.name, 'exception.message': e.message, 'exception.stacktrace': e.stack ?? '' });
    }
    metrics.requestDuration.observe({ http_route: route?.pattern ?? 'unknown', http_response_status_code: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
    const text = JSON.stringify(out ?? {});
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  const profiler = startProfiler({ service: name, receiverUrl: process.env.LAB_OTLP_URL });
  const port = Number(process.env.LAB_PORT);
  server.listen(port, '127.0.0.1', () => process.send?.({ ready: name, port }));
  const stop = async () => {
    server.close();
    await onStop?.().catch(() => {});
    await profiler.stop();
    await shutdownTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop()); // the recorder is gone: do not outlive it
  return { log, metrics };
}

module.exports = { startService, HttpError, callService };
