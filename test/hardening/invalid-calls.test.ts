// A generated invalid-call suite over a real MCP client (SDK Client over the in-memory transport):
// ≥ 500 bad calls of every kind, no disconnect, and every answer a readable error.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/server.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { z } from 'zod';
import { findTool } from '../../tools/index.js';
import { servedInputSchema } from '../../tools/run.js';

const MINI = path.resolve('test/fixtures/mini-bundle');

let client: Client;
let closed = 0;
let tools: Tool[] = [];

beforeAll(async () => {
  const server = createMcpServer(await openBundle(MINI));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  client = new Client({ name: 'invalid-calls', version: '1' });
  a.onclose = () => closed++;
  await client.connect(a);
  client.onclose = () => closed++;
  tools = (await client.listTools()).tools;
});

afterAll(async () => {
  await client.close();
});

/** Values of the wrong type for a JSON Schema property. */
function wrongValues(schema: Record<string, unknown>): unknown[] {
  const type = schema.type;
  const out: unknown[] = [];
  if (type === 'string') out.push(42, true, ['a'], { a: 1 }, 'x'.repeat(5000));
  else if (type === 'number' || type === 'integer') {
    out.push('ten', [1], { n: 1 });
    if (typeof schema.minimum === 'number') out.push(schema.minimum - 1);
    if (typeof schema.maximum === 'number') out.push(schema.maximum + 1);
    if (type === 'integer') out.push(1.5);
  }
  else if (type === 'boolean') out.push('yes', 1, [true]);
  else if (type === 'array') out.push('not-an-array', 7, { 0: 'a' }, Array.from({ length: 500 }, (_, i) => `item${i}`), [{ nested: { deep: [1] } }]);
  else if (type === 'object') out.push('k=v', 3, ['k', 'v'], Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'])));
  else out.push(Symbol.for('x').toString() === 'Symbol(x)' ? { wrong: true } : 0);
  if (Array.isArray(schema.enum)) out.push('__not_an_option__');
  return out;
}

interface BadCall {
  label: string;
  name: unknown;
  args: unknown;
}

function generate(): BadCall[] {
  const calls: BadCall[] = [];
  const notObjects: unknown[] = ['a string', 42, true, null, [1, 2, 3], ['service', 'cart']];
  for (const t of tools) {
    for (const a of notObjects) calls.push({ label: `${t.name} arguments=${JSON.stringify(a)}`, name: t.name, args: a });
    // Bad values come from the schema calls are validated against, not from the listing, which leaves
    // bounds out to stay small (tools/listing.ts): every bound is still tried.
    const full = z.toJSONSchema(servedInputSchema(findTool(t.name)!), { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    const props = full.properties ?? {};
    for (const [p, schema] of Object.entries(props)) {
      const inner = (schema.anyOf as Array<Record<string, unknown>> | undefined)?.find((s) => s.type !== 'null') ?? schema;
      for (const v of wrongValues(inner)) calls.push({ label: `${t.name}.${p}=${JSON.stringify(v).slice(0, 40)}`, name: t.name, args: { [p]: v } });
    }
    // Sizes: a declared text argument of 70 KiB (unknown keys are dropped by the schema, so they cost nothing).
    const text = Object.entries(props).find(([, s]) => s.type === 'string' && !s.enum && !s.pattern)?.[0];
    if (text) calls.push({ label: `${t.name} huge ${text}`, name: t.name, args: { [text]: 'x'.repeat(70 * 1024) } });
    if (props.fields) {
      let deep: Record<string, unknown> = { leaf: '1' };
      for (let i = 0; i < 12; i++) deep = { d: deep };
      calls.push({ label: `${t.name} deep fields`, name: t.name, args: { fields: deep } });
    }
    for (const required of full.required ?? []) {
      calls.push({ label: `${t.name} missing ${required}`, name: t.name, args: {} });
    }
  }
  for (const name of ['', 'no_such_tool', 'list_services ', 'LIST_SERVICES', '../etc/passwd', 'x'.repeat(3000)]) calls.push({ label: `unknown tool ${name.slice(0, 20)}`, name, args: {} });
  for (const name of [42, null, ['list_services'], { n: 1 }]) calls.push({ label: `tool name ${JSON.stringify(name)}`, name, args: {} });
  // Semantic errors the schema cannot see.
  for (const regex of ['(?=x)', '(a', '\\1(a)', 'x'.repeat(1500)]) calls.push({ label: `search_logs regex ${regex.slice(0, 10)}`, name: 'search_logs', args: { regex } });
  for (const from of ['yesterday-ish', '99:99', '2025-13-45T00:00:00Z']) calls.push({ label: `list_services from=${from}`, name: 'list_services', args: { from } });
  calls.push({ label: 'investigate question too long', name: 'investigate', args: { question: 'why? '.repeat(1000) } });
  calls.push({ label: 'investigate bad lang', name: 'investigate', args: { question: 'why is cart failing?', lang: 'klingon' } });
  calls.push({ label: 'get_trace bad id', name: 'get_trace', args: { trace_id: 'not-hex' } });
  calls.push({ label: 'native_query promql on a bundle', name: 'native_query', args: { language: 'promql', query: 'up{' } });
  calls.push({ label: 'native_query argument of another language', name: 'native_query', args: { language: 'traceql', query: '{}', instant: true } });
  return calls;
}

/** Readable: a sentence or two for a person, not a schema dump or a stack trace. */
function expectReadable(label: string, text: string): void {
  expect(text.length, label).toBeGreaterThan(10);
  expect(text.length, label).toBeLessThan(3000);
  expect(text, label).not.toMatch(/^\s*[[{]/);
  expect(text, label).not.toMatch(/"code":\s*"invalid|"expected":|\n\s+at \S+ \(|TypeError|Cannot read prop/);
}

describe('invalid calls over a real MCP client', () => {
  it('answers ≥ 500 generated bad calls with readable errors and never disconnects', async () => {
    const calls = generate();
    expect(calls.length).toBeGreaterThanOrEqual(500);
    let errors = 0;
    for (const c of calls) {
      let text: string;
      const r = await client
        .request({ method: 'tools/call', params: { name: c.name as string, arguments: c.args as Record<string, unknown> } }, CallToolResultSchema, { timeout: 30_000 })
        .catch((e: unknown) => e as Error & { code?: number });
      if (r instanceof Error) {
        // A JSON-RPC error is fine when it is readable (e.g. -32602 for non-object arguments).
        expect(r.code, c.label).toBeTypeOf('number');
        expect(r.code, c.label).not.toBe(-32001); // a timeout is no answer
        text = r.message;
      } else {
        expect(r.isError, `${c.label}: ${JSON.stringify(r).slice(0, 300)}`).toBe(true);
        text = (r.content[0] as { text: string }).text;
      }
      expectReadable(c.label, text);
      errors++;
    }
    expect(errors).toBe(calls.length);
    expect(closed).toBe(0);
    await expect(client.ping()).resolves.toBeDefined();
  }, 120_000);
});
