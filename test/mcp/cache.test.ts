// The MCP server's answer cache: a warm call reuses the analysis, fitted to its own budget; bundle answers
// are kept, live ones expire, "now" arguments expire whatever the source; failures are never kept.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnswerCache, argumentsKey } from '../../tools/cache.js';
import { runTool } from '../../tools/run.js';
import { defineTool, ToolError, type ToolDef } from '../../tools/types.js';
import type { Sources } from '../../src/sources/types.js';

function counting(fail = false): { def: ToolDef; runs: () => number } {
  let n = 0;
  const def = defineTool({
    name: 'count',
    title: 'count',
    description: 'counts its runs',
    input: z.object({ service: z.string().optional(), from: z.string().optional() }),
    output: z.object({ run: z.number() }),
    annotations: { readOnlyHint: true },
    async handler() {
      n++;
      if (fail) throw new ToolError('no');
      return { data: { run: n }, text: ['a'.repeat(600), 'b'.repeat(600)] };
    },
  }) as unknown as ToolDef;
  return { def, runs: () => n };
}

const sources: Sources = { defaults: { window: { start: 0, end: 1 } }, problems: [], describe: 'test' };
const ctx = (cache: AnswerCache) => ({ sources, signal: new AbortController().signal, progress: () => {}, cache });

describe('answer cache', () => {
  it('reuses an answer for the same arguments, refitted to each budget', async () => {
    const { def, runs } = counting();
    const cache = new AnswerCache({ ttlMs: 0, immutable: true });
    const a = await runTool(def, { service: 'x' }, ctx(cache));
    const b = await runTool(def, { service: 'x', budget: 200 }, ctx(cache));
    expect(runs()).toBe(1);
    expect(a.text).toContain('b'.repeat(600));
    expect(b.text).toContain('truncated');
    await runTool(def, { service: 'y' }, ctx(cache));
    expect(runs()).toBe(2);
  });

  it('keeps live answers for ttlMs, and no bundle answer whose arguments say "now"', async () => {
    let now = 1000;
    const { def, runs } = counting();
    const live = new AnswerCache({ ttlMs: 50, immutable: false, now: () => now });
    await runTool(def, {}, ctx(live));
    await runTool(def, {}, ctx(live));
    expect(runs()).toBe(1);
    now += 51;
    await runTool(def, {}, ctx(live));
    expect(runs()).toBe(2);
    const bundle = new AnswerCache({ ttlMs: 0, immutable: true, now: () => now });
    await runTool(def, { from: 'now-1h' }, ctx(bundle));
    await runTool(def, { from: 'now-1h' }, ctx(bundle));
    expect(runs()).toBe(4);
  });

  it('never keeps a failed call, and drops the least recently used past its size', async () => {
    const bad = counting(true);
    const cache = new AnswerCache({ ttlMs: 0, immutable: true, maxEntries: 2 });
    expect((await runTool(bad.def, {}, ctx(cache))).isError).toBe(true);
    expect((await runTool(bad.def, {}, ctx(cache))).isError).toBe(true);
    expect(bad.runs()).toBe(2);
    const { def, runs } = counting();
    for (const s of ['a', 'b', 'a', 'c', 'a', 'b']) await runTool(def, { service: s }, ctx(cache));
    // a, b kept; c evicts b (a was used last), b evicts c: runs for a, b, c, b.
    expect(runs()).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('keys arguments whatever their order', () => {
    expect(argumentsKey('t', { a: 1, b: { d: 2, c: 3 } })).toBe(argumentsKey('t', { b: { c: 3, d: 2 }, a: 1, budget: 9 }));
  });
});
