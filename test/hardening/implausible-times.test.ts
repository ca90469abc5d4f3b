// Times no event has (year 285 billion, negative, past the range of doubles, 1970 from a zero), found by
// the fuzz campaign (scripts/fuzz-inputs.ts): with no incident.yaml the window came from the data, and
// every tool, `inspect` included, failed with "Invalid time value". Such records are skipped, counted
// and named per file; the good ones are read as before.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { inspectBundle } from '../../src/sources/bundle/inspect.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import { searchLogs } from '../../tools/search_logs.js';
import type { ToolDef } from '../../tools/types.js';

const FIX = path.resolve('test/fixtures/formats');
const BAD_NANOS = [String(9n * 10n ** 24n), '-5000000000', '1e400', 'NaN', '0'];

function folder(): string {
  return mkdtempSync(path.join(tmpdir(), 'ql-times-'));
}

const call = async (tool: ToolDef, dir: string, args: Record<string, unknown> = {}) => {
  const sources = await openBundle(dir);
  return { sources, res: await runTool(tool, args, { sources, signal: new AbortController().signal, progress: () => {} }) };
};

describe('times out of range', () => {
  it('a span at 1970 (a zero) is kept, but the window read from the data leaves it out and says so', async () => {
    const dir = folder();
    const zipkin = JSON.parse(readFileSync(path.join(FIX, 'zipkin/trace.json'), 'utf8')) as Array<Record<string, unknown>>;
    zipkin.push({ ...zipkin[2]!, id: '00200000000000ff', timestamp: 1 });
    writeFileSync(path.join(dir, 'trace.json'), JSON.stringify(zipkin));
    const { sources, res } = await call(listServices as ToolDef, dir);
    expect(res.isError).toBe(false);
    expect(sources.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 10, 5, 0), end: Date.UTC(2025, 5, 4, 10, 5, 1) });
    expect(sources.problems).toEqual([
      `${dir}: 1 span(s), record(s), sample(s) or profile(s) have times outside the years 1980–2200; the window read from the data leaves them out (give window {start, end} in incident.yaml to choose it)`,
    ]);
  });

  it('OTLP log records: the bad ones skipped and counted, the good one read, the window from it', async () => {
    const dir = folder();
    const doc = JSON.parse(readFileSync(path.join(FIX, 'otlp-snake/logs.json'), 'utf8'));
    const records = doc.resource_logs[0].scope_logs[0].log_records as Array<Record<string, unknown>>;
    for (const t of BAD_NANOS) records.push({ ...records[0], time_unix_nano: t, observed_time_unix_nano: t });
    writeFileSync(path.join(dir, 'logs.json'), JSON.stringify(doc));
    const { sources, res } = await call(searchLogs as ToolDef, dir);
    expect(res.isError).toBe(false);
    expect(res.text).toMatch(/1 line\(s\) matched/);
    expect(sources.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 10, 7), end: Date.UTC(2025, 5, 4, 10, 7, 1) });
    // "-5000000000", "1e400" and "NaN" are no nanosecond count at all; 9e24 ns is no date; "0" is 1970,
    // kept as a record but not allowed to stretch the window over 55 years.
    expect(sources.problems).toEqual([
      `${path.join(dir, 'logs.json')}: 3 log record(s) without a timestamp skipped`,
      `${path.join(dir, 'logs.json')}: 1 log record(s) with a time beyond the range of dates (±8.64e15 ms around 1970) skipped`,
      `${dir}: 1 span(s), record(s), sample(s) or profile(s) have times outside the years 1980–2200; the window read from the data leaves them out (give window {start, end} in incident.yaml to choose it)`,
    ]);
    const report = await inspectBundle(dir);
    expect(report.files[0]!.counts).toEqual({ records: 2 });
  });

  it('OTLP and Zipkin spans: skipped with the reason, the rest of the trace read', async () => {
    const dir = folder();
    const otlp = JSON.parse(readFileSync(path.join(FIX, 'otlp-snake/traces.json'), 'utf8'));
    const spans = otlp.resource_spans[0].scope_spans[0].spans as Array<Record<string, unknown>>;
    const n = spans.length;
    spans.push({ ...spans[0], span_id: 'ffffffffffffffff', start_time_unix_nano: BAD_NANOS[0], end_time_unix_nano: BAD_NANOS[0] });
    writeFileSync(path.join(dir, 'traces.json'), JSON.stringify(otlp));
    const zipkin = JSON.parse(readFileSync(path.join(FIX, 'zipkin/trace.json'), 'utf8')) as Array<Record<string, unknown>>;
    zipkin[2]!.timestamp = 9e21;
    writeFileSync(path.join(dir, 'zipkin.json'), JSON.stringify(zipkin));
    const { sources, res } = await call(listServices as ToolDef, dir);
    expect(res.isError).toBe(false);
    const problems = sources.problems.join('\n');
    expect(problems).toContain(`${path.join(dir, 'traces.json')}: 1 span(s) skipped (1× start or end time beyond the range of dates (±8.64e15 ms around 1970))`);
    expect(problems).toContain(`${path.join(dir, 'zipkin.json')}: 1 span(s) skipped (1× timestamp or its duration beyond the range of dates (±8.64e15 ms around 1970))`);
    const report = await inspectBundle(dir);
    expect(report.files.find((f) => f.file === 'traces.json')!.counts.spans).toBe(n);
    expect(report.files.find((f) => f.file === 'zipkin.json')!.counts.spans).toBe(zipkin.length - 1);
  });

  it('an OpenMetrics sample with a timestamp of the year 285000 names its line', async () => {
    const dir = folder();
    cpSync(path.join(FIX, 'openmetrics/checkout.om'), path.join(dir, 'checkout.om'));
    const text = readFileSync(path.join(dir, 'checkout.om'), 'utf8').replace(/ 1749031200\.000\n/, ' 9000000000000.000\n');
    writeFileSync(path.join(dir, 'checkout.om'), text);
    const { sources, res } = await call(listServices as ToolDef, dir);
    expect(res.isError).toBe(false);
    expect(sources.problems.join('\n')).toMatch(/checkout\.om: line 4: timestamp 9000000000000\.000 is beyond the range of dates \(±8\.64e15 ms around 1970\) \(OpenMetrics writes epoch seconds\)/);
  });
});
