// Transport limits: an over-size stdio message gets a JSON-RPC error and the server goes on; an
// over-size HTTP body gets 413 (not a connection reset).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/server.js';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { assertBuilt, CLI, MINI_BUNDLE, ROOT } from '../mcp/helpers.js';

describe('stdio: a message over 10 MiB', () => {
  let child: ChildProcessWithoutNullStreams;
  let out = '';
  let err = '';
  let exited: number | null | undefined;

  beforeAll(() => {
    assertBuilt();
    child = spawn(process.execPath, [CLI, 'mcp', '--bundle', MINI_BUNDLE], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', QUERYLESS_BUNDLE: '' } });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (exited = code));
  });

  afterAll(() => {
    child.stdin.end();
    child.kill();
  });

  const answer = async (id: number, ms = 20_000): Promise<Record<string, unknown>> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const line of out.split('\n')) {
        if (!line.trim()) continue;
        const m = JSON.parse(line) as { id?: number };
        if (m.id === id) return m as Record<string, unknown>;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no answer to request ${id}; stderr: ${err.slice(-500)}`);
  };
  const send = (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n');

  it('answers it with a JSON-RPC error, logs it, and keeps serving', async () => {
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    await answer(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search_logs', arguments: { regex: 'x'.repeat(11 * 1024 * 1024) } } });
    child.stdin.write(big + '\n');
    const refused = (await answer(7)) as { error?: { code: number; message: string } };
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toMatch(/message too large \(\d+ bytes, at most 10485760\)/);
    // Not JSON, and not JSON-RPC: answered too.
    child.stdin.write('{"jsonrpc":"2.0","id":8,"method":\n');
    expect(((await answer(8)) as { error?: { code: number } }).error?.code).toBe(-32700);
    send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_services', arguments: {} } });
    const ok = (await answer(9)) as { result?: { isError?: boolean } };
    expect(ok.result?.isError).toBeFalsy();
    expect(exited).toBeUndefined();
    expect(err).toMatch(/over the size limit/);
  }, 60_000);
});

describe('HTTP: an over-size body', () => {
  let running: RunningHttpServer;

  beforeAll(async () => {
    const sources = await openBundle(MINI_BUNDLE);
    running = await startHttpServer({ host: '127.0.0.1', port: 0, allowedHosts: [], allowedOrigins: [], sessionIdleMs: 60_000, createServer: () => createMcpServer(sources) });
  });

  afterAll(async () => {
    await running.close();
  });

  it('gets 413 with a JSON-RPC error, and the server goes on', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { padding: 'x'.repeat(20 * 1024 * 1024) } });
    const res = await fetch(running.url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body });
    expect(res.status).toBe(413);
    const j = (await res.json()) as { error: { code: number; message: string } };
    expect(j.error.message).toMatch(/Request too large/);
    const health = await fetch(running.url.replace(/\/mcp$/, '/healthz'));
    expect(health.status).toBe(200);
  }, 60_000);
});
