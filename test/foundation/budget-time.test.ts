import { describe, expect, it } from 'vitest';
import { fitText } from '../../tools/run.js';
import { parseDuration, parseTime } from '../../src/util/time.js';

describe('token budget', () => {
  it('keeps whole sections that fit and says what was left out', () => {
    const sections = ['a'.repeat(300), 'b'.repeat(300), 'c'.repeat(300)];
    const r = fitText(sections, 200, 'Pass a service.');
    expect(r.text.startsWith('a'.repeat(300))).toBe(true);
    expect(r.text).toContain('b'.repeat(300));
    expect(r.text).not.toContain('ccc');
    expect(r.truncated).toMatch(/1 of 3 section\(s\) left out at the 200-token budget\. Pass a service\./);
  });
  it('cuts an oversized first section by lines', () => {
    const big = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const r = fitText([big], 200);
    expect(r.text.length).toBeLessThan(200 * 4 + 300);
    expect(r.truncated).toMatch(/more line\(s\)/);
  });
  it('returns everything under budget without a note', () => {
    expect(fitText(['x', 'y'], 2000)).toEqual({ text: 'x\ny' });
  });
});

describe('time parsing', () => {
  const now = Date.parse('2025-06-03T10:30:00Z');
  it('parses the forms people type', () => {
    expect(parseTime('now-15m', now)).toBe(now - 900_000);
    expect(parseTime('10:04', now)).toBe(Date.parse('2025-06-03T10:04:00Z'));
    expect(parseTime('10h04', now)).toBe(Date.parse('2025-06-03T10:04:00Z'));
    expect(parseTime('1748944800', now)).toBe(1748944800000);
    expect(parseTime('1748944800000', now)).toBe(1748944800000);
    expect(parseTime('1748944800000000000', now)).toBe(1748944800000);
    expect(parseTime('2025-06-03T10:04:00Z', now)).toBe(Date.parse('2025-06-03T10:04:00Z'));
    expect(parseDuration('1h30m')).toBe(5_400_000);
  });
  it('rejects garbage clearly', () => {
    expect(() => parseTime('soonish', now)).toThrow(/invalid time "soonish"/);
    expect(() => parseDuration('5 minutes')).toThrow(/invalid duration/);
  });
});

describe('secrets in telemetry', () => {
  it('are masked in the text and the structured content of every tool answer', async () => {
    const { runTool } = await import('../../tools/run.js');
    const { z } = await import('zod');
    const leaky = {
      name: 'leaky',
      title: 'leaky',
      description: 'test tool echoing telemetry',
      input: z.object({}),
      output: z.object({ lines: z.array(z.string()) }),
      annotations: { readOnlyHint: true as const },
      handler: async () => ({
        data: { lines: ['GET http://admin:s3cretpw@db.internal/x', 'auth ok token=abcd1234efgh', 'trace 4bf92f3577b34da6a3ce929d0e0e4736'] },
        text: ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and password=hunter22'],
      }),
    };
    const res = await runTool(leaky as never, {}, { sources: { defaults: { window: { start: 0, end: 1 } }, problems: [], describe: 't' }, signal: new AbortController().signal, progress: () => {} });
    expect(res.text).not.toMatch(/eyJhbGci|hunter22/);
    const lines = (res.structured as { lines: string[] }).lines;
    expect(lines[0]).not.toContain('s3cretpw');
    expect(lines[1]).not.toContain('abcd1234efgh');
    expect(lines[2]).toBe('trace 4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('backend failures', () => {
  it('come back as an error result naming the backend, with what to do', async () => {
    const { runTool } = await import('../../tools/run.js');
    const { BackendError } = await import('../../src/http.js');
    const { z } = await import('zod');
    const failing = {
      name: 'failing',
      title: 'failing',
      description: 'test tool whose backend is down',
      input: z.object({}),
      output: z.object({}),
      annotations: { readOnlyHint: true as const },
      handler: async () => {
        throw new BackendError('loki', 503, 'loki answered HTTP 503: too many outstanding requests', 'the backend is unavailable');
      },
    };
    const res = await runTool(failing as never, {}, { sources: { defaults: { window: { start: 0, end: 1 } }, problems: [], describe: 't' }, signal: new AbortController().signal, progress: () => {} });
    expect(res.isError).toBe(true);
    expect(res.text).toBe('failing: loki answered HTTP 503: too many outstanding requests\nWhat to do: the backend is unavailable');
  });
});
