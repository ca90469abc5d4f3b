import { describe, expect, it } from 'vitest';
import { hintsFor, loadCatalogue, resolveHints } from '../../src/agent/hints.js';
import type { Finding } from '../../src/agent/findings.js';

const f = (p: Partial<Finding>): Finding => ({ kind: 'error', service: 's', title: '', numbers: {}, evidence: {}, score: 1, ...p });

describe('hint catalogue', () => {
  it('is valid, covers the known causes and is translated in every language', () => {
    const cat = loadCatalogue();
    const ids = cat.map((h) => h.def.id);
    for (const id of ['unique-constraint', 'missing-index', 'n-plus-one', 'lock-contention', 'gc-pressure', 'retry-storm', 'pool-exhaustion', 'dependency-timeout', 'hot-regex', 'hot-serialisation', 'cache-miss'])
      expect(ids).toContain(id);
    for (const h of cat) for (const l of ['en', 'fr', 'es', 'de'] as const) expect(h.def.text[l].fix.length).toBeGreaterThan(20);
  });
  it('matches findings by kind and evidence', () => {
    expect(hintsFor(f({ title: 'INSERT INTO orders', details: { 'exception.message': 'pq: duplicate key value violates unique constraint "orders_pkey"' } }))).toContain('unique-constraint');
    expect(hintsFor(f({ kind: 'latency', title: 'SELECT driver_id FROM car_login WHERE car_id = $1' }))).toEqual(['missing-index']);
    expect(hintsFor(f({ kind: 'hot-function', title: 'driver.(*LoginCache).Lookup', details: { caller: 'sync.(*Mutex).Lock' } }))).toContain('lock-contention');
    expect(hintsFor(f({ kind: 'latency', title: 'GET /users', numbers: { calls_per_request: 25 } }))).toContain('n-plus-one');
    expect(hintsFor(f({ kind: 'latency', title: 'GET /users', numbers: { calls_per_request: 2 } }))).not.toContain('n-plus-one');
    // Kind gates: a SELECT in an error finding is not a missing-index hint.
    expect(hintsFor(f({ kind: 'error', title: 'SELECT a FROM b WHERE c = 1' }))).not.toContain('missing-index');
  });
  it('resolves hints in the report language with the findings that triggered them', () => {
    const findings = [f({ title: 'pq: duplicate key value violates unique constraint', score: 5 }), f({ kind: 'latency', title: 'SELECT x FROM t WHERE y = 1', score: 3 })];
    const hints = resolveHints(findings, 'fr');
    expect(hints.map((h) => h.id)).toEqual(['unique-constraint', 'missing-index']);
    expect(hints[0]!.title).toMatch(/clé unique/);
    expect(hints[1]!.findings).toEqual([1]);
    expect(findings[0]!.hints).toEqual(['unique-constraint']);
  });
});
