// Unit tests of rank_suspects' building blocks: log statements for event patterns, services named in
// error lines, recovery detection.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/sources/types.js';
import { codeLocation, mineTemplates } from '../../src/analysis/suspects/templates.js';
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

  it('keeps the code location of a line: two statements with the same text are two events', () => {
    const lines = [366, 372, 366, 372, 366, 372].map((line, i) =>
      rec('travel', i, `10:0${i}:00.000 INFO  t.s.TravelServiceImpl#${line}  TraceID: ab${i}c SpanID: ${i}f0 [getTickets][Calculate distance][time ${i * 37}]`),
    );
    const t = mineTemplates(lines);
    const keys = new Set(lines.map(t));
    expect(keys.size).toBe(2);
    expect([...keys].some((k) => k.startsWith('t.s.TravelServiceImpl:372 '))).toBe(true);
  });
});

describe('codeLocation', () => {
  it('reads class#line, Class:line and file:line, not hosts, ports or versions', () => {
    expect(codeLocation('18:45:26.310 INFO  o.s.OrderServiceImpl#68  TraceID: x')).toBe('o.s.OrderServiceImpl:68');
    expect(codeLocation('2024-01-01 ERROR [main] com.acme.OrderService:88 - boom')).toBe('com.acme.OrderService:88');
    expect(codeLocation('level=info caller=pkg/http/server.go:77 msg=hi')).toBe('pkg/http/server.go:77');
    expect(codeLocation('I1206 10:00:00.000 1 views.py:42] done')).toBe('views.py:42');
    expect(codeLocation('connecting to redis:6379 failed')).toBeUndefined();
    expect(codeLocation('GET /api 200 from 10.0.0.1:8080')).toBeUndefined();
    expect(codeLocation('Version 2.3:4 released, took 12:30 min')).toBeUndefined();
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
