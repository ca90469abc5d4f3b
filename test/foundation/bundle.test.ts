import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import type { ToolDef } from '../../tools/types.js';

const T0 = Date.parse('2025-01-01T10:00:00Z');
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1000000n}`;
const kv = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });

function span(trace: number, id: number, parent: number | undefined, name: string, startMs: number, durMs: number, error = false, kind = 2) {
  return {
    traceId: trace.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: parent === undefined ? '' : parent.toString(16).padStart(16, '0'),
    name,
    kind,
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(startMs + durMs),
    attributes: [kv('http.route', name)],
    status: error ? { code: 2, message: 'boom' } : {},
  };
}

function makeBundle(opts: { corruptTraces?: boolean; badYaml?: string } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-bundle-'));
  writeFileSync(
    path.join(dir, 'incident.yaml'),
    opts.badYaml ??
      `id: t1\ntitle: test\nwindow: {start: "2025-01-01T10:00:00Z", end: "2025-01-01T10:10:00Z"}\nbaseline: {start: "2025-01-01T10:00:00Z", end: "2025-01-01T10:05:00Z"}\nincident: {start: "2025-01-01T10:05:00Z", end: "2025-01-01T10:10:00Z"}\nquestions: [{lang: en, text: why?}]\ncoverage: {anything: 1}\n`,
  );
  mkdirSync(path.join(dir, 'traces'));
  const front: unknown[] = [];
  const back: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    const t = T0 + i * 30_000;
    const err = i >= 10 && i % 2 === 0;
    front.push(span(i + 1, 1000 + i, undefined, 'GET /a', t, 100));
    back.push(span(i + 1, 2000 + i, 1000 + i, 'work', t + 10, i >= 10 ? 80 : 20, err));
  }
  const doc = {
    resourceSpans: [
      { resource: { attributes: [kv('service.name', 'front')] }, scopeSpans: [{ spans: front }] },
      { resource: { attributes: [kv('service.name', 'back')] }, scopeSpans: [{ spans: back }] },
    ],
  };
  writeFileSync(path.join(dir, 'traces', 'a.json.gz'), gzipSync(JSON.stringify(doc)));
  if (opts.corruptTraces) writeFileSync(path.join(dir, 'traces', 'b.json'), '{"resourceSpans": [ {"resource": ');
  mkdirSync(path.join(dir, 'logs'));
  const logs = { resourceLogs: [{ resource: { attributes: [kv('service.name', 'logger')] }, scopeLogs: [{ logRecords: [{ timeUnixNano: ns(T0 + 1000), body: { stringValue: 'hello' } }] }] }] };
  // JSON Lines: two documents, one per line.
  writeFileSync(path.join(dir, 'logs', 'l.jsonl'), `${JSON.stringify(logs)}\n${JSON.stringify(logs)}\n`);
  return dir;
}

const ctxFor = async (dir: string) => ({ sources: await openBundle(dir), signal: new AbortController().signal, progress: () => {} });

describe('incident bundles', () => {
  it('loads OTLP traces (gzip) and JSON Lines logs, keeping unknown incident keys', async () => {
    const b = await openBundle(makeBundle());
    expect(b.incident.id).toBe('t1');
    expect((b.incident as Record<string, unknown>).coverage).toEqual({ anything: 1 });
    expect(await b.traces!.services(b.defaults.window)).toEqual(['back', 'front']);
    expect(await b.logs!.services(b.defaults.window)).toEqual(['logger']);
    const logs = await b.logs!.queryLogs({ range: b.defaults.window });
    expect(logs.records).toHaveLength(2);
    expect(b.problems).toEqual([]);
  });

  it('list_services reports RED numbers for the window and the baseline', async () => {
    const res = await runTool(listServices as unknown as ToolDef, {}, await ctxFor(makeBundle()));
    expect(res.isError).toBe(false);
    const services = (res.structured as { services: Array<{ service: string; window?: { requests: number; errors: number; p50_ms: number }; baseline?: { errors: number } }> }).services;
    const back = services.find((s) => s.service === 'back')!;
    expect(back.window).toMatchObject({ requests: 10, errors: 5, p50_ms: 80 });
    expect(back.baseline).toMatchObject({ errors: 0 });
    expect(services.find((s) => s.service === 'logger')).toMatchObject({ signals: { logs: true, traces: false } });
    expect(res.text).toMatch(/back\s+tl?\s/);
  });

  it('names a corrupt file with its position and keeps the rest of the bundle', async () => {
    const dir = makeBundle({ corruptTraces: true });
    const res = await runTool(listServices as unknown as ToolDef, {}, await ctxFor(dir));
    expect(res.isError).toBe(false);
    expect(res.text).toMatch(/b\.json: invalid JSON at line 1, column \d+/);
    expect((res.structured as { services: unknown[] }).services.length).toBe(3);
  });

  it('reports a malformed incident.yaml with its path and position', async () => {
    await expect(openBundle(makeBundle({ badYaml: 'id: x\nwindow: [unclosed\n' }))).rejects.toThrow(/incident\.yaml: invalid YAML at line \d+, column \d+/);
    await expect(openBundle(makeBundle({ badYaml: 'id: x\nwindow: {start: "2025-01-01T10:00:00Z", end: "garbage"}\n' }))).rejects.toThrow(/incident\.yaml: invalid incident metadata: window\.end: not a time/);
  });

  it('rejects bad tool arguments with a clear message', async () => {
    const res = await runTool(listServices as unknown as ToolDef, { from: 'yesterday-ish' }, await ctxFor(makeBundle()));
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/from: invalid time "yesterday-ish"/);
    const res2 = await runTool(listServices as unknown as ToolDef, { budget: 'lots' }, await ctxFor(makeBundle()));
    expect(res2.isError).toBe(true);
    expect(res2.text).toMatch(/budget/);
  });
});
