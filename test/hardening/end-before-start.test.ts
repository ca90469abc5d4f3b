// Spans whose end comes before their start (a clock step between the two reads, a damaged file): they are
// kept with zero duration, as before, and the file's problems now say how many, instead of saying nothing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';

const ZIPKIN = path.resolve('test/fixtures/formats/zipkin/trace.json');

function bundleWith(file: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-endstart-'));
  writeFileSync(path.join(dir, file), text);
  return dir;
}

function otlp(spans: Array<{ id: string; start: bigint; end: bigint }>): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: s.id,
              name: 'GET /cart',
              startTimeUnixNano: String(s.start),
              endTimeUnixNano: String(s.end),
            })),
          },
        ],
      },
    ],
  });
}

describe('spans that end before they start', () => {
  it('OTLP/JSON: kept with zero duration and counted in the problems', async () => {
    const t = 1_717_400_000_000_000_000n;
    const dir = bundleWith(
      'traces.json',
      otlp([
        { id: 'eee19b7ec3c1b174', start: t, end: t + 5_000_000n },
        { id: 'eee19b7ec3c1b175', start: t + 1_000_000n, end: t - 9_000_000n },
        { id: 'eee19b7ec3c1b176', start: t + 2_000_000n, end: t + 1_000_000n },
      ]),
    );
    const sources = await openBundle(dir);
    const set = await sources.traces!.findTraces({ range: { start: 1_717_399_000_000, end: 1_717_401_000_000 } });
    expect(set.spans.map((s) => s.durationMs).sort()).toEqual([0, 0, 5]);
    expect(sources.problems.join('\n')).toMatch(/traces\.json: 2 span\(s\) end before they start: read with zero duration/);
  });

  it('Zipkin: a negative duration is counted the same way; a file without any says nothing', async () => {
    const spans = JSON.parse(readFileSync(ZIPKIN, 'utf8')) as Array<{ duration?: number }>;
    const clean = await openBundle(bundleWith('trace.json', JSON.stringify(spans)));
    expect(clean.problems.join('\n')).not.toMatch(/end before they start/);
    spans[1]!.duration = -1200;
    const bad = await openBundle(bundleWith('trace.json', JSON.stringify(spans)));
    expect(bad.problems.join('\n')).toMatch(/trace\.json: 1 span\(s\) end before they start/);
  });
});
