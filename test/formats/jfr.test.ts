// Java Flight Recorder files: a real recording (test/fixtures/formats/jfr, OpenJDK 17) read into CPU,
// allocation and lock profiles, checked against the JDK's own `jfr print` when a JDK is installed, and
// damaged recordings that say what is wrong.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { isJfr, parseJfr } from '../../src/sources/bundle/formats/jfr.js';
import type { StackProfile } from '../../src/sources/types.js';

const DIR = path.resolve('test/fixtures/formats/jfr');
const FILE = path.join(DIR, 'checkout.jfr');

function byLeaf(p: StackProfile, valueIndex = 0): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of p.stacks) {
    const f = s.frames.at(-1)!;
    const k = `${f.function}:${f.line ?? ''}`;
    m.set(k, (m.get(k) ?? 0) + (valueIndex === 0 ? s.value : s.value));
  }
  return m;
}

describe('JFR recordings', () => {
  it('a real recording opens as CPU, allocation and lock profiles of its service, with the recording time', async () => {
    const b = await openBundle(DIR);
    expect(b.problems).toEqual([]);
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['checkout']);
    const ids = (await b.profiles!.profileTypes('checkout', b.defaults.window)).map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining(['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 'process_cpu:samples:count:cpu:nanoseconds', 'memory:alloc_space:bytes::', 'mutex:delay:nanoseconds:contentions:count']),
    );
    // The window comes from the chunk's own start and duration (2.55 s on 2026-12-07).
    expect(new Date(b.defaults.window.start).toISOString().slice(0, 16)).toBe('2026-12-07T13:59');
    const cpu = (await b.profiles!.mergedProfile('checkout', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', b.defaults.window))!;
    // 147 samples at the recording's 10 ms period; the leaf counts are those `jfr print` shows.
    expect(cpu.stacks.reduce((a, s) => a + s.value, 0)).toBe(147 * 10_000_000);
    const leaves = byLeaf(cpu);
    expect(leaves.get('Shop.record:7')).toBe(74 * 10_000_000);
    expect(leaves.get('Shop.checkout:8')).toBe(28 * 10_000_000);
    const top = cpu.stacks.find((s) => s.frames.at(-1)!.function === 'Shop.price')!;
    expect(top.frames.map((f) => f.function)).toEqual(['java.lang.Thread.run', 'Shop.lambda$main$0', 'Shop.checkout', 'Shop.price']);
    const alloc = (await b.profiles!.mergedProfile('checkout', 'memory:alloc_space:bytes::', b.defaults.window))!;
    expect(alloc.stacks.reduce((a, s) => a + s.value, 0)).toBe(440_228_616);
    const lock = (await b.profiles!.mergedProfile('checkout', 'mutex:delay:nanoseconds:contentions:count', b.defaults.window))!;
    expect([...byLeaf(lock).keys()]).toEqual(['Shop.record:7']);
    expect(lock.stacks.reduce((a, s) => a + s.value, 0)).toBe(428_738_967);
  });

  it("reads what the JDK's jfr tool reads (skipped without a JDK)", () => {
    const r = spawnSync('jfr', ['print', '--json', '--stack-depth', '1', '--events', 'jdk.ExecutionSample,jdk.ObjectAllocationSample', FILE], { maxBuffer: 1 << 26 });
    if (r.error || r.status !== 0) return;
    const events = JSON.parse(String(r.stdout)).recording.events as Array<{ type: string; values: { weight?: number; stackTrace?: { frames: Array<{ method: { type: { name: string }; name: string }; lineNumber: number }> } } }>;
    const theirs = new Map<string, number>();
    let weight = 0;
    for (const e of events) {
      if (e.type === 'jdk.ObjectAllocationSample') weight += e.values.weight ?? 0;
      if (e.type !== 'jdk.ExecutionSample') continue;
      const f = e.values.stackTrace!.frames[0]!;
      const k = `${f.method.type.name.replace(/\//g, '.')}.${f.method.name}:${f.lineNumber}`;
      theirs.set(k, (theirs.get(k) ?? 0) + 1);
    }
    const { profiles } = parseJfr(readFileSync(FILE), FILE);
    const cpu = profiles.find((p) => p.sampleTypes[0]!.type === 'samples')!;
    const ours = new Map<string, number>();
    for (const s of cpu.samples) {
      const f = s.frames.at(-1)!;
      ours.set(`${f.function}:${f.line}`, (ours.get(`${f.function}:${f.line}`) ?? 0) + s.values[0]!);
    }
    expect(ours).toEqual(theirs);
    const alloc = profiles.find((p) => p.sampleTypes[0]!.type === 'alloc_space')!;
    expect(alloc.samples.reduce((a, s) => a + s.values[0]!, 0)).toBe(weight);
  });

  it('two chunks (recordings written one after the other) give profiles of each chunk', () => {
    const bytes = readFileSync(FILE);
    const { profiles } = parseJfr(Buffer.concat([bytes, bytes]), 'two.jfr');
    expect(profiles.length).toBe(6);
  });

  it('damaged recordings: a cut chunk and a wrong version say what is wrong', async () => {
    const bytes = readFileSync(FILE);
    expect(isJfr(bytes)).toBe(true);
    // A recording still being written: the chunk ends past the file's end.
    expect(() => parseJfr(bytes.subarray(0, 60_000), 'cut.jfr')).toThrow(/cut\.jfr: a JFR recording with no CPU, allocation or lock samples \(cut\.jfr: chunk 1 is cut short \(the recording was still being written, or the copy is partial\); nothing read\)/);
    const { profiles, problems } = parseJfr(Buffer.concat([bytes, bytes.subarray(0, 1000)]), 'tail.jfr');
    expect(profiles.length).toBe(3);
    expect(problems).toEqual(['tail.jfr: chunk 2 is cut short (the recording was still being written, or the copy is partial); the chunks before it are read']);
    const v1 = Buffer.from(bytes);
    v1.writeUInt16BE(1, 4);
    expect(() => parseJfr(v1, 'old.jfr')).toThrow(/JFR version 1\.x; Queryless reads version 2/);
    // In a folder: the damaged file is a problem naming it, the rest stays usable.
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-jfr-'));
    copyFileSync(FILE, path.join(dir, 'checkout.jfr'));
    writeFileSync(path.join(dir, 'cart.jfr'), bytes.subarray(0, 60_000));
    const b = await openBundle(dir);
    expect(b.problems.join('\n')).toMatch(/cart\.jfr: a JFR recording with no CPU, allocation or lock samples/);
    expect(await b.profiles!.services(b.defaults.window)).toEqual(['checkout']);
  });
});
