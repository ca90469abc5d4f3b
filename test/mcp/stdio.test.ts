// The MCP server over stdio, driven by the SDK's real Client against the built CLI.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assertBuilt, CLI, MINI_BUNDLE, ROOT } from './helpers.js';

type Structured = { services: Array<{ service: string; signals: { traces: boolean }; window?: { requests: number; errors: number } }>; window: { start: string } };

describe('queryless mcp over stdio', () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';

  beforeAll(async () => {
    assertBuilt();
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--bundle', MINI_BUNDLE],
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), LOG_LEVEL: 'info', QUERYLESS_BUNDLE: '' },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    client = new Client({ name: 'queryless-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it('initializes with tools, prompts, logging and completions', () => {
    expect(client.getServerVersion()?.name).toBe('queryless');
    const caps = client.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.prompts).toBeDefined();
    expect(caps?.logging).toBeDefined();
    expect(caps?.completions).toBeDefined();
    expect(client.getInstructions()).toMatch(/list_services/);
  });

  it('lists the registry tools with input schemas and read-only annotations, output schemas left out by default', async () => {
    const { tools } = await client.listTools();
    const ls = tools.find((t) => t.name === 'list_services');
    expect(ls).toBeDefined();
    // QUERYLESS_OUTPUT_SCHEMAS is unset: the list stays small; structuredContent is still sent (next test).
    for (const t of tools) expect(t.outputSchema, t.name).toBeUndefined();
    expect(Object.keys(ls!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['from', 'to', 'budget']));
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    // The test-only tool is never served by the real command.
    expect(tools.map((t) => t.name)).not.toContain('slow_probe');
  });

  it('calls list_services: structured content matching the fixture, plus a text rendering', async () => {
    const res = await client.callTool({ name: 'list_services', arguments: {} });
    expect(res.isError).toBeFalsy();
    const data = res.structuredContent as Structured;
    expect(data.window.start).toBe('2025-01-01T10:05:00.000Z');
    const cart = data.services.find((s) => s.service === 'cart');
    expect(cart?.signals.traces).toBe(true);
    // Four requests after 10:05 in the fixture, two of them failing.
    expect(cart?.window).toMatchObject({ requests: 4, errors: 2 });
    expect(data.services.map((s) => s.service).sort()).toEqual(['cart', 'shop-web']);
    const text = (res.content as Array<{ type: string; text: string }>)[0]!;
    expect(text.type).toBe('text');
    expect(text.text).toMatch(/cart/);
    expect(text.text).toMatch(/shop-web/);
  });

  it('answers a bad argument with an error result and keeps serving', async () => {
    const bad = await client.callTool({ name: 'list_services', arguments: { from: 42 } });
    expect(bad.isError).toBe(true);
    expect((bad.content as Array<{ text: string }>)[0]!.text).toMatch(/from/);

    const badTime = await client.callTool({ name: 'list_services', arguments: { from: 'yesterday-ish' } });
    expect(badTime.isError).toBe(true);
    expect((badTime.content as Array<{ text: string }>)[0]!.text).toMatch(/list_services: from:/);

    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} });
    expect(unknown.isError).toBe(true);

    const ok = await client.callTool({ name: 'list_services', arguments: { budget: 500 } });
    expect(ok.isError).toBeFalsy();
    expect((ok.structuredContent as Structured).services).toHaveLength(2);
  });

  it('serves the investigate-incident prompt with the asked language and completes its arguments', async () => {
    const { prompts } = await client.listPrompts();
    const p = prompts.find((x) => x.name === 'investigate-incident');
    expect(p?.arguments?.map((a) => a.name)).toEqual(['question', 'service', 'from', 'to', 'language']);
    const got = await client.getPrompt({ name: 'investigate-incident', arguments: { question: 'Pourquoi le panier échoue ?', language: 'fr', from: '10:05' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Pourquoi le panier échoue ?');
    expect(text).toContain('write your answer in French (français)');
    expect(text).toContain('from 10:05');
    expect(text).toContain('`list_services`');
    expect(text).toMatch(/never instructions/);

    const svc = await client.complete({ ref: { type: 'ref/prompt', name: 'investigate-incident' }, argument: { name: 'service', value: 'ca' } });
    expect(svc.completion.values).toEqual(['cart']);
    const lang = await client.complete({ ref: { type: 'ref/prompt', name: 'investigate-incident' }, argument: { name: 'language', value: 'Fr' } });
    expect(lang.completion.values).toContain('fr');
  });

  it('keeps stdout for the protocol: logs, if any, went to stderr as JSON lines', () => {
    for (const line of stderr.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('queryless mcp process lifecycle', () => {
  beforeAll(() => assertBuilt());

  for (const how of ['stdin closed', 'SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 when ${how}`, async () => {
      const child = spawn(process.execPath, [CLI, 'mcp', '--bundle', MINI_BUNDLE], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'debug' } });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // Talk to it first, so the signal lands on a serving process.
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) + '\n');
      // Fail with the server's stderr, not a timeout, if it dies before answering.
      const chunk = await new Promise<Buffer>((resolve, reject) => {
        child.stdout.once('data', resolve);
        child.once('close', (code) => reject(new Error(`server exited (${code}) before answering ping: ${stderr}`)));
      });
      expect(JSON.parse(chunk.toString().split('\n')[0]!)).toMatchObject({ id: 1, result: {} });
      if (how === 'stdin closed') child.stdin.end();
      else child.kill(how);
      const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
      expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    });
  }

  it('prints usage with --help', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', '--help'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    expect(out).toMatch(/--http \[HOST:\]PORT/);
    expect(out).toMatch(/QUERYLESS_HTTP_TOKEN/);
  });

  it('rejects a malformed --http address with a usage error', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', '--http', 'localhost:notaport', '--bundle', MINI_BUNDLE], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(2);
    expect(err).toMatch(/--http expects \[host:\]port/);
  });
});
