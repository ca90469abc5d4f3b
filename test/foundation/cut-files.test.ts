// Files cut short (a download or copy that stopped) and JSON Lines with a bad line: what is readable is
// kept and the rest reported, instead of the whole file being lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseJsonDocuments, readMaybeGzip, salvageCutJson } from '../../src/sources/bundle/files.js';
import { BundleTraceSource } from '../../src/sources/bundle/traces.js';
import { loadLogRecords } from '../../src/sources/bundle/logs.js';
import { T0, shop, toOtlp } from '../traces/fixtures.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runPlaybook } from '../../src/agent/playbook.js';

describe('a JSON document cut short', () => {
  it('closes the document after its last complete array element', () => {
    const doc = { a: [{ x: 1, s: 'with } and ] and \\" inside' }, { x: 2 }, { x: 3, more: [1, 2] }], b: 'after' };
    const text = JSON.stringify(doc);
    const cut = salvageCutJson(text.slice(0, text.indexOf('{"x":3') + 12));
    expect(cut?.value).toEqual({ a: [{ x: 1, s: 'with } and ] and \\" inside' }, { x: 2 }] });
    // Nested: the innermost complete element counts.
    expect(salvageCutJson('{"r":[{"s":[{"id":1},{"id":2},{"id"')?.value).toEqual({ r: [{ s: [{ id: 1 }, { id: 2 }] }] });
  });

  it('does not invent a document from a complete but invalid one, or from nothing complete', () => {
    expect(salvageCutJson('{"a":[{"x":1},{"x":2}]} trailing')).toBeUndefined();
    expect(salvageCutJson('{"resourceSpans": [ {"resource": ')).toBeUndefined();
    expect(salvageCutJson('{"a":[{"x":1},{"x":}')).toBeUndefined();
  });

  it('parseJsonDocuments keeps what is readable only when told where to report the rest', () => {
    const text = JSON.stringify({ a: [{ x: 1 }, { x: 2 }, { x: 3 }] }).slice(0, -8);
    expect(() => parseJsonDocuments('f.json', text)).toThrow(/f\.json: invalid JSON/);
    const problems: string[] = [];
    expect(parseJsonDocuments('f.json', text, problems)).toEqual([{ a: [{ x: 1 }, { x: 2 }] }]);
    expect(problems).toEqual([expect.stringMatching(/^f\.json: the JSON ends inside a document \(the file was cut short\?\): read what was complete in its first line 1, column \d+/)]);
  });

  it('JSON Lines: a bad line is skipped and named, a last line cut short keeps its complete part', () => {
    const lines = [JSON.stringify({ n: [1] }), '{"n": [2', JSON.stringify({ n: [3] }), JSON.stringify({ n: [{ k: 4 }, { k: 5 }] }).slice(0, -6)];
    const problems: string[] = [];
    expect(parseJsonDocuments('l.jsonl', lines.join('\n'), problems)).toEqual([{ n: [1] }, { n: [3] }, { n: [{ k: 4 }] }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^l\.jsonl: line 4 ends inside its JSON/);
    expect(problems[1]).toMatch(/^l\.jsonl: invalid JSON at line 2, column \d+: .*; skipped, the 3 other document\(s\) read$/);
    expect(() => parseJsonDocuments('l.jsonl', lines.join('\n'))).toThrow(/line 2/);
  });
});

describe('bundle files cut short', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ql-cut-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a gzip stream that stops early gives what it holds, and says so', async () => {
    const text = 'x'.repeat(50_000) + 'y'.repeat(50_000);
    const gz = gzipSync(Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i} ${i * 7919}`).join('\n') + text));
    const file = path.join(dir, 'cut.txt.gz');
    await writeFile(file, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(readMaybeGzip(file)).rejects.toThrow(/corrupt gzip data/);
    const problems: string[] = [];
    const part = (await readMaybeGzip(file, problems)).toString('utf8');
    expect(part.startsWith('line 0 0\nline 1 7919\n')).toBe(true);
    expect(part.length).toBeGreaterThan(1000);
    expect(problems).toEqual([expect.stringMatching(/cut\.txt\.gz: the gzip data stops early \(the file was cut short\?\): read the [\d,]+ bytes it holds/)]);
  });

  it('traces: the spans before the cut are kept, as many as a whole file up to there gives', async () => {
    const spans = shop(300, T0, 1000, T0 + 100_000);
    const text = JSON.stringify(toOtlp(spans));
    const file = path.join(dir, 'traces.json.gz');
    await writeFile(file, gzipSync(text).subarray(0, Math.floor(gzipSync(text).length * 0.6)));
    const problems: string[] = [];
    const kept = await new BundleTraceSource([file], problems).allSpans();
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.length).toBeLessThan(spans.length);
    expect(new Set(kept.map((s) => s.service)).size).toBeGreaterThan(1);
    expect(problems.join('\n')).toMatch(/traces\.json\.gz: the gzip data stops early/);
    expect(problems.join('\n')).toMatch(/traces\.json\.gz: the JSON ends inside a document/);
  });

  it('logs: the records before the cut are kept', async () => {
    const doc = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeLogs: [{ logRecords: Array.from({ length: 400 }, (_, i) => ({ timeUnixNano: String((T0 + i * 1000) * 1e6), severityText: 'INFO', body: { stringValue: `order ${i} placed` } })) }],
        },
      ],
    };
    const text = JSON.stringify(doc);
    const file = path.join(dir, 'logs.json');
    await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
    const problems: string[] = [];
    const records = await loadLogRecords([file], problems);
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(400);
    expect(records[0]!.body).toBe('order 0 placed');
    expect(problems).toEqual([expect.stringMatching(/logs\.json: the JSON ends inside a document/)]);
  });

  it('the report lists the problems found while the steps read the files (decoded on first use)', async () => {
    const bundle = await mkdtemp(path.join(dir, 'b-'));
    const text = JSON.stringify(toOtlp(shop(300, T0, 1000, T0 + 300_000)));
    await writeFile(path.join(bundle, 'traces.json'), text.slice(0, Math.floor(text.length * 0.8)));
    // A window given: nothing is read at open, the traces are decoded when the ranking first asks.
    const iso = (t: number) => new Date(t).toISOString();
    await writeFile(path.join(bundle, 'incident.yaml'), `window: {start: ${iso(T0)}, end: ${iso(T0 + 300_000)}}\nincident: {start: ${iso(T0 + 150_000)}, end: ${iso(T0 + 300_000)}}\n`);
    const sources = await openBundle(bundle);
    expect(sources.problems).toEqual([]);
    const report = await runPlaybook(sources, 'Why is checkout failing?');
    expect(report.partial.join('\n')).toMatch(/traces\.json: the JSON ends inside a document \(the file was cut short\?\)/);
  });
});
