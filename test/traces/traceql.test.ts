import { describe, expect, it } from 'vitest';
import { traceqlErrors } from './lezer.js';
import { and, cond, errorCondition, fieldFromKey, intrinsic, or, quote, regexEscape, renderDuration, renderTraceQL, resourceAttr, serviceIs, spanAttr, traceqlForQuery } from '../../src/query/traceql.js';
import { errorGroupTraceQL } from '../../tools/find_prevalent_errors.js';
import { slowGroupTraceQL } from '../../tools/find_slow_spans.js';

const valid = (q: string) => expect(traceqlErrors(q), q).toEqual([]);

describe('TraceQL builder', () => {
  it('renders intent queries that the TraceQL grammar accepts', () => {
    const qs = [
      traceqlForQuery({}),
      traceqlForQuery({ service: 'checkout', status: 'error' }),
      traceqlForQuery({ service: 'ride', spanName: 'SELECT FROM car_login', minDurationMs: 250, maxDurationMs: 1500.5 }),
      traceqlForQuery({ errorsOnly: true, attributes: { 'span.http.route': '/api/rides/{id}', 'resource.service.version': '1.8.0', 'app.client_retry': true, 'http.status_code': 500 } }),
      renderTraceQL({ spansets: [and(serviceIs('frontend'), or(cond(intrinsic('kind'), '=', { kind: 'server' }), cond(intrinsic('kind'), '=', { kind: 'consumer' })))], metrics: { fn: 'rate', by: [resourceAttr('service.name')] } }),
      renderTraceQL({ spansets: [and(serviceIs('a'))], metrics: { fn: 'quantile_over_time', field: intrinsic('duration'), quantiles: [0.5, 0.9, 0.99], by: [intrinsic('name')] } }),
      renderTraceQL({ spansets: [and(serviceIs('a'), cond(intrinsic('name'), '=', 'HTTP POST')), and(serviceIs('b'))], ops: ['>'] }),
      renderTraceQL({ spansets: [and(cond(intrinsic('traceDuration'), '>=', { durationMs: 55 }))] }),
      renderTraceQL({ spansets: [and(errorCondition())], select: [spanAttr('db.statement'), resourceAttr('service.version')] }),
      errorGroupTraceQL({ service: 'checkout', spanName: 'INSERT INTO orders', details: {} }),
      slowGroupTraceQL({ service: 'ride', name: 'GET', detail: '/api/rides/{id}', detailKind: 'http.route' }, 12.25),
      slowGroupTraceQL({ service: 'b', name: 'HTTP POST → /x', detailKind: 'wait', caller: 'a', callerSpan: 'HTTP POST', calleeSpan: '/x' }),
    ];
    for (const q of qs) valid(q);
    expect(qs[1]).toBe('{ resource.service.name = "checkout" && status = error }');
    expect(qs[3]).toContain('span.http.route = "/api/rides/{id}"');
    expect(qs[3]).toContain('resource.service.version = "1.8.0"');
    expect(qs[3]).toContain('.app.client_retry = true');
    expect(qs[4]).toBe('{ resource.service.name = "frontend" && (kind = server || kind = consumer) } | rate() by (resource.service.name)');
  });

  it('escapes values and odd attribute names instead of concatenating them', () => {
    const nasty = 'say "hi" \\ bye\nnext } && status = ok {';
    const q = renderTraceQL({ spansets: [and(cond(spanAttr('db.statement'), '=', nasty), cond(fieldFromKey('span.weird key'), '=', 1))] });
    valid(q);
    expect(q).toContain(`span.db.statement =~ ${quote(regexEscape(nasty).replace(/\n/g, "\\s"))}`);
    expect(q).toContain('span."weird key" = 1');
    // Injection attempt stays inside the string: exactly one spanset.
    expect(q.startsWith('{ ') && q.endsWith(' }')).toBe(true);
  });

  it('renders durations Tempo understands', () => {
    expect(renderDuration(250)).toBe('250ms');
    expect(renderDuration(2000)).toBe('2s');
    expect(renderDuration(1.5)).toBe('1500us');
    expect(() => renderDuration(-1)).toThrow();
  });

  it('the grammar check can fail', () => {
    expect(traceqlErrors('{ resource.service.name = }').length).toBeGreaterThan(0);
  });
});
