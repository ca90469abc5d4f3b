// A file that is read without error but gives nothing (a TracesData of the right shape with no spans,
// found by the fuzz campaign as a 25 MB one-line document; a LogsData without records; metrics text
// with only comments) is named in the problems instead of vanishing from the investigation.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { inspectBundle } from '../../src/sources/bundle/inspect.js';
import { runTool } from '../../tools/run.js';
import { listServices as listServicesTool } from '../../tools/list_services.js';
import type { ToolDef } from '../../tools/types.js';

const MINI = path.resolve('test/fixtures/mini-bundle');

function miniWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-nothing-'));
  cpSync(MINI, dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text);
  return dir;
}

describe('files that hold nothing', () => {
  it('a TracesData with no spans, a LogsData with no records, a Prometheus answer with no samples: each named', async () => {
    const dir = miniWith({
      'traces/more.json': JSON.stringify({ resourceSpans: [{ x: 'a'.repeat(100_000) }] }),
      'logs.json': JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [] }] }),
      'up_query_range.json': JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    const sources = await openBundle(dir);
    const res = await runTool(listServicesTool as ToolDef, {}, { sources, signal: new AbortController().signal, progress: () => {} });
    // The good traces of the bundle are still read.
    expect(res.text).toMatch(/cart/);
    for (const [rel, what] of [
      ['traces/more.json', 'spans'],
      ['logs.json', 'log records'],
      ['up_query_range.json', 'samples'],
    ]) {
      expect(sources.problems).toContain(`${path.join(dir, rel)}: no ${what} found in it, so nothing from it is used (run \`queryless inspect\` on the folder to see what it was read as)`);
    }
    const report = await inspectBundle(dir);
    expect(report.files.find((f) => f.file === 'traces/more.json')!.problems).toEqual([
      'no spans found in it, so nothing from it is used (run `queryless inspect` on the folder to see what it was read as)',
    ]);
  });

  it('metrics text of only # HELP/# TYPE lines is read as metrics that hold no sample, not as a log of comments', async () => {
    const families = '# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n# HELP up Target up.\n# TYPE up gauge\n';
    const dir = miniWith({ 'scrape.txt': families, 'families.prom': families });
    const report = await inspectBundle(dir);
    for (const rel of ['scrape.txt', 'families.prom']) {
      const f = report.files.find((x) => x.file === rel)!;
      expect(f.signal, rel).toBe('metrics');
      expect(f.problems).toEqual(['no samples found in it, so nothing from it is used (run `queryless inspect` on the folder to see what it was read as)']);
    }
    // A log whose lines happen to start with # is still a log.
    const log = miniWith({ 'notes.txt': '# TYPE is what the scraper reads\nplain words on a line\n' });
    expect((await inspectBundle(log)).files.find((x) => x.file === 'notes.txt')!.signal).toBe('logs');
  });

  it('files with content give no such line', async () => {
    const sources = await openBundle(MINI);
    await runTool(listServicesTool as ToolDef, {}, { sources, signal: new AbortController().signal, progress: () => {} });
    expect(sources.problems.join('\n')).not.toMatch(/nothing from it is used/);
  });
});
