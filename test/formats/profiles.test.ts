// Profiles as users have them: pprof anywhere in a folder (gzipped or not), collapsed stacks from
// perf/stackcollapse, py-spy and async-profiler, and a clear message for the legacy pprof formats.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { buildPprof, F, goCpu } from '../profiles/helpers.js';
import { looksFolded, parseFolded } from '../../src/sources/bundle/formats/folded.js';
import { legacyPprofKind } from '../../src/sources/bundle/formats/legacy-pprof.js';

const FIX = path.resolve('test/fixtures/formats');
const T = Date.UTC(2025, 5, 4, 10, 0, 0);

describe('profile formats', () => {
  it('a folder with only pprof files opens: raw and gzipped, service from the file name, window from the profiles', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-pprof-'));
    const handler = F('main.handle', 'main.go', 12);
    const parse = F('encoding/json.Unmarshal', 'encoding/json/decode.go', 100);
    writeFileSync(path.join(dir, 'checkout-cpu.pb.gz'), buildPprof(goCpu(T, 10_000, [[[parse, handler], 30_000_000]])));
    writeFileSync(path.join(dir, 'ride.pprof'), buildPprof(goCpu(T + 60_000, 10_000, [[[handler], 10_000_000]]), false));
    const b = await openBundle(dir);
    expect(b.problems).toEqual([]);
    expect(b.incident.id).toBe(path.basename(dir));
    // Ranges end exclusive: the last profile's end (T + 70 s) falls inside.
    expect(b.defaults.window).toEqual({ start: T, end: T + 71_000 });
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['checkout', 'ride']);
    const types = await b.profiles!.profileTypes('checkout', b.defaults.window);
    const merged = await b.profiles!.mergedProfile('checkout', types.find((t) => t.sampleType === 'cpu')!.id, b.defaults.window);
    expect(merged!.stacks.map((s) => [s.frames.map((f) => f.function), s.value])).toEqual([[['main.handle', 'encoding/json.Unmarshal'], 30_000_000]]);
  });

  it('collapsed stacks: perf/stackcollapse, py-spy (file:line frames), async-profiler (frame suffixes)', async () => {
    const b = await openBundle(path.join(FIX, 'folded'));
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['cart', 'checkout', 'recommender']);
    // No time in collapsed stacks: the window is the hour before the files were written, and it says so.
    expect(b.defaults.window.end - b.defaults.window.start).toBe(3_600_000);
    expect(b.problems.join('\n')).toMatch(/no time in the data; the window is the hour before the newest file was written/);
    const [type] = await b.profiles!.profileTypes('recommender', b.defaults.window);
    expect(type!.id).toBe('process_cpu:samples:count::');
    const py = await b.profiles!.mergedProfile('recommender', type!.id, b.defaults.window);
    const top = py!.stacks.find((s) => s.value === 131)!;
    expect(top.frames.map((f) => [f.function, f.file, f.line])).toEqual([
      ['<module>', 'app.py', 88],
      ['serve', 'app.py', 40],
      ['recommend', 'reco/model.py', 112],
      ['score', 'reco/model.py', 64],
    ]);
    const cart = await b.profiles!.mergedProfile('cart', type!.id, b.defaults.window);
    expect(cart!.stacks.find((s) => s.value === 55)!.frames.map((f) => f.function)).toEqual(['java/lang/Thread.run', 'com/acme/cart/CartService.get', 'com/acme/cart/Cache.lookup', 'java/util/HashMap.get']);
    const perf = await b.profiles!.mergedProfile('checkout', type!.id, b.defaults.window);
    expect(perf!.stacks.reduce((a, s) => a + s.value, 0)).toBe(100);
  });

  it('recognises folded text and rejects what is not', () => {
    expect(looksFolded(['a;b;c 12', 'a;b 3'])).toBe(true);
    expect(looksFolded(['2025-06-04 10:00:00 INFO started 3'])).toBe(false);
    expect(() => parseFolded('not a stack\n', 'x.folded')).toThrow(/no stacks/);
  });

  it('legacy pprof formats: a clear message to convert with go tool pprof -proto, the rest of the folder stays usable', async () => {
    expect(legacyPprofKind(Buffer.from('heap profile: 1: 2 [3: 4] @ heap/1048576\n'))).toMatch(/heap/);
    expect(legacyPprofKind(Buffer.from('goroutine profile: total 12\n'))).toMatch(/count profile/);
    expect(legacyPprofKind(Buffer.from('--- contention:\ncycles/second=3\n'))).toMatch(/contention/);
    expect(legacyPprofKind(Buffer.from('main;handler 12\n'))).toBeUndefined();
    // Only legacy files: nothing to open, and the error says why and what to do.
    await expect(openBundle(path.join(FIX, 'legacy-pprof'))).rejects.toThrow(/legacy pprof format \(legacy binary CPU profile\): convert it with `go tool pprof -proto/);
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-legacy-'));
    cpSync(path.join(FIX, 'legacy-pprof'), dir, { recursive: true });
    cpSync(path.join(FIX, 'zipkin'), dir, { recursive: true });
    const b = await openBundle(dir);
    expect(b.problems.join('\n')).toMatch(/heap\.txt: legacy pprof format \(heap profile \(text\)\): convert it with `go tool pprof -proto/);
    expect(await b.traces!.services(b.defaults.window)).toEqual(['cart', 'frontend']);
  });

  it('the advice works: go tool pprof -proto converts both legacy fixtures into profiles that open (skipped without go)', async () => {
    if (spawnSync('go', ['version']).status !== 0) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-converted-'));
    for (const f of ['heap.txt', 'cpu.prof']) {
      const r = spawnSync('go', ['tool', 'pprof', '-proto', path.join(FIX, 'legacy-pprof', f)], { maxBuffer: 1 << 24 });
      expect(r.status, String(r.stderr)).toBe(0);
      writeFileSync(path.join(dir, `legacy-${f.replace('.', '-')}.pb.gz`), r.stdout);
    }
    const b = await openBundle(dir);
    expect(b.problems.filter((p) => /legacy pprof format|not a pprof/.test(p))).toEqual([]);
    const types = (await b.profiles!.profileTypes(undefined, b.defaults.window)).map((t) => t.sampleType);
    expect(types).toEqual(expect.arrayContaining(['inuse_space', 'cpu']));
  });
});
