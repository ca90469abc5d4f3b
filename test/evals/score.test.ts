import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/agent/findings.js';
import { expectedFor, rankedServices, scoreReport } from '../../src/evals/score.js';

function finding(p: Partial<Finding> & Pick<Finding, 'kind' | 'service' | 'title'>): Finding {
  return { numbers: {}, evidence: {}, score: 1, ...p };
}

function report(p: Partial<Report>): Report {
  return { question: 'q', lang: 'en', mode: 'playbook', window: { start: '', end: '' }, suspects: [], findings: [], hints: [], partial: [], stats: { toolCalls: 3, ms: 10 }, ...p };
}

describe('scoreReport', () => {
  const truth = { service: 'checkout', fault: 'duplicate-key', span: 'INSERT INTO orders', function: 'orders.(*Repository).Insert', file: 'internal/orders/repository.go' };

  it('ranks suspects first, then services of findings by score, without duplicates', () => {
    const r = report({
      suspects: [{ service: 'ride', score: 9, parts: {}, evidence: [] }],
      findings: [finding({ kind: 'error', service: 'auth', title: 'x', score: 1 }), finding({ kind: 'latency', service: 'checkout', title: 'y', score: 5 }), finding({ kind: 'error', service: 'ride', title: 'z', score: 9 })],
    });
    expect(rankedServices(r)).toEqual(['ride', 'checkout', 'auth']);
    const s = scoreReport(r, truth, 'en');
    expect(s.rank).toBe(2);
    expect(s.top1).toBe(false);
    expect(s.top3).toBe(true);
    expect(s.pass).toBe(false);
  });

  it('passes when the service is first, the fault kind, span, function and file are found and the language matches', () => {
    const r = report({
      lang: 'fr',
      suspects: [{ service: 'checkout', score: 9, parts: {}, evidence: [] }],
      findings: [
        finding({ kind: 'error', service: 'checkout', title: 'INSERT INTO orders: pq: duplicate key value violates unique constraint', details: { 'exception.type': '*pq.Error' } }),
        finding({ kind: 'hot-function', service: 'checkout', title: 'hot', source: { repo: 'acme/checkout', path: 'checkout/internal/orders/repository.go', startLine: 30, endLine: 40, function: 'github.com/acme/checkout/internal/orders.(*Repository).Insert' } }),
      ],
    });
    const s = scoreReport(r, truth, 'fr-FR');
    expect(s).toMatchObject({ rank: 1, top1: true, kindMatch: true, span: true, function: true, file: true, langOk: true, pass: true });
  });

  it('reports a wrong language and a missing fault kind', () => {
    const r = report({ lang: 'en', suspects: [{ service: 'checkout', score: 1, parts: {}, evidence: [] }], findings: [finding({ kind: 'latency', service: 'checkout', title: 'slow' })] });
    const s = scoreReport(r, { service: 'checkout', fault: 'exception' }, 'de');
    expect(s.langOk).toBe(false);
    expect(s.kindMatch).toBe(false);
    expect(s.span).toBeUndefined();
    expect(s.pass).toBe(false);
  });

  it('counts a fault kind only on the truth service', () => {
    const r = report({ suspects: [{ service: 'ts-food-service', score: 1, parts: {}, evidence: [] }], findings: [finding({ kind: 'latency', service: 'ts-order-service', title: 'slow' })] });
    expect(scoreReport(r, { service: 'ts-food-service', fault: 'cpu_contention' }, 'en').kindMatch).toBe(false);
    const r2 = report({ suspects: [{ service: 'ts-food-service', score: 1, parts: {}, evidence: [] }], findings: [finding({ kind: 'metric-anomaly', service: 'ts-food-service', title: 'cpu up' })] });
    expect(scoreReport(r2, { service: 'ts-food-service', fault: 'cpu_contention' }, 'en').kindMatch).toBe(true);
  });

  it('passes on the required checks only when a suite narrows them', () => {
    const r = report({ suspects: [{ service: 'checkout', score: 1, parts: {}, evidence: [] }], findings: [finding({ kind: 'error', service: 'checkout', title: 'INSERT INTO orders failed' })] });
    expect(scoreReport(r, truth, 'en').pass).toBe(false); // function and file not found
    const s = scoreReport(r, truth, 'en', ['top1', 'kind', 'lang', 'span']);
    expect(s).toMatchObject({ pass: true, function: false, file: false });
  });

  it('maps fault types to finding kinds by symptom family', () => {
    expect(expectedFor('exception')?.kinds).toContain('error');
    expect(expectedFor('duplicate-key')?.kinds).toContain('error');
    expect(expectedFor('return')?.kinds).toEqual(['error', 'log-pattern', 'code-path']);
    expect(expectedFor('cpu_contention')?.kinds).toEqual(['latency', 'metric-anomaly', 'hot-function']);
    expect(expectedFor('network_delay')?.kinds).toContain('latency');
    expect(expectedFor('something-new')).toBeUndefined();
    // The lab's fault kinds (evals/lab/faults/catalog.js) all have a mapping.
    expect(expectedFor('retry-storm')?.kinds).toEqual(['error', 'latency', 'metric-anomaly']);
    expect(expectedFor('retry-storm')?.hints.test('retry-storm')).toBe(true);
    for (const k of ['network-delay', 'cpu-contention', 'cpu-hungry', 'exception', 'wrong-return', 'missing-index', 'lock-contention', 'pool-exhaustion', 'retry-storm', 'failing-dependency']) expect(expectedFor(k), k).toBeDefined();
  });
});
