// tools/list as a chat client pays for it (issue 15): through the SDK's real Client, the JSON-RPC
// answer as it crosses the transport, compact JSON bytes / 4 ≤ 4,000 tokens; with every registry tool
// still listed and callable on the demo incident, its structured content still matching the tool's
// output schema (which the default listing leaves out, so the SDK no longer checks it for us).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { tools } from '../../tools/index.js';
import { servedOutputSchema } from '../../tools/run.js';
import { SHARED_FIELDS } from '../../tools/listing.js';
import { ROOT } from './helpers.js';

const DEMO = path.join(ROOT, 'evals/incidents/demo-checkout');
const MAX_TOKENS = 4000;
const tokens = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8') / 4;

type Text = Array<{ type: string; text: string }>;

describe.skipIf(!existsSync(path.join(DEMO, 'incident.yaml')))('tools/list a chat client can afford (demo incident)', () => {
  let client: Client;
  /** Raw results of tools/list responses as they arrived on the client's transport. */
  const wire: unknown[] = [];
  beforeAll(async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(await openBundle(DEMO)).connect(serverSide);
    client = new Client({ name: 'tools-list-size', version: '1.0.0' });
    await client.connect(clientSide);
    // Tap the transport after the client installed its handler: what is measured is what was sent.
    const deliver = clientSide.onmessage!;
    clientSide.onmessage = (m: JSONRPCMessage, extra) => {
      if ('result' in m && m.result && Array.isArray((m.result as { tools?: unknown }).tools)) wire.push(m.result);
      deliver(m, extra);
    };
  });
  afterAll(async () => {
    await client?.close();
  });

  it(`the whole answer is at most ${MAX_TOKENS} tokens (compact JSON bytes / 4), every registry tool listed`, async () => {
    const listed = (await client.listTools()).tools;
    expect(wire).toHaveLength(1);
    const total = tokens(wire[0]);
    const perTool = Object.fromEntries(listed.map((t) => [t.name, Math.ceil(tokens(t))]));
    expect(total, `tools/list is ${Math.ceil(total)} tokens: ${JSON.stringify(perTool)}`).toBeLessThanOrEqual(MAX_TOKENS);
    expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
    for (const t of listed) {
      // Each still tells a model what it is for, and takes what it took before.
      expect(t.description?.length ?? 0, t.name).toBeGreaterThan(60);
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      const def = tools.find((d) => d.name === t.name)!;
      expect(Object.keys(t.inputSchema.properties ?? {}).sort(), t.name).toEqual(Object.keys(def.input.shape).concat('budget' in def.input.shape ? [] : ['budget']).sort());
      expect(t.outputSchema, t.name).toBeUndefined();
    }
  });

  it('the shared scope arguments are described once, in the instructions, not in each tool', async () => {
    const listed = (await client.listTools()).tools;
    for (const t of listed) {
      for (const f of SHARED_FIELDS) expect((t.inputSchema.properties?.[f] as { description?: string } | undefined)?.description, `${t.name}.${f}`).toBeUndefined();
    }
    const guide = client.getInstructions() ?? '';
    for (const f of SHARED_FIELDS) expect(guide, f).toContain(f);
    expect(guide).toMatch(/list_services/);
    expect(guide).toMatch(/PromQL, LogQL, TraceQL/);
    expect(tokens(guide)).toBeLessThan(600);
  });

  it('every tool answers on the demo incident, with structured content matching its output schema', { timeout: 300_000 }, async () => {
    const call = async (name: string, args: Record<string, unknown>) => {
      const res = await client.callTool({ name, arguments: args });
      return { isError: Boolean(res.isError), text: (res.content as Text)[0]?.text ?? '', structured: res.structuredContent as Record<string, unknown> | undefined };
    };
    const errors = await call('find_prevalent_errors', { service: 'checkout' });
    const traceId = (errors.structured?.groups as Array<{ example_trace_ids: string[] }>)[0]!.example_trace_ids[0]!;
    const args: Record<string, Record<string, unknown>> = {
      list_services: {},
      rank_suspects: { limit: 3 },
      investigate: { question: 'Why are checkouts failing since 10:04?' },
      service_red: { service: 'checkout' },
      find_prevalent_errors: { service: 'checkout' },
      find_slow_spans: { service: 'ride' },
      compare_attributes: { selection: 'errors', service: 'checkout' },
      get_trace: { trace_id: traceId },
      log_patterns: { service: 'checkout' },
      search_logs: { service: 'checkout', level: ['error'], limit: 5 },
      log_fields: { service: 'checkout' },
      find_metrics: { query: 'duration' },
      explore_metric: { metric: 'http_server_request_duration_seconds', labels: 'service="ride"' },
      breakdown_metric: { metric: 'http_server_requests_total', by: 'service' },
      hot_functions: { service: 'ride' },
      lookup_source: { service: 'checkout', function: 'github.com/acme/checkout/internal/orders.(*Repository).Insert' },
      native_query: { language: 'promql', query: 'up' },
    };
    expect(Object.keys(args).sort()).toEqual(tools.map((t) => t.name).sort());
    for (const def of tools) {
      const res = await call(def.name, args[def.name]!);
      expect(res.text.length, def.name).toBeGreaterThan(0);
      expect(res.isError, `${def.name}: ${res.text.slice(0, 300)}`).toBe(false);
      const parsed = servedOutputSchema(def).safeParse(res.structured);
      expect(parsed.success, `${def.name}: ${parsed.success ? '' : parsed.error.message.slice(0, 500)}`).toBe(true);
    }
  });

  it('QUERYLESS_OUTPUT_SCHEMAS=1 lists every output schema, for clients that consume structuredContent by schema', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(await openBundle(DEMO), { outputSchemas: true }).connect(serverSide);
    const c = new Client({ name: 'tools-list-schemas', version: '1.0.0' });
    await c.connect(clientSide);
    try {
      const listed = (await c.listTools()).tools;
      for (const t of listed) expect(t.outputSchema?.type, t.name).toBe('object');
      const res = await c.callTool({ name: 'list_services', arguments: {} });
      expect(res.isError).toBeFalsy();
    } finally {
      await c.close();
    }
  });
});
