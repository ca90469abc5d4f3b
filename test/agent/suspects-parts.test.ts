// Unit tests of rank_suspects' building blocks: log statements for event patterns, services named in
// error lines, recovery detection.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/sources/types.js';
import { mineTemplates } from '../../src/analysis/suspects/templates.js';
import { namedInErrors } from '../../src/analysis/suspects/named.js';
import { logFeatures, logLevel } from '../../src/analysis/suspects/index.js';

const rec = (service: string, timeMs: number, body: string, traceId?: string): LogRecord => ({ service, timeMs, body, attributes: {}, resource: {}, traceId });

describe('mineTemplates', () => {
  it('folds a word-valued slot into one statement but keeps outcome words apart', () => {
    const lines = [
      ...['DongCheOne', 'GaoTieOne', 'ZhiDa'].flatMap((t) => [1, 2, 3].map((i) => rec('price', i, `INFO [query] price for route ${i}7a9 train ${t} found`))),
      rec('auth', 1, 'login user 12 success'),
      rec('auth', 2, 'login user 13 failed'),
      rec('auth', 3, 'login user 14 success'),
    ];
    const t = mineTemplates(lines);
    const price = new Set(lines.filter((r) => r.service === 'price').map(t));
    expect(price.size).toBe(1);
    expect([...price][0]).toContain('train <*> found');
    const auth = lines.filter((r) => r.service === 'auth').map(t);
    expect(auth[0]).toBe(auth[2]);
    expect(auth[0]).not.toBe(auth[1]);
  });
});

describe('namedInErrors', () => {
  const window = { start: 1000, end: 2000 };
  const baseline = { start: 0, end: 1000 };
  it('implicates the service an error line names, not the one that logs it, and only when mentions grow', () => {
    const logs = [
      rec('auth', 1200, 'ERROR Request failed; nested exception is IllegalStateException: No instances available for ts-verify-service'),
      rec('auth', 1300, 'ERROR Request failed; nested exception is IllegalStateException: No instances available for ts-verify-service'),
      rec('auth', 1400, 'ERROR Request failed; nested exception is IllegalStateException: No instances available for ts-verify-service'),
      rec('auth', 1500, 'INFO calling ts-food-service'), // not an error line
      rec('order', 100, 'ERROR cannot reach ts-basic-service'),
      rec('order', 1100, 'ERROR cannot reach ts-basic-service'), // as often as in the baseline
      rec('order', 1600, 'ERROR failed in ts-auth-service-extra'), // a longer name is not this service
    ];
    const r = namedInErrors(logs, ['auth', 'order', 'ts-verify-service', 'ts-food-service', 'ts-basic-service', 'ts-auth-service'], window, baseline, (x) => logLevel(x) === 'error', 1);
    expect([...r.score.keys()]).toEqual(['ts-verify-service']);
    expect(r.score.get('ts-verify-service')).toBeCloseTo(3, 5);
    expect(r.detail.get('ts-verify-service')).toMatchObject({ window: 3, baseline: 0, by: 'auth' });
  });
});

describe('logFeatures recovery', () => {
  it('marks a service whose share of error lines fell as recovering', () => {
    const logs: LogRecord[] = [];
    for (let i = 0; i < 40; i++) logs.push(rec('basic', i * 20, i % 2 ? 'ERROR No instances available for ts-station' : 'INFO query travel'));
    for (let i = 0; i < 40; i++) logs.push(rec('basic', 1000 + i * 20, i === 7 ? 'ERROR No instances available for ts-station' : 'INFO query travel'));
    for (let i = 0; i < 20; i++) logs.push(rec('food', i * 50, 'INFO list food'), rec('food', 1000 + i * 50, i > 10 ? 'ERROR food request failed' : 'INFO list food'));
    const f = logFeatures(logs, { start: 1000, end: 2000 }, { start: 0, end: 1000 });
    expect(f.recovering.get('basic')).toEqual({ before: 0.5, after: 1 / 40 });
    expect(f.recovering.has('food')).toBe(false);
    expect(f.newErr.get('food')).toBeGreaterThan(0);
  });
});
