// How the HTTP client meets a backend that misbehaves on the wire, against a loopback server (found by
// the remote fuzz campaign, scripts/fuzz-remote.ts): a timed-out request was retried twice (three
// timeouts per request, past the call's own deadline), a Retry-After of an hour was waited 5 s and
// retried, and a body that is not the gzip its header says was "unreachable … check the service is running".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, HttpClient, retryAfterMs } from '../../src/http.js';

let server: http.Server | undefined;
let requests = 0;

async function serve(handler: http.RequestListener, timeoutMs = 2000): Promise<HttpClient> {
  requests = 0;
  server = http.createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new HttpClient({ name: 'tempo', url, headers: {}, timeoutMs, maxResponseBytes: 1 << 20, viaGrafana: false });
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('HTTP client against a misbehaving backend', () => {
  it('a request past the timeout fails once, naming the limit, without retries', async () => {
    // A timeout of a second: on a loaded machine (CI runs test files in parallel) a loopback server may
    // not have read the request within 150 ms, and the count below would be 0 (the other cases answer at
    // once and keep a 2 s ceiling for the same reason).
    const timers: NodeJS.Timeout[] = [];
    const c = await serve((_req, res) => timers.push(setTimeout(() => res.end('{}'), 5000)), 1000);
    const err = await c.json('/api/search').catch((e: unknown) => e);
    timers.forEach(clearTimeout);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/did not answer within 1000 ms/);
    expect(requests).toBe(1);
  });

  it('a Retry-After longer than the client waits ends the call at once and says how long', async () => {
    for (const retryAfter of ['3600', 'Wed, 21 Oct 2099 07:28:00 GMT']) {
      const c = await serve((_req, res) => res.writeHead(429, { 'retry-after': retryAfter }).end('too many outstanding requests'));
      const err = (await c.json('/api/search').catch((e: unknown) => e)) as BackendError;
      expect(err).toBeInstanceOf(BackendError);
      expect(err.status).toBe(429);
      expect(err.hint).toMatch(/the backend asks to retry after \d+ s/);
      expect(requests).toBe(1);
      server!.closeAllConnections();
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it('a short Retry-After is still honoured with retries', async () => {
    const c = await serve((_req, res) => (requests < 3 ? res.writeHead(503, { 'retry-after': '0' }).end('busy') : res.end('{"ok":true}')));
    expect(await c.json('/api/search')).toEqual({ ok: true });
    expect(requests).toBe(3);
  });

  it('a body that is not the gzip its header says is named as such, not as an unreachable backend', async () => {
    const c = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('{"traces":[]}'));
    const err = (await c.json('/api/search').catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/answered \/api\/search with a body that is not valid gzip although its Content-Encoding says so/);
    expect(err.message).not.toMatch(/unreachable/);
    expect(requests).toBe(1);
  });

  it('Retry-After reads delay-seconds and HTTP dates, nothing else', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
