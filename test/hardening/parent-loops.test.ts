// Spans whose parent links loop (A → B → A, a span its own parent, a loop through a duplicated span id),
// found by the fuzz campaign (scripts/fuzz-inputs.ts): the trace tools used to walk them forever. The
// loop is cut when the store is built, and the problem names the file, the trace and the spans.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findSlowSpansTool as findSlowSpans } from '../../tools/find_slow_spans.js';
import { rankSuspectsTool as rankSuspects } from '../../tools/rank_suspects.js';
import { getTraceTool as getTrace } from '../../tools/get_trace.js';
import type { ToolDef } from '../../tools/types.js';

const ZIPKIN = path.resolve('test/fixtures/formats/zipkin/trace.json');
type ZipkinSpan = { id: string; parentId?: string; traceId: string };

function zipkinWith(change: (spans: ZipkinSpan[]) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-loops-'));
  const spans = JSON.parse(readFileSync(ZIPKIN, 'utf8')) as ZipkinSpan[];
  change(spans);
  writeFileSync(path.join(dir, 'trace.json'), JSON.stringify(spans));
  return dir;
}

async function callAll(dir: string) {
  const sources = await openBundle(dir);
  const ctx = { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: 20_000 };
  const out: Record<string, { isError: boolean; text: string }> = {};
  for (const t of [findSlowSpans, rankSuspects] as ToolDef[]) out[t.name] = await runTool(t, {}, ctx);
  return { sources, out };
}

describe('parent links that loop', () => {
  it('A → B → A: the tools answer, the loop is named and cut at its earliest span', async () => {
    const dir = zipkinWith((s) => {
      // a2fb… is the root; its child 0020…01 becomes its parent too.
      s[0]!.parentId = s[1]!.id;
    });
    const { sources, out } = await callAll(dir);
    expect(out.find_slow_spans!.isError).toBe(false);
    expect(out.find_slow_spans!.text).toMatch(/cart/);
    expect(out.rank_suspects!.isError).toBe(false);
    expect(sources.problems).toContain(
      `${path.join(sources.dir, 'trace.json')}: 1 loop(s) of parent links between spans (first: trace 463ac35c9f6413ad48485a3953bb6124, a2fb4a1d1a96d312 → 0020000000000001 → a2fb4a1d1a96d312); the earliest span of each loop is read as a root`,
    );
    const trace = await runTool(getTrace as ToolDef, { trace_id: '463ac35c9f6413ad48485a3953bb6124' }, { sources, signal: new AbortController().signal, progress: () => {} });
    expect(trace.isError).toBe(false);
    expect(trace.text).toMatch(/get \/cart/);
  });

  it('a span its own parent, and a loop through a duplicated id', async () => {
    const self = await callAll(zipkinWith((s) => (s[2]!.parentId = s[2]!.id)));
    expect(self.out.find_slow_spans!.isError).toBe(false);
    expect(self.sources.problems.join('\n')).toMatch(/1 loop\(s\) of parent links .*0020000000000002 → 0020000000000002\)/);
    const dup = await callAll(
      zipkinWith((s) => {
        s[2]!.id = s[1]!.id; // two spans 0020…01; the second's parent is the first
        s[0]!.parentId = s[1]!.id;
      }),
    );
    expect(dup.out.rank_suspects!.isError).toBe(false);
    expect(dup.sources.problems.join('\n')).toMatch(/loop\(s\) of parent links/);
  });

  it('good traces are not touched', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-loops-ok-'));
    cpSync(path.dirname(ZIPKIN), dir, { recursive: true });
    const { sources } = await callAll(dir);
    expect(sources.problems.join('\n')).not.toMatch(/loop/);
  });
});
