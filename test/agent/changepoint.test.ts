// Estimating when an incident started, for recordings that do not say.
import { describe, expect, it } from 'vitest';
import { estimateIncidentStart } from '../../src/agent/changepoint.js';
import type { LogRecord, Sources } from '../../src/sources/types.js';

function sourcesWith(records: LogRecord[]): Sources {
  const logs = {
    kind: 'bundle' as const,
    queryLogs: async (q: { range: { start: number; end: number } }) => ({ records: records.filter((r) => r.timeMs >= q.range.start && r.timeMs < q.range.end), truncated: false }),
    services: async () => ['api'],
  };
  return { logs, defaults: { window: { start: 0, end: 600_000 } }, problems: [], describe: 'test' } as unknown as Sources;
}

describe('estimateIncidentStart', () => {
  const range = { start: 0, end: 600_000 };
  it('finds the time the error share jumps', async () => {
    const recs: LogRecord[] = [];
    for (let t = 0; t < 600_000; t += 500) {
      const failing = t >= 420_000 && (t / 500) % 3 !== 0;
      recs.push({ service: 'api', timeMs: t, body: failing ? 'ERROR payment declined: upstream timeout' : 'INFO request served', attributes: {}, resource: {} });
    }
    const cp = await estimateIncidentStart(sourcesWith(recs), range);
    expect(cp?.signal).toBe('errors');
    expect(Math.abs(cp!.start - 420_000)).toBeLessThanOrEqual(10_000);
  });

  it('says nothing when nothing changes', async () => {
    const recs: LogRecord[] = [];
    for (let t = 0; t < 600_000; t += 500) recs.push({ service: 'api', timeMs: t, body: (t / 500) % 10 === 0 ? 'ERROR flaky' : 'INFO ok', attributes: {}, resource: {} });
    expect(await estimateIncidentStart(sourcesWith(recs), range)).toBeUndefined();
  });
});
