// Bundle profiles and source tree, through the hot_functions and lookup_source tools.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle, type BundleSources } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { hotFunctions } from '../../tools/hot_functions.js';
import { lookupSource } from '../../tools/lookup_source.js';
import type { ToolDef } from '../../tools/types.js';
import { BundleCodeSource } from '../../src/sources/bundle/source.js';
import { profilesStep } from '../../src/agent/steps/profiles.js';
import { buildPprof, F, goCpu } from './helpers.js';

const T0 = Date.parse('2025-06-03T09:50:00Z');
const MIN = 60_000;
const FILE = 'github.com/acme/ride/internal/driver/login_cache.go';
const lookup = (line: number) => F('github.com/acme/ride/internal/driver.(*LoginCache).Lookup', FILE, line);
const handler = F('github.com/acme/ride/internal/api.(*DriverHandler).ServeHTTP', 'github.com/acme/ride/internal/api/driver_handler.go', 30);
const lock = F('sync.(*Mutex).Lock', 'sync/mutex.go', 83);
const futex = F('runtime.futex', 'runtime/sys_linux_amd64.s', 557);
const encode = F('encoding/json.(*encodeState).marshal', 'encoding/json/encode.go', 300);
const goexit = F('runtime.goexit', 'runtime/asm_amd64.s', 1695);

const GO_SOURCE = `package driver

import "sync"

type LoginCache struct {
	mu      sync.Mutex
	entries []entry
}

// Lookup scans every entry under the lock.
func (c *LoginCache) Lookup(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.id == id {
			return true
		}
	}
	return false
}
`;

let dir: string;
let sources: BundleSources;
const ctx = () => ({ sources, signal: new AbortController().signal, progress: () => {} });
const call = (def: unknown, args: Record<string, unknown>) => runTool(def as ToolDef, args, ctx());

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ql-prof-'));
  writeFileSync(
    path.join(dir, 'incident.yaml'),
    `id: t\ntitle: t\nwindow: {start: 2025-06-03T09:50:00Z, end: 2025-06-03T10:20:00Z}\nbaseline: {start: 2025-06-03T09:50:00Z, end: 2025-06-03T10:04:00Z}\nincident: {start: 2025-06-03T10:04:00Z, end: 2025-06-03T10:20:00Z}\nrepositories: {ride: acme/ride}\n`,
  );
  const ride = path.join(dir, 'profiles', 'ride');
  mkdirSync(ride, { recursive: true });
  // One 10 s profile per minute; from 10:04 Lookup becomes hot and waits on its mutex.
  for (let m = 0; m < 30; m++) {
    const t = T0 + m * MIN;
    const bad = m >= 14;
    const stacks: Array<[ReturnType<typeof F>[], number]> = [
      [[encode, handler, goexit], 100_000_000],
      [[lookup(15), handler, goexit], bad ? 900_000_000 : 20_000_000],
    ];
    if (bad) stacks.push([[futex, lock, lookup(12), handler, goexit], 400_000_000]);
    writeFileSync(path.join(ride, `ride-${m}.pb.gz`), buildPprof(goCpu(t, 10_000, stacks)));
  }
  // A profile without time, described by the index; and a labelled one in a shared folder.
  const misc = path.join(dir, 'profiles', 'misc');
  mkdirSync(misc, { recursive: true });
  const noTime = goCpu(0, 0, [[[F('main.work', 'main.go', 5), goexit], 50_000_000]]);
  delete noTime.timeMs;
  delete noTime.durationMs;
  writeFileSync(path.join(misc, 'worker.pb'), buildPprof(noTime, false));
  writeFileSync(path.join(misc, 'labelled.pb.gz'), buildPprof(goCpu(T0 + 20 * MIN, 10_000, [[[F('main.serve', 'main.go', 9), goexit], 70_000_000]], { service_name: 'auth' })));
  writeFileSync(path.join(dir, 'profiles', 'index.yaml'), `- file: misc/worker.pb\n  service: worker\n  start: 2025-06-03T10:10:00Z\n  duration: 10s\n`);
  // Bad inputs: truncated and not a profile at all.
  const good = buildPprof(goCpu(T0, 10_000, [[[lookup(15), goexit], 1]]), false);
  writeFileSync(path.join(ride, 'truncated.pb'), good.subarray(0, good.length - 7));
  writeFileSync(path.join(ride, 'notes.pb.gz'), 'this is not gzip');
  // Source trees.
  const src = (p: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, 'source', p)), { recursive: true });
    writeFileSync(path.join(dir, 'source', p), text);
  };
  src('ride/internal/driver/login_cache.go', GO_SOURCE);
  src('ride/internal/other/cache.go', 'package other\n\nfunc Lookup() {}\n');
  src('pysvc/app/driver/cache.py', 'import threading\n\nclass Cache:\n    def lookup(self, key):\n        with self.lock:\n            return self.d.get(key)\n');
  src('jsvc/src/main/java/com/acme/orders/OrderService.java', 'package com.acme.orders;\n\npublic class OrderService {\n    public synchronized Order place(Order o) {\n        return repo.save(o);\n    }\n}\n');
  src('tsvc/src/cache.ts', 'export class Cache {\n  async lookup(key: string): Promise<string> {\n    return this.m.get(key);\n  }\n}\nexport const helper = async (x: number) => x * 2;\n');
  src('rsvc/src/cache.rs', 'pub struct LoginCache {}\nimpl LoginCache {\n    pub fn lookup(&self, id: i64) -> bool {\n        false\n    }\n}\n');
  src('csvc/Cache.cs', 'namespace Acme {\n  public class LoginCache {\n    public async Task<bool> Lookup(long id) {\n      return false;\n    }\n  }\n}\n');
  sources = await openBundle(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundle profile source', () => {
  it('lists services and types, with service from folder, label and index', async () => {
    const all = { start: T0, end: T0 + 30 * MIN };
    expect(await sources.profiles!.services(all)).toEqual(['auth', 'ride', 'worker']);
    const types = await sources.profiles!.profileTypes('ride', all);
    expect(types.map((t) => t.id)).toEqual(['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 'process_cpu:samples:count:cpu:nanoseconds']);
    expect(await sources.profiles!.services({ start: T0, end: T0 + 5 * MIN })).toEqual(['ride']);
  });

  it('merges the profiles of a window', async () => {
    const p = await sources.profiles!.mergedProfile('ride', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', { start: T0 + 14 * MIN, end: T0 + 30 * MIN });
    expect(p!.durationMs).toBe(16 * 10_000);
    expect(p!.stacks.reduce((s, x) => s + x.value, 0)).toBe(16 * 1_400_000_000);
  });

  it('reports truncated and non-pprof files as problems naming them', async () => {
    await sources.profiles!.services({ start: T0, end: T0 + MIN });
    const probs = sources.problems.join('\n');
    expect(probs).toMatch(/truncated\.pb: not a pprof profile or truncated/);
    expect(probs).toMatch(/notes\.pb\.gz: not a pprof profile/);
  });
});

describe('hot_functions on a bundle', () => {
  it('ranks the mutex-guarded user function first, with causes and growth per second', async () => {
    const r = await call(hotFunctions, { service: 'ride', type: 'cpu' });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    expect(d.profile_type).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    expect(d.user_functions[0].name).toBe('github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    // 1.3 s of 1.4 s per profile: own 0.9 s plus 0.4 s in sync.Mutex.Lock → runtime.futex.
    expect(d.user_functions[0].attributed_share).toBeCloseTo(1.3 / 1.4, 3);
    expect(d.user_functions[0].self_share).toBeCloseTo(0.9 / 1.4, 3);
    expect(d.user_functions[0].causes.lock).toBeCloseTo(0.4 / 1.3, 3);
    expect(d.user_functions[0].via[0].name).toBe('sync.(*Mutex).Lock');
    expect(d.grew[0].name).toBe('github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    expect(d.grew[0].per_s_now).toBeCloseTo(1.3e9 / 10, 0);
    expect(d.grew[0].per_s_before).toBeCloseTo(0.02e9 / 10, 0);
    expect(d.functions[0].name).toBe('github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    expect(d.functions.find((f: any) => f.name === 'runtime.futex').kind).toBe('runtime');
    expect(d.query).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="ride"}');
    expect(d.paths[0].frames).toEqual(['github.com/acme/ride/internal/api.(*DriverHandler).ServeHTTP', 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup']);
    expect(r.text).toMatch(/mutex\/lock/);
  });

  it('lists profile types when no service or type is given', async () => {
    const r = await call(hotFunctions, {});
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/process_cpu:cpu:nanoseconds:cpu:nanoseconds/);
    expect((r.structured as any).types.length).toBe(2);
    const r2 = await call(hotFunctions, { service: 'ride' });
    expect((r2.structured as any).types.map((t: any) => t.id)).toContain('process_cpu:samples:count:cpu:nanoseconds');
    expect((r2.structured as any).profile_type).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
  });

  it('gives clear errors for unknown types, unknown services and empty windows', async () => {
    const t = await call(hotFunctions, { service: 'ride', type: 'alloc_space' });
    expect(t.isError).toBe(true);
    expect(t.text).toMatch(/unknown profile type "alloc_space".*\n.*available types: process_cpu:cpu/);
    const s = await call(hotFunctions, { service: 'nope' });
    expect(s.isError).toBe(true);
    expect(s.text).toMatch(/no profiles for service "nope"/);
    expect(s.text).toMatch(/ride/);
    const e = await call(hotFunctions, { service: 'ride', from: '2025-06-03T12:00:00Z', to: '2025-06-03T12:30:00Z' });
    expect(e.isError).toBe(true);
    expect(e.text).toMatch(/no profiles for service "ride" in the window 2025-06-03T12:00:00.000Z/);
  });
});

describe('lookup_source on a bundle', () => {
  it('finds the function file, snippet and per-line costs', async () => {
    const r = await call(lookupSource, { service: 'ride', function: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup' });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    expect(d.repo).toBe('acme/ride');
    expect(d.path).toBe('internal/driver/login_cache.go');
    expect(d.definition_line).toBe(11);
    expect(d.start_line).toBe(11);
    expect(d.end_line).toBe(20);
    expect(d.snippet).toMatch(/12 │ {5}c\.mu\.Lock\(\)/);
    expect(d.line_costs[0]).toMatchObject({ line: 15, self: 16 * 900_000_000 });
    expect(d.line_costs.find((c: any) => c.line === 12)).toMatchObject({ self: 0, total: 16 * 400_000_000 });
  });

  it('accepts a file:line from a stack trace with a build path', async () => {
    const r = await call(lookupSource, { service: 'ride', location: '/build/ride/internal/driver/login_cache.go:15', context: 2 });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    // A short enclosing function is shown whole; the given line is marked.
    expect([d.path, d.function, d.start_line, d.end_line]).toEqual(['internal/driver/login_cache.go', 'Lookup', 11, 20]);
    expect(r.text).toMatch(/>15 │/);
    expect(r.text).toMatch(/in Lookup\(\)/);
    const far = await call(lookupSource, { service: 'ride', location: 'internal/driver/login_cache.go:3', context: 1 });
    expect([(far.structured as any).start_line, (far.structured as any).end_line]).toEqual([2, 4]);
  });

  it('says what is missing', async () => {
    const r = await call(lookupSource, { service: 'ride', function: 'github.com/acme/ride/internal/x.(*Nope).Missing' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/not found in the bundle's source\/ tree for service "ride"/);
    const n = await call(lookupSource, {});
    expect(n.isError).toBe(true);
    expect(n.text).toMatch(/nothing to look up/);
  });

  it('finds definitions in Go, Python, Java, TypeScript, Rust and C#', async () => {
    const code = new BundleCodeSource(path.join(dir, 'source'));
    const at = async (svc: string, fn: string) => (await code.findFunction(svc, fn)).map((c) => `${c.file.path}:${c.line}`)[0];
    expect(await at('ride', 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup')).toBe('internal/driver/login_cache.go:11');
    expect(await at('pysvc', 'lookup (/srv/app/driver/cache.py:5)')).toBe('app/driver/cache.py:4');
    expect(await at('jsvc', 'com.acme.orders.OrderService.place')).toBe('src/main/java/com/acme/orders/OrderService.java:4');
    expect(await at('tsvc', 'Cache.lookup')).toBe('src/cache.ts:2');
    expect(await at('tsvc', 'helper')).toBe('src/cache.ts:6');
    expect(await at('rsvc', 'rsvc::cache::LoginCache::lookup')).toBe('src/cache.rs:3');
    expect(await at('csvc', 'Acme.LoginCache.Lookup')).toBe('Cache.cs:3');
    expect((await code.readFile('ride', 'github.com/acme/ride/internal/driver/login_cache.go'))?.path).toBe('internal/driver/login_cache.go');
    expect(await code.readFile('ride', 'nothing/here.go')).toBeUndefined();
  });
});

describe('profiles playbook step', () => {
  it('produces a hot-function finding with numbers, causes, query and source', async () => {
    const r = await profilesStep({ sources, window: sources.defaults.incident!, baseline: sources.defaults.baseline, services: ['ride'], signal: new AbortController().signal });
    expect(r.partial).toEqual([]);
    const f = r.findings[0]!;
    expect(f.kind).toBe('hot-function');
    expect(f.details!.function).toBe('github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    // What sits under it: a share per cause in the numbers, the cause named in the title (translated in reports).
    expect(Number(f.numbers.under_lock_share)).toBeGreaterThan(0.1);
    expect(f.title).toMatch(/under it: mutex\/lock/);
    expect(f.numbers.change).toBeGreaterThan(10);
    expect(f.evidence.query).toEqual({ language: 'pyroscope', text: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="ride"}' });
    expect(f.source).toMatchObject({ repo: 'acme/ride', path: 'internal/driver/login_cache.go', startLine: 11, endLine: 20 });
    expect(f.source!.snippet).toMatch(/c\.mu\.Lock\(\)/);
  });
});

describe('one long profile that straddles the baseline and the window', () => {
  it('counts in the range that holds its midpoint, not as the same samples in both', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ql-prof-long-'));
    const t = Date.parse('2025-06-03T10:00:00Z');
    // 3 minutes of CPU profile from 10:00; midpoint 10:01:30.
    writeFileSync(path.join(d, 'api-cpu.pb.gz'), buildPprof(goCpu(t, 3 * MIN, [[[F('main.work', 'main.go', 3), goexit], 900_000_000]])));
    const s = await openBundle(d);
    const early = { start: t - MIN, end: t + MIN };
    const late = { start: t + MIN, end: t + 3 * MIN };
    expect(await s.profiles!.services(late)).toEqual(['api']);
    expect(await s.profiles!.services(early)).toEqual([]);
    // A range wholly inside the profile still sees it: it is the only profile of that time.
    expect(await s.profiles!.services({ start: t + 10_000, end: t + 20_000 })).toEqual(['api']);
    const r = await profilesStep({ sources: s, window: late, baseline: early, services: ['api'], signal: new AbortController().signal });
    const f = r.findings.find((x) => x.details?.function === 'main.work')!;
    expect(f).toBeDefined();
    expect(f.numbers).not.toHaveProperty('baseline_samples');
    rmSync(d, { recursive: true, force: true });
  });
});
