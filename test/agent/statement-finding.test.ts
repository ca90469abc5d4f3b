// A suspect's per-request log statement change becomes a log-pattern finding with its LogQL query.
import { describe, expect, it } from 'vitest';
import { statementFinding } from '../../src/agent/suspect-findings.js';
import { patternShift } from '../../src/analysis/logs/shift.js';
import type { LogRecord, Sources } from '../../src/sources/types.js';

const sources = { logs: {} } as unknown as Sources;

describe('statementFinding', () => {
  it('turns a vanished log statement into a log-pattern finding with a pattern query', () => {
    const f = statementFinding(
      {
        service: 'ts-price-service',
        score: 9,
        parts: {},
        evidence: [],
        evidenceMessages: [],
        raw: {},
        patterns: [
          { service: 'ts-price-service', entry: 'GET /prices', event: 'op SELECT price', before: 1, after: 1, invocations: 30, z: -9 },
          { service: 'ts-price-service', entry: 'GET /prices', event: 'log <*> INFO [query][Query price][route <*>]', before: 0.9, after: 0, invocations: 30, z: -5.2 },
        ],
      },
      sources,
    );
    expect(f).toBeDefined();
    expect(f!.kind).toBe('log-pattern');
    expect(f!.message?.[0]?.key).toBe('msg_statement_gone');
    expect(f!.evidence.query?.text).toBe('{service_name="ts-price-service"} |> "<_> INFO [query][Query price][route <_>]"');
    expect(f!.numbers).toMatchObject({ per_request_before: 0.9, per_request_after: 0, requests: 30 });
  });

  it('returns nothing without a strong log statement change', () => {
    expect(statementFinding({ service: 'a', score: 1, parts: {}, evidence: [], evidenceMessages: [], raw: {}, patterns: [{ service: 'a', entry: 'e', event: 'log x', before: 1, after: 0.8, invocations: 5, z: -1.5 }] }, sources)).toBeUndefined();
  });
});

describe('patternShift with a baseline known to hold data', () => {
  it('reports the lines of a service silent in the baseline as new', () => {
    const window = { start: 1000, end: 2000 };
    const baseline = { start: 0, end: 1000 };
    const recs: LogRecord[] = [1100, 1200, 1300].map((t) => ({ service: 'food', timeMs: t, body: 'ERROR [getAllFood] Get Food Request Failed!', attributes: {}, resource: {} }));
    expect(patternShift(recs, window, baseline)[0]!.status).toBe('no-baseline');
    const p = patternShift(recs, window, baseline, { baselineHasData: true })[0]!;
    expect(p.status).toBe('new');
    expect(p.level).toBe('error');
  });
});

/** The playbook's logs step over these lines: window 1000–2000 ms, baseline 0–1000 ms. */
async function logsStepOn(lines: LogRecord[], services: string[]) {
  const { logsStep } = await import('../../src/agent/steps/logs.js');
  const logs = {
    kind: 'bundle' as const,
    queryLogs: async (q: { range: { start: number; end: number } }) => ({ records: lines.filter((r) => r.timeMs >= q.range.start && r.timeMs < q.range.end), truncated: false }),
    services: async () => [...new Set(lines.map((r) => r.service))],
  };
  return logsStep({ sources: { logs } as unknown as Sources, window: { start: 1000, end: 2000 }, baseline: { start: 0, end: 1000 }, services, signal: new AbortController().signal });
}

describe('logs step, top suspect with only a steady error pattern', () => {
  it('reports the prevailing error pattern of the top suspect as steady', async () => {
    const lines: LogRecord[] = [];
    for (let i = 0; i < 20; i++) {
      const t = i * 100;
      lines.push({ service: 'contacts', timeMs: t, body: `ERROR [findContactsById] No contacts according to contactsId ${i}`, attributes: {}, resource: {} });
      lines.push({ service: 'contacts', timeMs: t + 1, body: `INFO [ContactsService][VerifyLogin Success] ${i}`, attributes: {}, resource: {} });
    }
    const r = await logsStepOn(lines, ['contacts']);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.title).toMatch(/^Steady \(already in the baseline\) error log pattern: .*No contacts according to contactsId/);
    expect(r.findings[0]!.message?.[0]?.key).toBe('msg_log_steady');
    // Not for a service that is not the top suspect.
    const r2 = await logsStepOn(lines, ['other', 'contacts']);
    expect(r2.findings).toHaveLength(0);
  });
});

describe('logs step, no baseline at all (a log file that starts at the incident)', () => {
  it('reports the error patterns as they are, marked no baseline, without baseline numbers', async () => {
    const lines: LogRecord[] = [];
    for (let i = 0; i < 12; i++) {
      lines.push({ service: 'payment', timeMs: 1000 + i * 50, body: `ERROR charge failed for order ${i}: card declined`, attributes: {}, resource: {} });
      lines.push({ service: 'payment', timeMs: 1001 + i * 50, body: `INFO charge attempt ${i}`, attributes: {}, resource: {} });
    }
    const r = await logsStepOn(lines, ['payment']);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.message?.[0]?.key).toBe('msg_log_nobase');
    expect(f.title).toMatch(/^error log pattern \(no baseline to compare with\): .*charge failed for order/);
    expect(f.numbers).toMatchObject({ lines: 12, status: 'no-baseline' });
    expect(f.numbers).not.toHaveProperty('baseline_lines');
    expect(f.numbers).not.toHaveProperty('change');
  });
});
