// The MCP server over Streamable HTTP, in-process and spawned, driven by the SDK's real Client.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { Sources } from '../../src/sources/types.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.js';
import { assertBuilt, CLI, INITIALIZE, MINI_BUNDLE, rawRequest, ROOT, slowProbe } from './helpers.js';

const TOKEN = 'test-token-4f1c2a9b8e7d';

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'queryless-http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

describe('MCP over Streamable HTTP (in-process)', () => {
  let sources: Sources;
  let server: RunningHttpServer;
  let probe: ReturnType<typeof slowProbe>;
  const clients: Client[] = [];

  beforeAll(async () => {
    sources = await openBundle(MINI_BUNDLE);
    probe = slowProbe();
    server = await startHttpServer({ port: 0, sessionIdleMs: 60_000, createServer: () => createMcpServer(sources, { extraTools: [probe.def] }) });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('binds loopback by default and answers /healthz', async () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const res = await fetch(server.url.replace('/mcp', '/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('initializes, lists tools and calls one with structured content', async () => {
    const c = await connect(server.url);
    clients.push(c);
    expect(c.getServerVersion()?.name).toBe('queryless');
    const { tools } = await c.listTools();
    expect(tools.find((t) => t.name === 'list_services')?.inputSchema.properties).toHaveProperty('from');
    const res = await c.callTool({ name: 'list_services', arguments: {} });
    expect(res.isError).toBeFalsy();
    const services = (res.structuredContent as { services: Array<{ service: string; window?: { errors: number } }> }).services;
    expect(services.find((s) => s.service === 'shop-web')?.window?.errors).toBe(2);
    expect(server.sessionCount()).toBeGreaterThanOrEqual(1);
  });

  it('returns an error result for a bad argument, then serves the next call', async () => {
    const c = await connect(server.url);
    clients.push(c);
    const bad = await c.callTool({ name: 'list_services', arguments: { budget: 'lots' } });
    expect(bad.isError).toBe(true);
    expect((bad.content as Array<{ text: string }>)[0]!.text).toMatch(/budget/);
    const good = await c.callTool({ name: 'list_services', arguments: {} });
    expect(good.isError).toBeFalsy();
  });

  it('sends progress notifications when the request carries a progress token', async () => {
    const c = await connect(server.url);
    clients.push(c);
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const res = await c.callTool({ name: 'slow_probe', arguments: { steps: 3 } }, undefined, { onprogress: (p) => seen.push(p) });
    expect(res.structuredContent).toEqual({ steps: 3, cancelled: false });
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(seen[0]).toMatchObject({ total: 3, message: 'step 1 of 3' });
  });

  it('aborts the tool when the client cancels the request, and keeps serving', async () => {
    const c = await connect(server.url);
    clients.push(c);
    const ac = new AbortController();
    const call = c.callTool({ name: 'slow_probe', arguments: { steps: 1, wait: true } }, undefined, {
      signal: ac.signal,
      // Cancel once the tool is provably running (it reported progress).
      onprogress: () => ac.abort('user gave up'),
    });
    await expect(call).rejects.toThrow(/abort|cancel|gave up/i);
    // The server-side handler saw its AbortSignal fire (notifications/cancelled reached it).
    expect(await probe.cancelled).toMatch(/cancel|gave up|abort/i);
    const after = await c.callTool({ name: 'list_services', arguments: {} });
    expect(after.isError).toBeFalsy();
  });

  it('honours logging/setLevel: debug messages only after the client asks for them', async () => {
    const c = await connect(server.url);
    clients.push(c);
    const logs: LoggingMessageNotification['params'][] = [];
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });
    await c.callTool({ name: 'list_services', arguments: {} });
    expect(logs.filter((l) => l.level === 'debug')).toHaveLength(0);
    await c.setLoggingLevel('debug');
    await c.callTool({ name: 'list_services', arguments: {} });
    expect(logs.some((l) => l.level === 'debug' && String(l.data).includes('list_services answered'))).toBe(true);
    await c.setLoggingLevel('error');
    const n = logs.length;
    await c.callTool({ name: 'list_services', arguments: { from: 'not a time' } });
    expect(logs.length).toBe(n); // the warning about the bad call is below "error"
  });

  it('rejects a foreign Host (DNS rebinding) with 403 and accepts localhost on the bound port', async () => {
    const port = new URL(server.url).port;
    const evil = await rawRequest(server.url, { headers: { Host: 'evil.example.com' }, body: INITIALIZE });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.message).toMatch(/Host "evil\.example\.com" is not allowed/);
    const otherPort = await rawRequest(server.url, { headers: { Host: `localhost:${Number(port) + 1}` }, body: INITIALIZE });
    expect(otherPort.status).toBe(403);
    const ok = await rawRequest(server.url, { headers: { Host: `localhost:${port}` }, body: INITIALIZE });
    expect(ok.status).toBe(200);
    expect(ok.headers['mcp-session-id']).toBeTruthy();
  });

  it('rejects a foreign Origin with 403 and accepts a loopback Origin', async () => {
    const port = new URL(server.url).port;
    const evil = await rawRequest(server.url, { headers: { Origin: 'http://evil.example.com' }, body: INITIALIZE });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/Origin/);
    const nullOrigin = await rawRequest(server.url, { headers: { Origin: 'null' }, body: INITIALIZE });
    expect(nullOrigin.status).toBe(403);
    const ok = await rawRequest(server.url, { headers: { Origin: `http://localhost:${port}` }, body: INITIALIZE });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(`http://localhost:${port}`);
  });

  it('answers 404 for an unknown session, 400 without one, 404 off /mcp', async () => {
    const unknown = await rawRequest(server.url, { headers: { 'Mcp-Session-Id': 'nope' }, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(unknown.status).toBe(404);
    const none = await rawRequest(server.url, { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(none.status).toBe(400);
    const notJson = await rawRequest(server.url, { body: '{not json' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe(-32700);
    const elsewhere = await rawRequest(server.url.replace('/mcp', '/other'));
    expect(elsewhere.status).toBe(404);
  });
});

describe('MCP over HTTP with a bearer token', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    const sources = await openBundle(MINI_BUNDLE);
    server = await startHttpServer({ port: 0, token: TOKEN, sessionIdleMs: 60_000, createServer: () => createMcpServer(sources) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 401 with WWW-Authenticate without the token or with a wrong one', async () => {
    const missing = await rawRequest(server.url, { body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="queryless"/);
    expect(missing.body).not.toContain(TOKEN);
    const wrong = await rawRequest(server.url, { headers: { Authorization: `Bearer ${TOKEN}x` }, body: INITIALIZE });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/invalid_token/);
    const basic = await rawRequest(server.url, { headers: { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, body: INITIALIZE });
    expect(basic.status).toBe(401);
    await expect(connect(server.url)).rejects.toThrow();
  });

  it('serves a client that sends the token', async () => {
    const c = await connect(server.url, { Authorization: `Bearer ${TOKEN}` });
    const res = await c.callTool({ name: 'list_services', arguments: {} });
    expect(res.isError).toBeFalsy();
    await c.close();
  });

  it('keeps /healthz open to probes', async () => {
    expect((await fetch(server.url.replace('/mcp', '/healthz'))).status).toBe(200);
  });
});

describe('MCP HTTP sessions', () => {
  it('closes idle sessions; the client then gets 404 for its old session', async () => {
    const sources = await openBundle(MINI_BUNDLE);
    const server = await startHttpServer({ port: 0, sessionIdleMs: 300, createServer: () => createMcpServer(sources) });
    try {
      const init = await rawRequest(server.url, { body: INITIALIZE });
      const sid = String(init.headers['mcp-session-id']);
      expect(server.sessionCount()).toBe(1);
      while (server.sessionCount() > 0) await new Promise((r) => setTimeout(r, 100));
      const again = await rawRequest(server.url, { headers: { 'Mcp-Session-Id': sid }, body: { jsonrpc: '2.0', id: 2, method: 'ping' } });
      expect(again.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('closes every session and stops listening on close()', async () => {
    const sources = await openBundle(MINI_BUNDLE);
    const server = await startHttpServer({ port: 0, sessionIdleMs: 60_000, createServer: () => createMcpServer(sources) });
    const c = await connect(server.url);
    expect(server.sessionCount()).toBe(1);
    await server.close();
    expect(server.sessionCount()).toBe(0);
    await expect(fetch(server.url.replace('/mcp', '/healthz'))).rejects.toThrow();
    await c.close();
  });

  it('accepts configured extra hosts and origins', async () => {
    const sources = await openBundle(MINI_BUNDLE);
    const server = await startHttpServer({
      port: 0,
      sessionIdleMs: 60_000,
      allowedHosts: ['mcp.internal'],
      allowedOrigins: ['https://chat.example.org'],
      createServer: () => createMcpServer(sources),
    });
    try {
      const ok = await rawRequest(server.url, { headers: { Host: 'mcp.internal:8443', Origin: 'https://chat.example.org' }, body: INITIALIZE });
      expect(ok.status).toBe(200);
      const stillNot = await rawRequest(server.url, { headers: { Host: 'evil.example.com', Origin: 'https://chat.example.org' }, body: INITIALIZE });
      expect(stillNot.status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('queryless mcp --http (spawned)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves on a free port with a token from the environment, then exits 0 on SIGTERM', async () => {
    assertBuilt();
    child = spawn(process.execPath, [CLI, 'mcp', '--http', '127.0.0.1:0', '--bundle', MINI_BUNDLE], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', QUERYLESS_HTTP_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /"url":"(http:[^"]+)"/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const c = await connect(url, { Authorization: `Bearer ${TOKEN}` });
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toContain('list_services');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    await c.close().catch(() => undefined);
    expect(stderr).not.toContain(TOKEN);
    expect(stdout).toBe('');
  });
});
