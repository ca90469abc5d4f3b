// MCP server benchmark: `list_services` on the demo bundle, 200 sequential calls, against the floor: the
// same SDK serving a tool that returns a fixed answer. Over stdio, the real `queryless mcp` process
// against bench/mcp-floor.ts (what a chat client sees); in memory, the server's own work alone, with
// and without the answer cache. The first call, which loads the bundle, is reported apart.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';
import { openBundle } from '../src/sources/bundle/load.js';
import { createMcpServer } from '../src/mcp/server.js';
import { AnswerCache } from '../tools/cache.js';

const DEMO = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');
const CALLS = 200;

async function connect(server: McpServer): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench', version: '0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  return client;
}

/** Median and 90th percentile (ms) of `n` sequential calls. */
async function calls(client: Client, name: string, n: number): Promise<{ median: number; p90: number }> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await client.callTool({ name, arguments: {} });
    t.push(performance.now() - s);
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
  }
  t.sort((x, y) => x - y);
  return { median: t[Math.floor(n / 2)]!, p90: t[Math.floor(n * 0.9)]! };
}

async function spawned(args: string[]): Promise<Client> {
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' }));
  return client;
}

async function overStdio(out: (s: string) => void): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const floor = await spawned([path.join(here, 'mcp-floor.js')]);
  const ours = await spawned([path.join(here, '..', 'src', 'cli.js'), 'mcp', '--bundle', DEMO]);
  const t0 = performance.now();
  await ours.callTool({ name: 'list_services', arguments: {} });
  const first = performance.now() - t0;
  await calls(floor, 'list_services', 20);
  const rounds: Array<{ floor: number; ours: number }> = [];
  for (let r = 0; r < 3; r++) rounds.push({ floor: (await calls(floor, 'list_services', CALLS)).median, ours: (await calls(ours, 'list_services', CALLS)).median });
  const med = (k: 'floor' | 'ours') => rounds.map((x) => x[k]).sort((a, b) => a - b)[1]!;
  out(`  stdio: queryless mcp --bundle demo, first list_services (loads the bundle): ${first.toFixed(0)} ms`);
  out(`  stdio: floor, same SDK, fixed answer        ${med('floor').toFixed(2)} ms median of ${CALLS} calls`);
  out(`  stdio: list_services, warm                  ${med('ours').toFixed(2)} ms median  ${(med('ours') / med('floor')).toFixed(1)}× floor`);
  await Promise.all([floor.close(), ours.close()]);
}

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  if (!existsSync(path.join(DEMO, 'incident.yaml'))) {
    out('  (demo bundle missing: skipped)');
    return;
  }
  await overStdio(out);
  // Floor: the SDK round trip with no work behind it.
  const fixed = new McpServer({ name: 'floor', version: '0' });
  fixed.registerTool('fixed', { description: 'fixed answer' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
  const floorClient = await connect(fixed);
  await calls(floorClient, 'fixed', 20);

  const sources = await openBundle(DEMO);
  const cached = await connect(createMcpServer(sources, { cache: new AnswerCache({ ttlMs: 30_000, immutable: sources.immutable === true }) }));
  const uncached = await connect(createMcpServer(sources));
  const t0 = performance.now();
  await cached.callTool({ name: 'list_services', arguments: {} });
  const first = performance.now() - t0;
  // Interleaved rounds so machine load hits every series alike; the medians of the rounds are kept.
  const rounds: Array<{ floor: number; warm: number; nocache: number }> = [];
  for (let r = 0; r < 3; r++) {
    const floor = await calls(floorClient, 'fixed', CALLS);
    const warm = await calls(cached, 'list_services', CALLS);
    const nocache = await calls(uncached, 'list_services', Math.round(CALLS / 4));
    rounds.push({ floor: floor.median, warm: warm.median, nocache: nocache.median });
  }
  const med = (k: 'floor' | 'warm' | 'nocache') => rounds.map((x) => x[k]).sort((a, b) => a - b)[1]!;
  const f = med('floor');
  out(`  in memory: list_services, first call (loads the bundle): ${first.toFixed(0)} ms`);
  out(`  in memory: floor, same SDK, fixed answer    ${f.toFixed(2)} ms median of ${CALLS} calls`);
  out(`  in memory: list_services, warm (cache)      ${med('warm').toFixed(2)} ms median  ${(med('warm') / f).toFixed(1)}× floor`);
  out(`  in memory: warm, no cache (re-analyses)     ${med('nocache').toFixed(2)} ms median  ${(med('nocache') / f).toFixed(1)}× floor`);
  out(`  (medians of 3 interleaved rounds of sequential calls)`);
  await Promise.all([floorClient.close(), cached.close(), uncached.close()]);
}
