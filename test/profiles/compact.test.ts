// The merged profile kept as integers (merge.ts reading pprof location ids, compact-stacks.ts) must give
// what merging the samples' frame arrays gives, and the analyses must answer the same from it as from
// the stacks made from it.
import { describe, expect, it } from 'vitest';
import { decodePprof, type ParsedProfile } from '../../src/analysis/profiles/pprof.js';
import { StackMerger } from '../../src/analysis/profiles/merge.js';
import { compactStacks, stackCount } from '../../src/analysis/profiles/compact-stacks.js';
import { cumOrder, flatOrder, topFunctions, topPaths, userFunctions } from '../../src/analysis/profiles/top.js';
import { analyzeHot } from '../../src/analysis/profiles/hot.js';
import { functionId } from '../../src/analysis/profiles/intern.js';
import type { StackProfile } from '../../src/sources/types.js';
import { buildPprof, F, goCpu } from './helpers.js';

const handler = F('github.com/acme/ride/internal/api.(*Handler).ServeHTTP', 'github.com/acme/ride/internal/api/h.go', 20);
const lookup = F('github.com/acme/ride/internal/driver.(*LoginCache).Lookup', 'github.com/acme/ride/internal/driver/login_cache.go', 41);
const lookup2 = F('github.com/acme/ride/internal/driver.(*LoginCache).Lookup', 'github.com/acme/ride/internal/driver/login_cache.go', 38);
const lock = F('sync.(*Mutex).Lock', 'sync/mutex.go', 83);
const malloc = F('runtime.mallocgc', 'runtime/malloc.go', 1000);
const goexit = F('runtime.goexit', 'runtime/asm_amd64.s', 1695);
const inlined = { fn: 'main.outer', file: 'main.go', line: 10, inlined: [{ fn: 'main.inner', file: 'main.go', line: 3 }] };

const TICK = 10_000_000; // one CPU sample: the count type gets 1
const TYPE = { id: 'x', sampleType: 'cpu', sampleUnit: 'nanoseconds' };
const RANGE = { start: 0, end: 10_000 };

/** The same profile without its location table: the merger reads its samples' frames. */
const byFrames = (p: ParsedProfile): ParsedProfile => ({ ...p, locationStacks: undefined });

const shape = (p: StackProfile) => p.stacks.map((s) => [s.frames.map((f) => `${f.function}|${f.file ?? ''}|${f.line ?? ''}`).join(' > '), s.value]);

function merged(profiles: ParsedProfile[], index: number): StackProfile {
  const m = new StackMerger();
  for (const p of profiles) m.add(p, index);
  return m.result(TYPE, 's', RANGE);
}

describe('compact merged profiles', () => {
  const a = decodePprof(
    buildPprof(
      goCpu(0, 10_000, [
        [[lookup, handler, goexit], 500 * TICK],
        [[lock, lookup, handler, goexit], 300 * TICK],
        [[malloc, handler, goexit], 200 * TICK],
        [[lookup, handler, goexit], 50 * TICK], // the same stack again
        [[lookup2, handler, goexit], 70 * TICK], // another line of the same function
        [[inlined, handler, goexit], 40 * TICK],
        [[malloc, lock, lookup, handler, goexit], 0], // no value: left out
      ]),
    ),
  );
  const b = decodePprof(
    buildPprof(
      goCpu(10_000, 10_000, [
        [[malloc, handler, goexit], 25 * TICK], // a stack of the first file, other location ids
        [[inlined, lookup, handler, goexit], 10 * TICK],
      ]),
    ),
  );

  it('merges by location id exactly as by frames, across files', () => {
    expect(a.locationStacks?.samples).toBe(a.samples);
    for (const index of [0, 1]) {
      const ours = merged([a, b], index);
      const theirs = merged([byFrames(a), byFrames(b)], index);
      expect(shape(ours)).toEqual(shape(theirs));
      expect(stackCount(ours)).toBe(ours.stacks.length);
    }
    const p = merged([a, b], 1);
    // In order of first appearance: a stack seen twice in the first file, and one in both files, summed.
    expect(p.stacks.map((s) => s.value / TICK)).toEqual([550, 300, 225, 70, 40, 10]);
    expect(merged([a, b], 0).stacks.map((s) => s.value)).toEqual([550, 300, 225, 70, 40, 10]);
    expect(p.stacks[4]!.frames.map((f) => f.function)).toEqual([goexit.fn, handler.fn, 'main.outer', 'main.inner']);
  });

  it('makes the stacks only when they are read, and a spread copy reads its own', () => {
    const p = merged([a, b], 1);
    const c = compactStacks(p);
    expect(c.count).toBe(6);
    const copy = { ...p, stacks: p.stacks.slice(0, 2) };
    expect(stackCount(copy)).toBe(2);
    expect(compactStacks(copy).count).toBe(2);
    expect(topFunctions(copy).total).toBe((550 + 300) * TICK);
  });

  it('answers the same from the integer table as from the stacks made from it', () => {
    const p = merged([a, b], 1);
    const plain: StackProfile = { ...p, stacks: p.stacks.map((s) => ({ frames: [...s.frames], value: s.value })) };
    const t = topFunctions(p);
    const u = topFunctions(plain);
    expect(t.functions).toEqual(u.functions);
    expect(t.total).toBe(u.total);
    expect(userFunctions(p, t)).toEqual(userFunctions(plain, u));
    expect(topPaths(p, t, 10)).toEqual(topPaths(plain, u, 10));
    expect(analyzeHot(p, plain, 3)).toMatchObject({ flat: u.functions.slice(0, 3), user: userFunctions(plain, u, 3) });
  });

  it('gives the first rows by flat and by cum as sorting every function would', () => {
    const t = topFunctions(merged([a, b], 1));
    for (const n of [0, 1, 3, 100]) {
      expect(t.first(n, 'flat')).toEqual([...t.functions].sort(flatOrder).slice(0, n));
      expect(t.first(n, 'cum')).toEqual([...t.functions].sort(cumOrder).slice(0, n));
    }
    const row = t.byName.get(lookup.fn)!;
    expect(t.rowOf(functionId(lookup.fn))).toBe(row);
    expect(t.rowOf(functionId('not.in.this.profile'))).toBeUndefined();
    // The smallest line seen for the function, in its file.
    expect(row.line).toBe(38);
  });
});
