// Profiles as users have them: pprof anywhere in a folder (gzipped or not), collapsed stacks from
// perf/stackcollapse, py-spy and async-profiler, V8 CPU profiles (node --cpu-prof, DevTools), speedscope
// files (py-spy, rbspy…), and a clear message for the legacy pprof formats.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { buildPprof, F, goCpu } from '../profiles/helpers.js';
import { looksFolded, parseFolded } from '../../src/sources/bundle/formats/folded.js';
import { legacyPprofKind } from '../../src/sources/bundle/formats/legacy-pprof.js';
import { parseV8CpuProfile } from '../../src/sources/bundle/formats/v8-cpuprofile.js';
import { parseSpeedscope } from '../../src/sources/bundle/formats/speedscope.js';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';
import { parsePerfScript } from '../../src/sources/bundle/formats/perf-script.js';
import { nestedSetSamples, parseFlamebearer } from '../../src/sources/bundle/formats/flamebearer.js';

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

  it('a V8 CPU profile written by node --cpu-prof opens: the hot function with its file and line, idle time left out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-v8prof-'));
    const script = path.join(dir, 'spin.js');
    // A function V8 will not inline (it recurses), so the profile names it as written.
    writeFileSync(script, "function digits(n) { return n < 10 ? 1 : 1 + digits(Math.floor(n / 10)); }\nfunction work() { let x = 0; for (let k = 0; k < 3e5; k++) x += digits(k * 7919); return x; }\nconst t = Date.now(); while (Date.now() - t < 300) work();\n");
    const out = path.join(dir, 'profiles', 'checkout');
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, script]);
    expect(r.status, String(r.stderr)).toBe(0);
    const b = await openBundle(dir);
    expect(b.problems.join('\n')).not.toMatch(/cpuprofile.*(not|invalid)/);
    const [type] = await b.profiles!.profileTypes('checkout', b.defaults.window);
    expect(type!.id).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    const merged = (await b.profiles!.mergedProfile('checkout', type!.id, b.defaults.window))!;
    const self = new Map<string, number>();
    for (const s of merged.stacks) self.set(s.frames.at(-1)!.function, (self.get(s.frames.at(-1)!.function) ?? 0) + s.value);
    const [hottest] = [...self].sort((a, c) => c[1] - a[1]);
    expect(hottest![0]).toMatch(/^(digits|work)$/);
    const frame = merged.stacks.flatMap((s) => s.frames).find((f) => f.function === 'digits')!;
    expect([frame.file, frame.line]).toEqual([script, 1]);
    expect(merged.stacks.some((s) => s.frames.some((f) => f.function === '(idle)' || f.function === '(root)'))).toBe(false);
    // The whole run is about 0.3 s of CPU, in nanoseconds.
    const total = merged.stacks.reduce((a, s) => a + s.value, 0);
    expect(total).toBeGreaterThan(0.2e9);
    expect(total).toBeLessThan(5e9);
  });

  it('V8 CPU profiles: each tick weighs the time to the next; hit counts without ticks; the older head layout', () => {
    const frame = (id: number, functionName: string, children: number[] = [], lineNumber = -1, url = '') => ({ id, callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 0 }, hitCount: 0, children });
    const flat = {
      nodes: [frame(1, '(root)', [2, 3, 4]), frame(2, 'main', [5], 4, 'file:///srv/app/main.js'), frame(3, '(idle)'), frame(4, '(garbage collector)'), frame(5, '', [], 9, 'file:///srv/app/lib%20x.js')],
      startTime: 1000,
      endTime: 5000,
      samples: [2, 5, 5, 3, 4, 99],
      timeDeltas: [0, 500, 1000, 1000, 500, 300],
    };
    const { profile, problems } = parseV8CpuProfile(flat, 'x.cpuprofile');
    const got = profile.samples.map((s) => [s.frames.map((f) => `${f.function}@${f.file ?? ''}:${f.line ?? ''}`).join(' > '), s.values[0]]);
    // main: tick 0 stands for the 500 µs to tick 1; the anonymous function: 1000 + 1000 µs; the idle tick is left out;
    // the collector's tick, 300 µs; the tick naming no node is reported.
    expect(got).toEqual([
      ['main@/srv/app/main.js:5', 500_000],
      ['main@/srv/app/main.js:5 > (anonymous lib x.js:10)@/srv/app/lib x.js:10', 2_000_000],
      ['(garbage collector)@:', 300_000],
    ]);
    expect(problems).toEqual(['x.cpuprofile: 1 tick(s) name no node of the profile; left out']);
    expect(profile.durationMs).toBe(4);

    const hits = { nodes: [frame(1, '(root)', [2]), { ...frame(2, 'main'), hitCount: 3 }], startTime: 0, endTime: 3000 };
    expect(parseV8CpuProfile(hits, 'h.cpuprofile').profile.samples.map((s) => s.values[0])).toEqual([3_000_000]);

    const head = { head: { functionName: '(root)', url: '', lineNumber: 0, hitCount: 0, children: [{ functionName: 'tick', url: 'a.js', lineNumber: 2, hitCount: 4, children: [] }] }, startTime: 10, endTime: 10.004 };
    const old = parseV8CpuProfile(head, 'old.cpuprofile').profile;
    expect(old.samples.map((s) => [s.frames.map((f) => f.function), Math.round(s.values[0]! / 1000)])).toEqual([[['tick'], 4000]]);

    expect(() => parseV8CpuProfile({ nodes: [frame(1, '(root)', [2]), frame(2, '(idle)')], samples: [2, 2], timeDeltas: [0, 1000] }, 'i.cpuprofile')).toThrow(/with no CPU ticks \(only idle time\)/);
  });

  it('speedscope files: sampled threads merged, evented time on top, other units left out and said', async () => {
    const b = await openBundle(path.join(FIX, 'speedscope'));
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['ruby-api', 'worker']);
    expect(b.problems.join('\n')).toMatch(/ruby-api\.speedscope\.json: profile 2 \("allocations"\) has unit "bytes", the first "milliseconds"; left out/);
    const [wt] = await b.profiles!.profileTypes('worker', b.defaults.window);
    expect(wt!.id).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    const worker = (await b.profiles!.mergedProfile('worker', wt!.id, b.defaults.window))!;
    const byLeaf = Object.fromEntries(worker.stacks.map((s) => [s.frames.at(-1)!.function, s.value]));
    expect(byLeaf).toEqual({ score: 0.2e9, encode: 0.1e9, flush: 0.05e9, poll: 0.2e9 });
    const score = worker.stacks.find((s) => s.frames.at(-1)!.function === 'score')!;
    expect(score.frames.map((f) => [f.function, f.file, f.line])).toEqual([
      ['<module>', 'worker.py', 90],
      ['run_batch', 'worker.py', 41],
      ['score', 'reco/model.py', 64],
    ]);
    const [rt] = await b.profiles!.profileTypes('ruby-api', b.defaults.window);
    const api = (await b.profiles!.mergedProfile('ruby-api', rt!.id, b.defaults.window))!;
    // Api#handle alone 0–10 and 90–100 ms, Cart#total 10–70, JSON.generate 70–90.
    expect(Object.fromEntries(api.stacks.map((s) => [s.frames.map((f) => f.function).join(' > '), s.value]))).toEqual({
      'Api#handle': 20e6,
      'Api#handle > Cart#total': 60e6,
      'Api#handle > JSON.generate': 20e6,
    });
    expect(() => parseSpeedscope({ shared: { frames: [] }, profiles: [] }, 'e.json')).toThrow(/without frames or profiles/);
  });

  it('recognises V8 and speedscope JSON by content, also when the document is longer than the head', () => {
    const head = (s: string) => Buffer.from(s);
    expect(detectFormat('a/x.json', head('{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2]}')).format).toBe('v8-cpuprofile');
    expect(detectFormat('a/x.json', head('{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": [{"type": "sampled"')).format).toBe('speedscope');
    expect(detectFormat('a/x.json', head('{"nodes":[{"id":1,"name":"n1"}],"edges":[]}')).format).not.toBe('v8-cpuprofile');
  });

  it('perf script output: stacks root first under the command, offsets dropped, the idle task left out', async () => {
    const b = await openBundle(path.join(FIX, 'perf-script'));
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['pricing']);
    const [type] = await b.profiles!.profileTypes('pricing', b.defaults.window);
    expect(type!.id).toBe('process_cpu:samples:count::');
    const p = (await b.profiles!.mergedProfile('pricing', type!.id, b.defaults.window))!;
    const stacks = Object.fromEntries(p.stacks.map((s) => [s.frames.map((f) => f.function).join(' > '), s.value]));
    expect(stacks).toEqual({
      'pricing > start_thread > handle_request > compute_quote > price_rules_eval': 2,
      'pricing > start_thread > handle_request > read_request > __libc_recv > entry_SYSCALL_64_after_hwframe': 1,
      'pricing > [unknown] (perf-12345.map) > price_rules_eval': 1,
    });
    const idleOnly = 'swapper     0 [003] 86412.143500:   10101010 cpu-clock:pppH: \n\tffffffffa88f1a2e native_safe_halt+0xe ([kernel.kallsyms])\n';
    expect(() => parsePerfScript(idleOnly, 'idle.txt')).toThrow(/no perf samples but idle ones \(pid 0\)/);
    const damaged = parsePerfScript('app 7 [000] 1.000001: cpu-clock: \n\t 1f main+0x1 (/bin/app)\nnot a sample line\n', 'd.txt');
    expect(damaged.problems).toEqual(['d.txt: 1 line(s) are neither a sample header nor a stack frame; left out']);
    expect(detectFormat('x/out.txt', Buffer.from(readFileSync(path.join(FIX, 'perf-script', 'pricing.perf.txt')))).format).toBe('perf-script');
    expect(detectFormat('x/app.log', Buffer.from('2025-06-04 10:00:00 INFO started\n  at main (app.js:1)\n')).format).toBe('text-log');
  });

  it('flame graphs saved as data: Pyroscope JSON export (delta-encoded levels) and Grafana flame graph frames (enum labels)', async () => {
    const b = await openBundle(path.join(FIX, 'flamegraphs'));
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['checkout', 'ride']);
    const want = {
      'runtime.main > main.main': 50e6,
      'runtime.main > main.main > main.handle': 100e6,
      'runtime.main > main.main > main.handle > encoding/json.Unmarshal': 400e6,
      'runtime.main > main.main > main.handle > runtime.mallocgc': 200e6,
      'runtime.main > main.main > main.poll': 250e6,
    };
    for (const service of ['checkout', 'ride']) {
      const [type] = await b.profiles!.profileTypes(service, b.defaults.window);
      expect(type!.id).toBe('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
      const p = (await b.profiles!.mergedProfile(service, type!.id, b.defaults.window))!;
      expect(Object.fromEntries(p.stacks.map((s) => [s.frames.map((f) => f.function).join(' > '), s.value]))).toEqual(want);
    }
    // The export's own time: its timeline (100 s from 10:00 UTC).
    expect(new Date(b.defaults.window.start).toISOString()).toBe('2025-06-03T10:00:00.000Z');
    expect(() => parseFlamebearer({ flamebearer: { names: ['total'], levels: [[0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]] }, metadata: { format: 'double' } }, 'd.json')).toThrow(/a diff flame graph/);
    // A row deeper than the one before it by more than one has no parent: said, not guessed.
    expect(nestedSetSamples([0, 2, 1], [0, 5, 3], ['total', 'x', 'y'])).toEqual({ samples: [{ frames: [expect.objectContaining({ function: 'y' })], values: [3] }], bad: 1 });
  });
});
