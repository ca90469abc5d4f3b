import { describe, expect, it } from 'vitest';
import { maskKey, maskLine, WILDCARD } from '../../src/analysis/logs/tokenize.js';
import { PatternMiner, OVERFLOW_ID } from '../../src/analysis/logs/miner.js';
import { matchesLokiPattern } from '../../src/analysis/logs/shift.js';

describe('masking', () => {
  it('masks numbers, ids, ips, paths, key=value values, booleans and units', () => {
    expect(maskKey('Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6')).toBe('Received block <*> of size <*> from <*>');
    // A quoted value is one value, spaces and all (`tag="View Lock"`); a message key's quoted words stay.
    expect(maskKey('acquire lock=233570404, flags=0x1, tag="View Lock", uid=10037')).toBe('acquire lock=<*>, flags=<*>, tag=<*>, uid=<*>');
    expect(maskKey('level=error msg="connection refused" peer="db 1"')).toBe('level=<*> msg="connection refused" peer=<*>');
    expect(maskKey('session 3f2a9c1e-8b7d-4e1f-9a2b-1c3d5e7f9a0b done in 12 ms')).toBe('session <*> done in <*>');
    expect(maskKey('read /etc/httpd/conf/workers2.properties ok')).toBe('read <*> ok');
    expect(maskKey('isOverlap:false applied')).toBe('isOverlap:<*> applied');
    expect(maskKey('time=2025-06-03T10:19:54.042Z level=ERROR msg="boom"')).toBe('time=<*> level=<*> msg="boom"');
    expect(maskKey('0 bytes (0 B) sent, lifetime <1 sec')).toBe('<*> sent, lifetime <*>');
  });

  it('collapses consecutive variables and keeps plain words', () => {
    expect(maskLine('stack @0x7fed806eb5d @0x7fef9fb9b6d @0xff83db2f end')).toEqual(['stack', WILDCARD, 'end']);
    expect(maskLine('  plain   words  only ')).toEqual(['plain', 'words', 'only']);
    expect(maskLine('')).toEqual([]);
  });

  it('masks tokens with many pieces exactly (no piece limit below the line limit)', () => {
    // 100 pieces, every other one a number: each number becomes <*>, the words and colons stay.
    const tok = Array.from({ length: 50 }, (_, i) => `x:${i}`).join(':');
    expect(maskKey(`spec ${tok} end`)).toBe(`spec ${Array.from({ length: 50 }, () => 'x:<*>').join(':')} end`);
  });

  it('keeps runs of plain words, separators and literal stars as they are', () => {
    expect(maskKey('a  b\tc d')).toBe('a b c d');
    expect(maskKey('glob * and <*> stay 12 ms')).toBe('glob * and <*> stay <*>');
  });

  it('masks JSON string values except message-like keys', () => {
    expect(maskKey('{"level":"info","host":"web 1","msg":"user logged in"}')).toBe('{"level":"<*>","host":"<*>","msg":"user logged in"}');
  });
});

describe('PatternMiner', () => {
  it('groups lines of one template and keeps different events apart', () => {
    const m = new PatternMiner();
    const lines = [
      'Accepted password for root from 10.0.0.1 port 22 ssh2',
      'Accepted password for bob from 10.0.0.2 port 2222 ssh2',
      'Failed password for alice from 10.0.0.3 port 22 ssh2',
      'Failed password for carol from 10.0.0.9 port 22 ssh2',
      'Invalid user admin from 1.2.3.4',
      'Invalid user oracle from 1.2.3.5',
      'Invalid user test from 1.2.3.6',
      'Invalid user guest from 1.2.3.7',
      'Invalid user pi from 1.2.3.8',
    ];
    const ids = lines.map((l) => m.add(l));
    m.finish();
    const c = ids.map((i) => m.clusterOf(i));
    // Accepted vs Failed: two distinct words in the slot → two events; names after "for" vary → variables.
    expect(c[0]).not.toBe(c[2]);
    // Five distinct user names at one position with the rest equal → one template.
    expect(new Set(c.slice(4)).size).toBe(1);
    const invalid = m.clusters().find((x) => x.id === c[4])!;
    expect(invalid.template).toBe('Invalid user <*> from <*>');
    expect(invalid.count).toBe(5);
    expect(invalid.pattern).toBe('Invalid user <_> from <_>');
  });

  it('learnt variables absorb later values (streaming)', () => {
    const m = new PatternMiner({ mergeEvery: 5 });
    for (const u of ['a', 'b', 'c', 'd', 'e', 'f']) m.add(`login ok for user ${u} on console`);
    m.mergePass();
    const later = m.add('login ok for user zed on console');
    m.finish();
    expect(m.clusters()).toHaveLength(1);
    expect(m.clusterOf(later)).toBe(m.clusters()[0]!.id);
    expect(m.clusters()[0]!.count).toBe(7);
  });

  it('is memory-bounded: caps leaves and samples, counts the overflow', () => {
    const m = new PatternMiner({ maxLeaves: 10, maxSamples: 2 });
    // Every line a different constant word pair at two positions: never mergeable.
    // Two word slots change together on every line: no single-position merge applies.
    const word = (i: number) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    for (let i = 0; i < 100; i++) m.add(`event ${word(i)} happened ${word(i + 7)}`);
    m.finish();
    const cs = m.clusters();
    const total = cs.reduce((s, c) => s + c.count, 0);
    expect(total).toBe(100);
    expect(cs.length).toBeLessThanOrEqual(11);
    expect(cs.every((c) => c.samples.length <= 2)).toBe(true);
    expect(cs.some((c) => c.id === OVERFLOW_ID)).toBe(true);
  });

  it('patterns match their own lines as a Loki |> filter would', () => {
    const lines = ['GET /api/items/12 200 3.2ms', 'GET /api/items/7 200 1.0ms', 'user=42 action=login result=ok', 'user=7 action=login result=ok', 'x=1 "quoted value" done'];
    const m = new PatternMiner();
    const ids = lines.map((l) => m.add(l));
    m.finish();
    const byId = new Map(m.clusters().map((c) => [c.id, c]));
    lines.forEach((l, i) => expect(matchesLokiPattern(l, byId.get(m.clusterOf(ids[i]!))!.pattern)).toBe(true));
  });

  it('tolerates binary junk and huge lines', () => {
    const m = new PatternMiner();
    const junk = Buffer.from([0, 1, 2, 255, 254, 10, 13, 9, 65, 66]).toString('latin1');
    m.add(junk);
    m.add('x'.repeat(1_000_000));
    m.add('');
    m.finish();
    expect(m.clusters().reduce((s, c) => s + c.count, 0)).toBe(3);
  });
});
