// The fast paths added for throughput must not change results: statement normalisation with and
// without its cache, the hash-table parent index of huge traces vs the Map/linear one of small
// traces, the slow-span group keys, and the digit-scan nanosecond parser of the OTLP loader.
import { describe, expect, it } from 'vitest';
import { normaliseStatement } from '../../src/analysis/traces/normalise.js';
import { parentIndex } from '../../src/analysis/traces/tree.js';
import { findSlowSpans } from '../../src/analysis/traces/slow.js';
import { parseTracesData, type ParseStats } from '../../src/sources/otlp-traces.js';
import { nanosToMs } from '../../src/sources/otlp.js';
import type { Span } from '../../src/sources/types.js';

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

describe('statement normalisation cache', () => {
  const cases = [
    "SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x' AND y = $1",
    'SELECT * FROM orders WHERE id = $1',
    'INSERT INTO orders (id, total) VALUES ($1, $2)',
    "UPDATE t SET a = -5, b = 'it''s' WHERE c >= +3.25",
    '  SELECT\t1 \n FROM\r\n dual  ',
    'SELECT x1, 9a, a_2 FROM t2 WHERE v = 0x1f',
    '',
    "SELECT '",
    'SELECT $',
  ];

  it('returns the same text on a cold call and on cached repeats, at any length limit', () => {
    for (const sql of cases) {
      const cold = normaliseStatement(sql);
      expect(normaliseStatement(sql)).toBe(cold);
      expect(normaliseStatement(sql)).toBe(cold);
      const short = normaliseStatement(sql, 12);
      expect(short).toBe(cold.length > 12 ? `${cold.slice(0, 11)}…` : cold);
      expect(normaliseStatement(sql)).toBe(cold);
    }
    expect(normaliseStatement('SELECT * FROM orders WHERE id = $1')).toBe('SELECT * FROM orders WHERE id = ?');
    expect(normaliseStatement("UPDATE t SET a = -5, b = 'it''s' WHERE c >= +3.25")).toBe('UPDATE t SET a = ?, b = ? WHERE c >= ?');
    expect(normaliseStatement('  SELECT\t1 \n FROM\r\n dual  ')).toBe('SELECT ? FROM dual');
  });

  it('is a pure function of its input over random statements (cache on or off)', () => {
    const alphabet = ["'", "''", '$', '$1', '12', '3.5', '-', '+', ' ', '  ', '\t', '\n', '(', ')', ',', '=', '<', 'a', 'id', '_', 'x1', '9a', 'SELECT', '.', '"'];
    const rand = rng(11);
    const seen = new Map<string, string>();
    for (let k = 0; k < 20000; k++) {
      let s = '';
      const len = Math.floor(rand() * 20);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const out = normaliseStatement(s);
      const prev = seen.get(s);
      if (prev !== undefined) expect(out).toBe(prev);
      else seen.set(s, out);
      expect(out).toBe(out.trim());
    }
  });
});

function span(traceId: string, spanId: string, parentSpanId: string | undefined, startMs: number, durationMs: number, extra: Partial<Span> = {}): Span {
  return { traceId, spanId, parentSpanId, service: 'svc', name: 'op', kind: 1, startMs, endMs: startMs + durationMs, durationMs, status: 'unset', attributes: {}, resource: {}, events: [], ...extra };
}

describe('parent index of huge traces', () => {
  it('matches a reference Map lookup, including duplicate ids, orphans and self-parents', () => {
    const rand = rng(3);
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => (i % 997 === 5 ? 'dup0000000000001' : (i * 2654435761 >>> 0).toString(16).padStart(16, '0')));
    const spans = ids.map((id, i) => {
      const r = rand();
      const parent = i === 0 ? undefined : r < 0.05 ? 'ffffffffffffffff' : r < 0.07 ? id : ids[Math.floor(rand() * i)];
      return span('t', id, parent, i, 1);
    });
    const pos = new Map<string, number>();
    spans.forEach((s, i) => pos.set(s.spanId, i));
    const expected = spans.map((s, i) => {
      const j = s.parentSpanId === undefined ? undefined : pos.get(s.parentSpanId);
      return j !== undefined && j !== i ? j : -1;
    });
    expect(Array.from(parentIndex(spans))).toEqual(expected);
  });
});

describe('slow-span group keys', () => {
  it('groups by service, name and normalised statement or route, with waits and plain groups', () => {
    const T = 1_000_000;
    const spans: Span[] = [];
    for (let r = 0; r < 8; r++) {
      const tid = r.toString(16).padStart(32, '0');
      const base = T + r * 1000;
      spans.push(span(tid, `${r}a`.padStart(16, '0'), undefined, base, 100, { service: 'front', name: 'GET /x', kind: 2, attributes: { 'http.route': '/x' } }));
      spans.push(span(tid, `${r}b`.padStart(16, '0'), `${r}a`.padStart(16, '0'), base + 5, 80, { service: 'front', name: 'call db-svc', kind: 3 }));
      spans.push(span(tid, `${r}c`.padStart(16, '0'), `${r}b`.padStart(16, '0'), base + 10, 60, { service: 'db-svc', name: 'GET /y/{id}', kind: 2, attributes: { 'url.path': `/y/${r}` } }));
      spans.push(span(tid, `${r}d`.padStart(16, '0'), `${r}c`.padStart(16, '0'), base + 12, 20 + r, { service: 'db-svc', name: 'query', kind: 3, attributes: r % 2 ? { 'db.query.text': `SELECT a FROM t WHERE id = ${r}` } : { 'db.statement': `SELECT a FROM t WHERE id = ${r * 7}` } }));
    }
    const res = findSlowSpans(spans, { window: { start: T, end: T + 1e6 }, mode: 'slow', quantile: 0 });
    const keys = res.groups.map((g) => g.key).sort();
    expect(keys).toEqual([
      'db-svc\u0001GET /y/{id}\u0001/y/{id}',
      'db-svc\u0001query\u0001SELECT a FROM t WHERE id = ?',
      'db-svc\u0001wait\u0001front\u0001call db-svc\u0001GET /y/{id}',
      'front\u0001GET /x\u0001/x',
    ].sort());
    const q = res.groups.find((g) => g.detailKind === 'db.statement')!;
    expect(q.spans).toBe(8);
    // The first occurrence decides which attribute the statement came from.
    expect(q.detailAttr).toBe('db.statement');
    const route = res.groups.find((g) => g.key.startsWith('db-svc\u0001GET'))!;
    expect(route.detailKind).toBe('http.route');
  });
});

describe('OTLP nanosecond timestamps', () => {
  it('parses decimal strings exactly as nanosToMs does', () => {
    const values = ['1748944200123456789', '1748944200000000000', '0000001748944200123456', '1234567', '99999999999999999999', '12345', '1748944200123456789x', '-5', 1748944200123456789];
    for (const v of values) {
      const doc = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'x', startTimeUnixNano: v, endTimeUnixNano: v }] }] }] };
      const out: Span[] = [];
      const stats: ParseStats = { spans: 0, skipped: 0, reasons: new Map() };
      parseTracesData(doc, out, stats);
      const want = nanosToMs(v);
      if (want === undefined) expect(out).toHaveLength(0);
      else expect(out[0]!.startMs).toBe(want);
    }
  });
});
