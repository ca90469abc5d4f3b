import { describe, expect, it } from 'vitest';
import { detectLevel, levelFromBody, levelFromSeverityNumber, normalizeLevel } from '../../src/analysis/logs/level.js';

describe('level detection (Loki detected_level rules and common shapes)', () => {
  it('prefers attributes, then severity text/number', () => {
    expect(detectLevel({ body: 'all good', attributes: { level: 'WRN' } })).toBe('warn');
    expect(detectLevel({ body: 'error in text', severityText: 'Information' })).toBe('info');
    expect(detectLevel({ body: 'x', severityNumber: 17 })).toBe('error');
    expect(detectLevel({ body: 'x', attributes: { detected_level: 'ERR' } })).toBe('error');
  });

  it('maps OTLP severity numbers like Loki', () => {
    expect([0, 1, 5, 9, 13, 17, 21].map(levelFromSeverityNumber)).toEqual(['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  });

  it('reads JSON and logfmt bodies', () => {
    expect(levelFromBody('{"ts":1,"level":"warning","msg":"x"}')).toBe('warn');
    expect(levelFromBody('{"nested":{"severity":"ERROR"}}')).toBe('error');
    expect(levelFromBody('{"level":50,"msg":"pino error"}')).toBe('error');
    expect(levelFromBody('ts=1 lvl=dbg msg="hello"')).toBe('debug');
  });

  it('scans words and prefixes', () => {
    expect(levelFromBody('2024-05-07 10:55:53 ERROR something broke')).toBe('error');
    expect(levelFromBody('[2024-05-07] INFO [x] Deleted producer state')).toBe('info');
    expect(levelFromBody('E0603 10:04:05.123456    1 controller.go:42] sync failed')).toBe('error');
    expect(levelFromBody('W0603 10:04:05.123456    1 x.go:1] slow')).toBe('warn');
    expect(levelFromBody('03-17 16:13:38.811  1702  2395 D WindowManager: freezing')).toBe('debug');
    expect(levelFromBody('panic: runtime error: invalid memory address')).toBe('fatal');
    expect(levelFromBody('java.lang.NullPointerException\n\tat com.acme.Foo.bar(Foo.java:42)')).toBe('error');
    expect(levelFromBody('Traceback (most recent call last):\n  File "x.py", line 1')).toBe('error');
    expect(levelFromBody('interrupted by user, terminating')).toBe('unknown');
    expect(levelFromBody('errors=0 processed=12')).toBe('unknown');
  });

  it('normalises like Loki', () => {
    expect(['trc', 'DBG', 'inf', 'Warning', 'err', 'CRIT', 'custom'].map(normalizeLevel)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'critical', 'custom']);
  });
});
