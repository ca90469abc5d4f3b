// Estimating when an incident started, for recordings that do not say.
import { describe, expect, it } from 'vitest';
import { locateIncident } from '../../src/agent/changepoint.js';
import type { LogRecord, Sources } from '../../src/sources/types.js';

function sourcesWith(records: LogRecord[]): Sources {
  const logs = {
    kind: 'bundle' as const,
    queryLogs: async (q: { range: { start: number; end: number } }) => ({ records: records.filter((r) => r.timeMs >= q.range.start && r.timeMs < q.range.end), truncated: false }),
    services: async () => ['api'],
  };
  return { logs, defaults: { window: { start: 0, end: 600_000 } }, problems: [], describe: 'test' } as unknown as Sources;
}

describe('locateIncident', () => {
  const range = { start: 0, end: 600_000 };
  it('finds the time the error share jumps', async () => {
    const recs: LogRecord[] = [];
    for (let t = 0; t < 600_000; t += 500) {
      const failing = t >= 420_000 && (t / 500) % 3 !== 0;
      recs.push({ service: 'api', timeMs: t, body: failing ? 'ERROR payment declined: upstream timeout' : 'INFO request served', attributes: {}, resource: {} });
    }
    const cp = (await locateIncident(sourcesWith(recs), range)).change;
    expect(cp?.signal).toBe('errors');
    expect(Math.abs(cp!.start - 420_000)).toBeLessThanOrEqual(10_000);
  });

  it('says nothing when nothing changes', async () => {
    const recs: LogRecord[] = [];
    for (let t = 0; t < 600_000; t += 500) recs.push({ service: 'api', timeMs: t, body: (t / 500) % 10 === 0 ? 'ERROR flaky' : 'INFO ok', attributes: {}, resource: {} });
    expect((await locateIncident(sourcesWith(recs), range)).change).toBeUndefined();
  });

  it('calls a recording with too few requests before any split sparse, and one with enough not', async () => {
    const few: LogRecord[] = [100, 250_000, 400_000, 500_000].map((t) => ({ service: 'api', timeMs: t, body: 'ERROR boom', attributes: {}, resource: {} }));
    expect(await locateIncident(sourcesWith(few), range)).toEqual({ sparse: true });
    const many: LogRecord[] = [];
    for (let t = 0; t < 600_000; t += 5_000) many.push({ service: 'api', timeMs: t, body: 'INFO ok', attributes: {}, resource: {} });
    expect(await locateIncident(sourcesWith(many), range)).toEqual({ sparse: false });
    expect(await locateIncident(sourcesWith([]), range)).toEqual({ sparse: false });
  });
});

describe('investigate on one downloaded trace (no baseline, no incident start)', () => {
  it('reads the whole trace without a baseline: its error and its slow query are findings', async () => {
    const { openBundle } = await import('../../src/sources/bundle/load.js');
    const { runPlaybook } = await import('../../src/agent/playbook.js');
    const dir = new URL('../fixtures/formats/tempo', import.meta.url).pathname;
    const r = await runPlaybook(await openBundle(dir), 'why is dispatch slow?', { lang: 'en' });
    expect(r.partial.join('\n')).toMatch(/too few requests in the recording to compare one part with another/);
    expect(r.baseline).toBeUndefined();
    const err = r.findings.find((f) => f.kind === 'error');
    expect(err?.title).toMatch(/context deadline exceeded/);
    const slow = r.findings.find((f) => f.kind === 'latency');
    expect(slow?.details?.['span.name']).toBe('SELECT drivers');
    expect(slow?.message?.[0]?.key).toBe('msg_slow_span_nobase');
    expect(r.suspects[0]?.service).toBe('ride');
  });
});
