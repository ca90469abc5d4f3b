// Measures tools/list as an MCP client sees it: the SDK Client over an in-memory transport, the
// answer re-serialised as compact JSON, tokens estimated as bytes/4 (the measure).
//   npx tsc -p . && node dist/scripts/measure-tools-list.js [bundle] [--json]
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { openBundle } from '../src/sources/bundle/load.js';
import { createMcpServer } from '../src/mcp/server.js';

export interface ToolSize {
  name: string;
  tokens: number;
  description: number;
  input: number;
  output: number;
}

const bytes = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v), 'utf8'));
const tok = (b: number) => Math.ceil(b / 4);

export async function measureToolsList(bundle: string): Promise<{ total: number; instructions: number; tools: ToolSize[] }> {
  const sources = await openBundle(bundle);
  const [c, s] = InMemoryTransport.createLinkedPair();
  await createMcpServer(sources).connect(s);
  const client = new Client({ name: 'measure', version: '1.0.0' });
  await client.connect(c);
  try {
    const res = await client.listTools();
    const tools = res.tools.map((t) => ({
      name: t.name,
      tokens: tok(bytes(t)),
      description: tok(bytes(t.description)),
      input: tok(bytes(t.inputSchema)),
      output: tok(bytes(t.outputSchema)),
    }));
    return { total: tok(bytes(res)), instructions: tok(bytes(client.getInstructions())), tools };
  } finally {
    await client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bundle = path.resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'evals/incidents/demo-checkout');
  const m = await measureToolsList(bundle);
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(m, null, 1) + '\n');
  else {
    process.stdout.write('tool                     total  descr  input  output\n');
    for (const t of m.tools) process.stdout.write(`${t.name.padEnd(24)} ${String(t.tokens).padStart(5)}  ${String(t.description).padStart(5)}  ${String(t.input).padStart(5)}  ${String(t.output).padStart(6)}\n`);
    process.stdout.write(`tools/list total: ${m.total} tokens (${m.tools.length} tools); instructions: ${m.instructions} tokens\n`);
  }
}
