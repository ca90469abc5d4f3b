// Fault matrix: each of the four backends in turn is refused, answers 5xx, hangs, answers invalid
// JSON, answers JSON of the wrong shape, or answers too much, while the three others are healthy.
// Every cell must end in a partial answer that names the failing backend (and keeps the others).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import type { ToolDef } from '../../tools/types.js';

type Backend = 'prometheus' | 'loki' | 'tempo' | 'pyroscope';
type Fault = 'refused' | '5xx' | 'hang' | 'invalid-json' | 'wrong-shape' | 'oversized';
const BACKENDS: Backend[] = ['prometheus', 'loki', 'tempo', 'pyroscope'];
const FAULTS: Fault[] = ['refused', '5xx', 'hang', 'invalid-json', 'wrong-shape', 'oversized'];
const TITLE: Record<Backend, RegExp> = { prometheus: /prometheus/i, loki: /loki/i, tempo: /tempo/i, pyroscope: /pyroscope/i };
/** The service each healthy backend lists, so the partial answer can be checked for what survived. */
const SERVICE: Record<Backend, string> = { prometheus: 'svc-metrics', loki: 'svc-logs', tempo: 'svc-traces', pyroscope: 'svc-profiles' };
const MAX_BYTES = 64 * 1024;

/** Healthy answers, by backend and path. */
function healthy(b: Backend, url: string): unknown {
  switch (b) {
    case 'prometheus':
      return { status: 'success', data: url.includes('/label/service/') ? [SERVICE.prometheus] : [] };
    case 'loki':
      return { status: 'success', data: [SERVICE.loki] };
    case 'tempo':
      return url.includes('/api/search?') || url.startsWith('/tempo/api/search?') ? { traces: [] } : { tagValues: [{ type: 'string', value: SERVICE.tempo }] };
    case 'pyroscope':
      return { names: [SERVICE.pyroscope] };
  }
}

const WRONG_SHAPE: Record<Backend, unknown> = {
  prometheus: { status: 'success', data: { unexpected: true } },
  loki: { status: 'success', data: 'svc-logs' },
  tempo: { tagValues: 'svc-traces' },
  pyroscope: { names: 'svc-profiles' },
};

let server: http.Server;
let base = '';
let refusedUrl = '';
const sockets = new Set<Socket>();
let faulty: { backend: Backend; fault: Fault } | undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const backend = BACKENDS.find((b) => url.startsWith(`/${b}/`))!;
    req.resume();
    req.on('end', () => {
      const fault = faulty?.backend === backend ? faulty.fault : undefined;
      if (fault === 'hang') return; // never answers; the socket is destroyed in afterAll
      if (fault === '5xx') {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        return res.end('upstream connect error or disconnect/reset before headers');
      }
      if (fault === 'invalid-json') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end('<html><body>Please log in</body></html>');
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (fault === 'wrong-shape') return res.end(JSON.stringify(WRONG_SHAPE[backend]));
      if (fault === 'oversized') return res.end(JSON.stringify({ ...(healthy(backend, url) as object), padding: 'x'.repeat(MAX_BYTES * 3) }));
      res.end(JSON.stringify(healthy(backend, url.slice(backend.length + 1))));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free: connections to it are refused.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

async function listWith(backend?: Backend, fault?: Fault) {
  faulty = backend && fault ? { backend, fault } : undefined;
  const env: Record<string, string> = { QUERYLESS_TIMEOUT_MS: '400', QUERYLESS_MAX_RESPONSE_BYTES: String(MAX_BYTES) };
  for (const b of BACKENDS) env[`${b.toUpperCase()}_URL`] = b === backend && fault === 'refused' ? `${refusedUrl}/${b}` : `${base}/${b}`;
  const sources = await createSources(loadConfig(env));
  return runTool(listServices as unknown as ToolDef, { from: '2025-01-01T10:00:00Z', to: '2025-01-01T11:00:00Z' }, { sources, signal: new AbortController().signal, progress: () => {} });
}

describe('fault matrix: 4 backends × 6 faults → a partial answer naming the backend', () => {
  it('all healthy: every backend contributes', async () => {
    const r = await listWith();
    expect(r.isError, r.text).toBe(false);
    expect((r.structured!.services as Array<{ service: string }>).map((s) => s.service)).toEqual(Object.values(SERVICE).sort());
    expect(r.structured!.problems).toBeUndefined();
  });

  for (const backend of BACKENDS) {
    for (const fault of FAULTS) {
      it(`${backend} ${fault}`, async () => {
        const r = await listWith(backend, fault);
        expect(r.isError, r.text).toBe(false);
        const names = (r.structured!.services as Array<{ service: string }>).map((s) => s.service);
        for (const other of BACKENDS.filter((b) => b !== backend)) expect(names).toContain(SERVICE[other]);
        expect(names).not.toContain(SERVICE[backend]);
        const problems = (r.structured!.problems as string[]).join('\n');
        expect(problems).toMatch(TITLE[backend]);
        expect(r.text).toMatch(/partial answer/);
        expect(r.text).toMatch(TITLE[backend]);
        // Readable: no stack traces, no raw JavaScript errors, bounded.
        expect(problems).not.toMatch(/TypeError|at .*\.js:\d+|Cannot read prop/);
        expect(problems.length).toBeLessThan(2000);
        if (fault === 'wrong-shape') expect(problems).toMatch(/expected/);
        if (fault === 'invalid-json') expect(problems).toMatch(/not JSON/);
        if (fault === 'oversized') expect(problems).toMatch(/too large/);
        if (fault === '5xx') expect(problems).toMatch(/503/);
        if (fault === 'hang') expect(problems).toMatch(/did not answer within/);
        if (fault === 'refused') expect(problems).toMatch(/unreachable|ECONNREFUSED/);
      }, 20_000);
    }
  }
});
