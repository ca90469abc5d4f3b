// No request can freeze the server: pathological regexes run in linear time (RE2), and a CPU-bound
// call that runs past its deadline is answered with an error at the deadline while pings go on.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/server.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { defineTool, type ToolDef } from '../../tools/types.js';
import { Ticker } from '../../src/util/yield.js';
import { compileSafeRegex } from '../../src/util/regex.js';

const DEMO = path.resolve('evals/incidents/demo-checkout');

/** A test-only tool that burns CPU in a loop that yields like the bundle scans do, until stopped. */
const spin = defineTool({
  name: 'spin_probe',
  title: 'Spin (test only)',
  description: 'Test-only: CPU-bound loop with cooperative yielding, stops on its signal.',
  input: z.object({}),
  output: z.object({ loops: z.number() }),
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const tick = new Ticker(50_000, ctx.signal);
    let x = 0;
    for (;;) {
      if (tick.due()) await tick.pause();
      x = (x * 31 + 7) % 1_000_003;
    }
  },
}) as unknown as ToolDef;

let client: Client;

beforeAll(async () => {
  const server = createMcpServer(await openBundle(DEMO), { extraTools: [spin], deadlineMs: 1500 });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  client = new Client({ name: 'deadline', version: '1' });
  await client.connect(a);
  // Load the bundle's logs once, so the timings below measure the searches.
  await client.callTool({ name: 'search_logs', arguments: { contains: ['warm-up'] } });
}, 60_000);

afterAll(async () => {
  await client.close();
});

/**
 * Runs `call` while pinging every 25 ms. Returns the call's duration, the pings' round trips, and
 * the longest stretch without a ping answer (from the call's start to its end): a blocked event
 * loop shows there, not in the round trips (a starved pinger sends nothing to time).
 */
async function withPings<T>(call: () => Promise<T>): Promise<{ result: T; ms: number; pings: number[]; stretch: number }> {
  const pings: number[] = [];
  const answered: number[] = [];
  let running = true;
  const t = performance.now();
  answered.push(t);
  const pinger = (async () => {
    while (running) {
      const s = performance.now();
      await client.ping();
      pings.push(performance.now() - s);
      answered.push(performance.now());
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const result = await call();
  const ms = performance.now() - t;
  answered.push(performance.now());
  running = false;
  await pinger;
  answered.sort((a, b) => a - b);
  let stretch = 0;
  for (let i = 1; i < answered.length; i++) stretch = Math.max(stretch, answered[i]! - answered[i - 1]!);
  return { result, ms, pings, stretch };
}

describe('deadlines and linear-time patterns', () => {
  it('RE2: catastrophic-backtracking patterns are linear', () => {
    const line = 'a'.repeat(5000) + '!';
    for (const p of ['(.*a){20}', '(a+)+$', '(a|aa)+b', '(x+x+)+y']) {
      const re = compileSafeRegex(p);
      const t = performance.now();
      for (let i = 0; i < 20; i++) re.test(line);
      expect(performance.now() - t, p).toBeLessThan(5000);
    }
    expect(() => compileSafeRegex('(?=x)')).toThrow(/RE2/);
    expect(() => compileSafeRegex('(a)\\1')).toThrow(/RE2/);
  });

  for (const regex of ['(.*a){20}', '(.*a){11}', '((a+)+)+$', '(.*.*.*.*.*.*.*){30}x']) {
    it(`search_logs ${regex} is answered within its deadline, and pings are answered meanwhile`, async () => {
      const { result, ms, pings, stretch } = await withPings(() => client.callTool({ name: 'search_logs', arguments: { regex } }));
      expect(ms).toBeLessThan(10_000);
      expect(result.isError, JSON.stringify(result).slice(0, 300)).toBeFalsy();
      expect(pings.length).toBeGreaterThan(0);
      expect(stretch).toBeLessThan(1000);
    }, 30_000);
  }

  it('a CPU-bound call past its deadline is stopped and answered, and pings go on', async () => {
    const { result, ms, pings, stretch } = await withPings(() => client.callTool({ name: 'spin_probe', arguments: {} }));
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/did not finish within its 2 s deadline/);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(10_000);
    expect(pings.length).toBeGreaterThan(5);
    expect(stretch).toBeLessThan(1000);
  }, 30_000);

  it('a question over the cap is refused at once with the cap in the message', async () => {
    const t = performance.now();
    const r = await client.callTool({ name: 'investigate', arguments: { question: 'why is checkout failing? '.repeat(400) } });
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/question: text too long \(10000 characters, at most 2000\)/);
    // A 1 MiB question: refused by the size of the arguments, before any parsing of the question.
    const big = await client.callTool({ name: 'investigate', arguments: { question: 'x'.repeat(1 << 20) } });
    expect((big.content as Array<{ text: string }>)[0]!.text).toMatch(/arguments too large \(\d+ bytes, at most 65536\)/);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
