import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import type { Sources } from '../../src/sources/types.js';
import { INCIDENT, needleLines, T0, T1, writeBundle, type FixtureLine } from './fixtures.js';
import { logqlErrors } from './lezer.js';

let dir: string;
let sources: Sources;
const signal = new AbortController().signal;
const ctx = (budgetTokens = 4000) => ({ sources, signal, progress: () => {}, budgetTokens });
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  const lines: FixtureLine[] = needleLines();
  // Bad input: a huge line and binary junk.
  lines.push({ timeMs: INCIDENT + 5000, service: 'junk', body: 'level=error msg="huge" payload=' + 'A'.repeat(200_000) });
  lines.push({ timeMs: INCIDENT + 6000, service: 'junk', body: 'bin \u0000\u0001\u0002\u00ff\ufffd data' });
  dir = writeBundle(lines, { start: iso(T0), end: iso(T1) }, { start: iso(T0), end: iso(INCIDENT) }, { start: iso(INCIDENT), end: iso(T1) });
  sources = await openBundle(dir);
  sources.grafana = { url: 'http://grafana.test', datasources: { loki: 'loki-uid' } };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('log_patterns', () => {
  it('puts the rare new error pattern (the needle) above the steady noise', async () => {
    const res = await runTool(findTool('log_patterns')!, { service: 'api' }, ctx());
    expect(res.isError).toBe(false);
    const data = res.structured as { patterns: Array<{ pattern: string; status: string; level: string; count: number; baseline_count: number; query: string; link?: string; samples: string[]; trace_ids: string[] }>; query: string };
    const top = data.patterns[0]!;
    expect(top.pattern).toContain('deadlock detected on table orders');
    expect(top.status).toBe('new');
    expect(top.level).toBe('error');
    expect(top.baseline_count).toBe(0);
    expect(top.count).toBeGreaterThan(10);
    expect(top.trace_ids.length).toBeGreaterThan(0);
    // The steady info noise is far more frequent but ranks below.
    const noise = data.patterns.find((p) => p.pattern.includes('request served'))!;
    expect(noise.count).toBeGreaterThan(top.count * 50);
    expect(noise.status).toBe('steady');
    expect(top.query).toContain('|> "');
    expect(logqlErrors(top.query)).toEqual([]);
    expect(top.link).toMatch(/^http:\/\/grafana\.test\/explore\?/);
    expect(res.text).toMatch(/\n#1 \[NEW ERROR\]/);
  });

  it('renders include/exclude as Loki pattern filters and applies them', async () => {
    const res = await runTool(findTool('log_patterns')!, { service: 'api', exclude: ['level=error <_>'], include: ['level=<_> msg=<_>'] }, ctx());
    const data = res.structured as { patterns: Array<{ pattern: string }>; query: string };
    expect(data.query).toBe('{service_name="api"} |> "level=<_> msg=<_>" !> "level=error <_>"');
    expect(logqlErrors(data.query)).toEqual([]);
    expect(data.patterns.some((p) => p.pattern.includes('deadlock'))).toBe(false);
  });
});

describe('search_logs', () => {
  it('finds error lines by level, newest first, with the LogQL', async () => {
    const res = await runTool(findTool('search_logs')!, { service: 'api', level: ['error'], limit: 5 }, ctx());
    const d = res.structured as { matched: number; returned: number; lines: Array<{ time: string; line: string; level: string }>; query: string };
    expect(d.matched).toBeGreaterThan(10);
    expect(d.returned).toBe(5);
    expect(d.lines.every((l) => l.level === 'error' && l.line.includes('deadlock'))).toBe(true);
    expect(d.lines[0]!.time > d.lines[1]!.time).toBe(true);
    expect(d.query).toBe('{service_name="api"} | detected_level="error"');
    expect(logqlErrors(d.query)).toEqual([]);
    expect(res.text).toMatch(/line\(s\) matched/);
  });

  it('supports case-insensitive text, regex, fields, trace id and oldest first', async () => {
    const ci = await runTool(findTool('search_logs')!, { service: 'api', contains: ['DEADLOCK'], order: 'oldest', limit: 2 }, ctx());
    const d = ci.structured as { matched: number; lines: Array<{ time: string; trace_id?: string }>; query: string };
    expect(d.matched).toBeGreaterThan(10);
    expect(d.lines[0]!.time < d.lines[1]!.time).toBe(true);
    expect(logqlErrors(d.query)).toEqual([]);
    const cs = await runTool(findTool('search_logs')!, { service: 'api', contains: ['DEADLOCK'], case_sensitive: true }, ctx());
    expect((cs.structured as { matched: number }).matched).toBe(0);
    const re = await runTool(findTool('search_logs')!, { service: 'api', regex: 'order \\d+: dead', fields: { retry: 'true' } }, ctx());
    const rd = re.structured as { matched: number; query: string };
    expect(rd.matched).toBe(d.matched);
    expect(logqlErrors(rd.query)).toEqual([]);
    const tr = await runTool(findTool('search_logs')!, { trace_id: d.lines[0]!.trace_id! }, ctx());
    expect((tr.structured as { matched: number }).matched).toBe(1);
  });

  it('invalid regex is a clear error', async () => {
    const res = await runTool(findTool('search_logs')!, { regex: '(unclosed' }, ctx());
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/invalid regex "\(unclosed"/);
    expect(res.text).toMatch(/What to do/);
  });

  it('cuts huge lines, tolerates binary junk, and says so', async () => {
    const res = await runTool(findTool('search_logs')!, { service: 'junk' }, ctx());
    const d = res.structured as { cut_lines: number; binary_lines: number; lines: Array<{ line: string; cut_chars?: number }> };
    expect(d.cut_lines).toBe(1);
    expect(d.binary_lines).toBe(1);
    expect(d.lines.find((l) => l.cut_chars)!.line.length).toBeLessThan(600);
    expect(res.text).toMatch(/1 huge line\(s\) cut/);
  });

  it('groups by pattern when the budget is short and says what was left out', async () => {
    const res = await runTool(findTool('search_logs')!, { service: 'api', limit: 200, budget: 300 }, ctx());
    const d = res.structured as { groups?: Array<{ pattern: string; count: number }>; truncated?: string };
    expect(d.groups?.length).toBeGreaterThan(1);
    expect(res.text).toMatch(/By pattern/);
    expect(d.truncated).toMatch(/left out/);
  });
});

describe('log_fields', () => {
  it('puts the field whose values moved first, with rates and change', async () => {
    const res = await runTool(findTool('log_fields')!, { service: 'api', limit: 20 }, ctx());
    const d = res.structured as { fields: Array<{ name: string; shift: number; query: string; values: Array<{ value: string; change: number | null; count: number }>; numeric?: { p95: number } }> };
    const names = d.fields.map((f) => f.name);
    for (const f of d.fields) expect(logqlErrors(f.query), f.query).toEqual([]);
    // Message values are counted by template: the new error message is one value with all its lines.
    const msg = d.fields.find((f) => f.name === 'msg')!;
    expect(msg.values[0]).toMatchObject({ value: 'failed to save order <*> deadlock detected on table orders', change: null });
    expect(msg.values[0]!.count).toBeGreaterThan(10);
    expect(names).toContain('region');
    const level = d.fields.find((f) => f.name === 'level')!;
    expect(level.values.find((v) => v.value === 'error')!.change).toBeNull();
    const dur = d.fields.find((f) => f.name === 'duration')!;
    expect(dur.numeric!.p95).toBeGreaterThan(10);
    // New fields (only on the error lines) and the level mix move; the steady region split does not lead.
    expect(names.indexOf('app.flag')).toBeLessThan(names.indexOf('region'));
  });

  it('shows what error lines have in common', async () => {
    const res = await runTool(findTool('log_fields')!, { service: 'api', level: ['error'] }, ctx());
    const d = res.structured as { fields: Array<{ name: string; values: Array<{ value: string; count: number }> }> };
    const flag = d.fields.find((f) => f.name === 'app.flag')!;
    expect(flag.values[0]!.value).toBe('new-checkout');
  });
});

describe('native_query (logql) on a bundle', () => {
  it('runs on the bundle engine, and names what it does not support', async () => {
    const res = await runTool(findTool('native_query')!, { language: 'logql', query: '{service_name=~".+"}', limit: 2 }, ctx());
    expect(res.isError, res.text).toBe(false);
    expect(res.structured).toMatchObject({ language: 'logql', engine: 'bundle', result_type: 'streams', truncated: true });
    expect((res.structured as { lines: unknown[] }).lines).toHaveLength(2);
    const m = await runTool(findTool('native_query')!, { language: 'logql', query: 'sum by (service_name) (count_over_time({service_name=~".+"}[1m]))' }, ctx());
    expect(m.structured).toMatchObject({ engine: 'bundle', result_type: 'matrix' });
    const bad = await runTool(findTool('native_query')!, { language: 'logql', query: '{service_name=~".+"} | label_format a=b' }, ctx());
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/label_format is not supported by the bundle LogQL engine/);
  });
});
