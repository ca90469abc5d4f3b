import { describe, expect, it } from 'vitest';
import { decodePprof, defaultSampleIndex, ProfileDecodeError } from '../../src/analysis/profiles/pprof.js';
import { topFunctions, userFunctions, topPaths, cumOrder } from '../../src/analysis/profiles/top.js';
import { diffProfiles } from '../../src/analysis/profiles/diff.js';
import { lineCosts } from '../../src/analysis/profiles/lines.js';
import { frameKind, goPackage } from '../../src/analysis/profiles/classify.js';
import { profileTypeIds, resolveProfileType, defaultProfileType } from '../../src/analysis/profiles/types.js';
import { flamegraphStacks } from '../../src/analysis/profiles/flamegraph.js';
import { parseLocation, parseSymbol } from '../../src/analysis/profiles/symbols.js';
import { renderLabelSelector, renderProfileQuery } from '../../src/query/pyroscope.js';
import type { StackProfile } from '../../src/sources/types.js';
import { buildPprof, F, goCpu } from './helpers.js';

const APP = 'github.com/acme/ride/internal/driver';
const handler = F('github.com/acme/ride/internal/api.(*Handler).ServeHTTP', 'github.com/acme/ride/internal/api/h.go', 20);
const lookup = F(`${APP}.(*LoginCache).Lookup`, 'github.com/acme/ride/internal/driver/login_cache.go', 41);
const lock = F('sync.(*Mutex).Lock', 'sync/mutex.go', 83);
const sema = F('runtime.semacquire1', 'runtime/sema.go', 169);
const malloc = F('runtime.mallocgc', 'runtime/malloc.go', 1000);
const goexit = F('runtime.goexit', 'runtime/asm_amd64.s', 1695);

function profileOf(bytes: Buffer, idx?: number): StackProfile {
  const p = decodePprof(bytes, 'test.pb.gz');
  const i = idx ?? defaultSampleIndex(p);
  return { type: { id: 'x', sampleType: 'cpu', sampleUnit: 'nanoseconds' }, service: 's', range: { start: 0, end: 10_000 }, durationMs: p.durationMs ?? 10_000, stacks: p.samples.map((s) => ({ frames: s.frames, value: s.values[i]! })) };
}

describe('pprof decoding', () => {
  const spec = goCpu(1_748_944_000_000, 10_000, [
    [[lookup, handler, goexit], 500_000_000],
    [[sema, lock, lookup, handler, goexit], 300_000_000],
    [[malloc, handler, goexit], 200_000_000],
  ]);

  it('decodes gzipped and raw pprof with time, duration, types and leaf-last frames', () => {
    for (const gz of [true, false]) {
      const p = decodePprof(buildPprof(spec, gz), 'x.pb');
      expect(p.sampleTypes).toEqual([
        { type: 'samples', unit: 'count' },
        { type: 'cpu', unit: 'nanoseconds' },
      ]);
      expect(p.timeMs).toBe(1_748_944_000_000);
      expect(p.durationMs).toBe(10_000);
      expect(p.samples[1]!.frames.map((f) => f.function)).toEqual(['runtime.goexit', handler.fn, lookup.fn, lock.fn, sema.fn]);
      expect(p.samples[0]!.frames.at(-1)).toMatchObject({ function: lookup.fn, file: lookup.file, line: 41 });
      expect(defaultSampleIndex(p)).toBe(1);
      expect(profileTypeIds(p)).toEqual(['process_cpu:samples:count:cpu:nanoseconds', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds']);
    }
  });

  it('expands inlined frames (innermost first in pprof) into separate frames', () => {
    const b = buildPprof(goCpu(0, 1000, [[[{ fn: 'main.outer', file: 'main.go', line: 10, inlined: [{ fn: 'main.inner', file: 'main.go', line: 3 }] }, goexit], 100]]));
    const p = decodePprof(b);
    expect(p.samples[0]!.frames.map((f) => f.function)).toEqual(['runtime.goexit', 'main.outer', 'main.inner']);
  });

  it('rejects empty, truncated and non-pprof input naming the file', () => {
    const good = buildPprof(spec, false);
    expect(() => decodePprof(Buffer.alloc(0), 'empty.pb')).toThrow(/empty\.pb: empty file/);
    expect(() => decodePprof(good.subarray(0, Math.floor(good.length / 2)), 'cut.pb')).toThrow(ProfileDecodeError);
    expect(() => decodePprof(good.subarray(0, Math.floor(good.length / 2)), 'cut.pb')).toThrow(/cut\.pb/);
    const gz = buildPprof(spec, true);
    expect(() => decodePprof(gz.subarray(0, gz.length - 20), 'cut.pb.gz')).toThrow(/cut\.pb\.gz: corrupt or truncated gzip/);
    expect(() => decodePprof(Buffer.from('hello, this is not a profile\n'), 'notes.txt')).toThrow(/notes\.txt: not a pprof profile/);
    expect(() => decodePprof(Buffer.from('{"a":1}'), 'x.json')).toThrow(/x\.json: not a pprof profile/);
  });
});

describe('hot functions', () => {
  const bytes = buildPprof(
    goCpu(0, 10_000, [
      [[lookup, handler, goexit], 500_000_000],
      [[sema, lock, lookup, handler, goexit], 300_000_000],
      [[malloc, handler, goexit], 200_000_000],
      // Recursion: cum counted once per sample.
      [[F('main.fib'), F('main.fib'), F('main.fib'), goexit], 100_000_000],
    ]),
  );
  const p = profileOf(bytes);

  it('computes flat and cum per function like pprof (recursion counted once)', () => {
    const t = topFunctions(p);
    expect(t.total).toBe(1_100_000_000);
    const by = (n: string) => t.byName.get(n)!;
    expect(by(lookup.fn)).toMatchObject({ flat: 500_000_000, cum: 800_000_000, kind: 'user' });
    expect(by(handler.fn)).toMatchObject({ flat: 0, cum: 1_000_000_000 });
    expect(by('main.fib')).toMatchObject({ flat: 100_000_000, cum: 100_000_000 });
    expect(by('runtime.goexit')).toMatchObject({ flat: 0, cum: 1_100_000_000, kind: 'runtime' });
    expect(t.functions[0]!.name).toBe(lookup.fn);
    expect([...t.functions].sort(cumOrder)[0]!.name).toBe('runtime.goexit');
  });

  it('attributes runtime self time to the user caller and names the causes under it', () => {
    const t = topFunctions(p);
    const u = userFunctions(p, t);
    expect(u[0]!.name).toBe(lookup.fn);
    expect(u[0]!.attributed).toBe(800_000_000);
    expect(u[0]!.causes.lock).toBe(300_000_000);
    expect(u[0]!.via[0]).toEqual({ name: lock.fn, value: 300_000_000 });
    expect(u[0]!.callers).toEqual([handler.fn]);
    const h = u.find((x) => x.name === handler.fn)!;
    expect(h.attributed).toBe(200_000_000);
    expect(h.causes.gc).toBe(200_000_000);
    const paths = topPaths(p, t, 3);
    expect(paths[0]!.frames).toEqual([handler.fn, lookup.fn]);
    expect(paths[0]!.value).toBe(500_000_000);
  });

  it('reads the same user view and paths from topFunctions\' integer table as from the stacks themselves', () => {
    const t = topFunctions(p);
    expect(t.table?.count).toBe(p.stacks.filter((s) => s.value !== 0 && s.frames.length).length);
    // Without the table (a top computed elsewhere) both passes build their own from the frames.
    const { table: _table, ...withoutTable } = t;
    expect(userFunctions(p, withoutTable)).toEqual(userFunctions(p, t));
    expect(topPaths(p, withoutTable, 10)).toEqual(topPaths(p, t, 10));
    expect(userFunctions(p, t)[0]!.attributed).toBe(800_000_000);
  });

  it('diffs per second, so windows of different lengths compare', () => {
    const base: StackProfile = { ...profileOf(buildPprof(goCpu(0, 20_000, [[[lookup, handler, goexit], 200_000_000], [[malloc, handler, goexit], 400_000_000]]))), durationMs: 20_000 };
    const d = diffProfiles(p, base);
    const g = d.grew.find((x) => x.name === lookup.fn)!;
    expect(g.attributedPerSec).toBeCloseTo(80_000_000); // 800ms over 10s
    expect(g.basePerSecAttributed).toBeCloseTo(10_000_000); // 200ms over 20s
    expect(g.delta).toBeCloseTo(70_000_000);
    expect(g.change).toBeCloseTo(7);
    expect(d.grew[0]!.name).toBe(lookup.fn);
    expect(d.windowPerSec).toBeCloseTo(110_000_000);
    expect(d.basePerSec).toBeCloseTo(30_000_000);
  });

  it('computes per-line self and total costs of a function', () => {
    const prof = profileOf(
      buildPprof(
        goCpu(0, 1000, [
          [[F(lookup.fn, lookup.file, 41), handler], 50],
          [[F(lookup.fn, lookup.file, 40), handler], 30],
          [[lock, F(lookup.fn, lookup.file, 33), handler], 20],
        ]),
      ),
    );
    expect(lineCosts(prof, { fn: '(*LoginCache).Lookup' })).toEqual([
      { file: lookup.file, line: 33, flat: 0, cum: 20 },
      { file: lookup.file, line: 40, flat: 30, cum: 30 },
      { file: lookup.file, line: 41, flat: 50, cum: 50 },
    ]);
  });
});

describe('classification and names', () => {
  it('separates user code, libraries and runtime/stdlib across languages', () => {
    expect(frameKind({ function: 'runtime.mallocgc', file: 'runtime/malloc.go' })).toBe('runtime');
    expect(frameKind({ function: 'net/http.(*conn).serve', file: '/usr/local/go/src/net/http/server.go' })).toBe('runtime');
    expect(frameKind({ function: 'github.com/lib/pq.(*conn).query', file: 'github.com/lib/pq@v1.10.9/conn.go' })).toBe('library');
    expect(frameKind({ function: 'github.com/acme/ride/internal/x.F' })).toBe('user');
    expect(frameKind({ function: 'main.main' })).toBe('user');
    expect(frameKind({ function: 'rideshare/utility.FindNearestVehicle' })).toBe('user');
    expect(frameKind({ function: 'java.util.HashMap.get' })).toBe('runtime');
    expect(frameKind({ function: 'org.apache.kafka.Foo.bar' })).toBe('library');
    expect(frameKind({ function: 'handle', file: '/usr/lib/python3.11/json/decoder.py' })).toBe('runtime');
    expect(frameKind({ function: 'get', file: '/app/.venv/lib/python3.11/site-packages/requests/api.py' })).toBe('library');
    expect(frameKind({ function: 'std::io::Write::write_all' })).toBe('runtime');
    expect(goPackage('github.com/acme/ride/internal/driver.(*LoginCache).Lookup')).toBe('github.com/acme/ride/internal/driver');
  });

  it('parses symbols of several languages for source search', () => {
    expect(parseSymbol('github.com/acme/ride/internal/driver.(*LoginCache).Lookup')).toMatchObject({ func: 'Lookup', owner: 'LoginCache', dir: 'internal/driver' });
    expect(parseSymbol('github.com/acme/x/pkg.Run.func1.2')).toMatchObject({ func: 'Run' });
    expect(parseSymbol('com.acme.orders.OrderService.place')).toMatchObject({ func: 'place', owner: 'OrderService', dir: 'com/acme/orders' });
    expect(parseSymbol('my_crate::cache::LoginCache::lookup::h0123456789abcdef')).toMatchObject({ func: 'lookup', owner: 'LoginCache' });
    expect(parseSymbol('lookup (/app/driver/cache.py:42)')).toMatchObject({ func: 'lookup', file: '/app/driver/cache.py', line: 42 });
    expect(parseLocation('internal/driver/login_cache.go:41')).toEqual({ file: 'internal/driver/login_cache.go', line: 41 });
    expect(parseLocation('  File "/app/driver/cache.py", line 12, in lookup')).toEqual({ file: '/app/driver/cache.py', line: 12, function: 'lookup' });
    expect(parseLocation('at com.acme.Foo.bar(Foo.java:42)')).toEqual({ file: 'Foo.java', line: 42, function: 'com.acme.Foo.bar' });
    expect(parseLocation('no location here')).toBeUndefined();
  });

  it('resolves profile type aliases and renders Pyroscope queries', () => {
    const ids = ['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 'process_cpu:samples:count:cpu:nanoseconds', 'memory:alloc_space:bytes:space:bytes', 'mutex:delay:nanoseconds:contentions:count'];
    expect(resolveProfileType('cpu', ids)).toBe(ids[0]);
    expect(resolveProfileType('alloc_space', ids)).toBe(ids[2]);
    expect(resolveProfileType('mutex', ids)).toBe(ids[3]);
    expect(resolveProfileType('goroutine', ids)).toBeUndefined();
    expect(defaultProfileType(ids.slice(2))).toBe(ids[2]);
    expect(renderLabelSelector({ service: 'ride', labels: [{ name: 'region', value: 'eu "1"' }] })).toBe('{service_name="ride",region="eu \\"1\\""}');
    expect(renderProfileQuery(ids[0]!, { service: 'ride' })).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="ride"}');
    expect(() => renderProfileQuery('cpu', {})).toThrow(/invalid profile type id/);
  });

  it('turns a flame graph back into stacks with self values', () => {
    // total(10) → a(10, self 2) → [b(5, self 5), c(3, self 3)]
    const stacks = flamegraphStacks(['total', 'a', 'b', 'c'], [{ values: ['0', '10', '0', '0'] }, { values: ['0', '10', '2', '1'] }, { values: ['2', '5', '5', '2', '0', '3', '3', '3'] }]);
    expect(stacks.map((s) => [s.frames.map((f) => f.function).join('>'), s.value])).toEqual([
      ['a', 2],
      ['a>b', 5],
      ['a>c', 3],
    ]);
  });
});
