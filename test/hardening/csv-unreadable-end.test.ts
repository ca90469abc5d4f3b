// A span table with both an end and a duration column whose duration says no unit (Nezha's traces):
// a row whose end cannot be read (a damaged "-1674…" time, found by the fuzz campaign, seed 9 case 109)
// had its duration multiplied by an unknown unit and showed as "NaNms" in get_trace. The rows that have
// both now tell the unit; before any such row, the span is skipped and counted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { BundleTraceSource } from '../../src/sources/bundle/traces.js';

const HEADER = 'TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration';
const T = '898fbabdd1894463575af052c4cd7982';
// Real Nezha rows: Duration is in microseconds (end − start = 28.16 ms for 28160).
const ROOT = `${T},233d5101e107e112,root,ts-gateway-service-6f6cfc45b-h5m2n,/*,1674982159219000000,1674982159247160439,28160`;
const CHILD = (end: string) => `${T},5751c1b1c2d30a9a,233d5101e107e112,ts-gateway-service-6f6cfc45b-h5m2n,HTTP GET,1674982159221196428,${end},25942`;

async function spansOf(rows: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-csv-end-'));
  writeFileSync(path.join(dir, 'trace.csv'), [HEADER, ...rows].join('\n') + '\n');
  const sources = await openBundle(dir);
  return { spans: await (sources.traces as BundleTraceSource).allSpans(), problems: sources.problems.join('\n') };
}

describe('CSV spans whose end cannot be read', () => {
  it('take the duration column in the unit the other rows show', async () => {
    const { spans } = await spansOf([ROOT, CHILD('-1674982159247139419')]);
    const child = spans.find((s) => s.spanId === '5751c1b1c2d30a9a')!;
    expect(child.durationMs).toBeCloseTo(25.942, 3);
    expect(spans.every((s) => Number.isFinite(s.durationMs) && Number.isFinite(s.endMs))).toBe(true);
  });

  it('are skipped and counted when no earlier row tells the unit', async () => {
    const { spans, problems } = await spansOf([CHILD('garbage'), ROOT]);
    expect(spans.map((s) => s.spanId)).toEqual(['233d5101e107e112']);
    expect(problems).toMatch(/no readable end in EndTimeUnixNano and no row yet to tell the unit of Duration/);
  });
});
