// Lock contention as a finding of the profiles step: a real JFR recording's monitor waits, synthetic Go
// mutex profiles whose contention grew (a finding) or did not (none), and the report in French and
// Japanese with no English besides telemetry.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { profilesStep } from '../../src/agent/steps/profiles.js';
import { runPlaybook } from '../../src/agent/playbook.js';
import { renderMarkdown } from '../../src/agent/report.js';
import { gatherPictures } from '../../src/agent/html.js';
import { strings, tr } from '../../src/agent/i18n.js';
import { coveredSeconds } from '../../src/analysis/profiles/diff.js';
import type { Finding } from '../../src/agent/findings.js';
import type { Sources } from '../../src/sources/types.js';
import { buildPprof, F, type FrameSpec } from './helpers.js';

const JFR_DIR = path.resolve('test/fixtures/formats/jfr');
const LOCK_TYPE = 'mutex:delay:nanoseconds:contentions:count';
const isContention = (f: Finding) => f.numbers.lock_wait_per_second !== undefined;
const signal = new AbortController().signal;

describe('lock contention from a JFR recording', () => {
  it('names Shop.record with the wait per second of its monitor contention', async () => {
    const b = await openBundle(JFR_DIR);
    const r = await profilesStep({ sources: b, window: b.defaults.window, services: ['checkout'], signal });
    expect(r.partial).toEqual([]);
    const f = r.findings.find(isContention)!;
    expect(f).toBeDefined();
    expect(f.kind).toBe('hot-function');
    expect(f.details).toMatchObject({ function: 'Shop.record', profile_type: LOCK_TYPE });
    // 100 contentions waiting 428.7 ms in all over the 2.55 s recording: 0.168 s of waiting per second.
    const lock = (await b.profiles!.mergedProfile('checkout', LOCK_TYPE, b.defaults.window))!;
    const expected = 428_738_967 / 1e9 / coveredSeconds(lock);
    expect(coveredSeconds(lock)).toBeGreaterThan(2.5);
    expect(coveredSeconds(lock)).toBeLessThan(2.6);
    expect(f.numbers.lock_wait_per_second).toBeCloseTo(expected, 3);
    expect(f.numbers.share).toBe(1);
    expect(f.numbers.value).toBe(428_738_967);
    expect(f.title).toMatch(/^threads waited 0\.17 s per second on locks in Shop\.record \(checkout\)$/);
    expect(f.details!.callers).toMatch(/Shop\.checkout → Shop\.record$/);
    expect(f.evidence.query).toEqual({ language: 'pyroscope', text: `${LOCK_TYPE}{service_name="checkout"}` });
    expect(f.message![0]).toMatchObject({ key: 'msg_lock_wait', args: { fn: 'Shop.record', service: 'checkout' }, units: { wait: 'seconds' } });
    // The CPU hot spots are still there, apart from it.
    expect(r.findings.some((x) => !isContention(x) && x.details?.profile_type?.startsWith('process_cpu'))).toBe(true);
  });
});

// Go mutex profiles (delta per file, as Pyroscope stores them): the unlocker's stack, leaf first.
const T0 = Date.parse('2025-06-03T09:50:00Z');
const MIN = 60_000;
const unlock = F('sync.(*Mutex).Unlock', 'sync/mutex.go', 212);
const goexit = F('runtime.goexit', 'runtime/asm_amd64.s', 1695);
const cacheGet = F('github.com/acme/api/cache.(*Cache).Get', 'github.com/acme/api/cache/cache.go', 41);
const poolPut = F('github.com/acme/api/pool.(*Pool).Put', 'github.com/acme/api/pool/pool.go', 18);
const handler = F('github.com/acme/api/http.(*Server).handle', 'github.com/acme/api/http/server.go', 77);

function mutexProfile(t: number, stacks: Array<[FrameSpec[], number, number]>): Buffer {
  return buildPprof({
    sampleTypes: [
      ['contentions', 'count'],
      ['delay', 'nanoseconds'],
    ],
    periodType: ['contentions', 'count'],
    period: 1,
    timeMs: t,
    durationMs: 10_000,
    samples: stacks.map(([stack, n, ns]) => ({ stack, values: [n, ns] })),
  });
}

/** 30 one-minute mutex profiles of 10 s; from 10:04 (the incident) Cache.Get's contention is `after`. */
function mutexBundle(before: [number, number], after: [number, number], withPool = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-mutex-'));
  writeFileSync(
    path.join(dir, 'incident.yaml'),
    `id: t\ntitle: t\nwindow: {start: 2025-06-03T09:50:00Z, end: 2025-06-03T10:20:00Z}\nbaseline: {start: 2025-06-03T09:50:00Z, end: 2025-06-03T10:04:00Z}\nincident: {start: 2025-06-03T10:04:00Z, end: 2025-06-03T10:20:00Z}\n`,
  );
  const api = path.join(dir, 'profiles', 'api');
  mkdirSync(api, { recursive: true });
  for (let m = 0; m < 30; m++) {
    const [n, ns] = m >= 14 ? after : before;
    const stacks: Array<[FrameSpec[], number, number]> = [[[unlock, cacheGet, handler, goexit], n, ns]];
    if (withPool) stacks.push([[unlock, poolPut, handler, goexit], 40, 200_000_000]);
    writeFileSync(path.join(api, `api-mutex-${m}.pb.gz`), mutexProfile(T0 + m * MIN, stacks));
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function contentionOf(before: [number, number], after: [number, number], withPool = true): Promise<{ sources: Sources; findings: Finding[]; partial: string[] }> {
  const dir = mutexBundle(before, after, withPool);
  dirs.push(dir);
  const sources = await openBundle(dir);
  const r = await profilesStep({ sources, window: sources.defaults.incident!, baseline: sources.defaults.baseline, services: ['api'], signal });
  return { sources, findings: r.findings.filter(isContention), partial: r.partial };
}

describe('lock contention from Go mutex profiles with a baseline', () => {
  it('is a finding where Cache.Get’s contention grew, with its wait per second, baseline and growth test', async () => {
    const { sources, findings, partial } = await contentionOf([5, 20_000_000], [60, 1_500_000_000]);
    expect(partial).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.details!.function).toBe('github.com/acme/api/cache.(*Cache).Get');
    expect(f.details!.callers).toBe('http.(*Server).handle → cache.(*Cache).Get');
    // Wait per second: Cache.Get's delay over the seconds the window's profiles cover.
    const cur = (await sources.profiles!.mergedProfile('api', LOCK_TYPE, sources.defaults.incident!))!;
    const wait = cur.stacks.filter((s) => s.frames.some((x) => x.function === cacheGet.fn)).reduce((a, s) => a + s.value, 0);
    expect(wait).toBe(16 * 1_500_000_000);
    expect(f.numbers.lock_wait_per_second).toBeCloseTo(wait / 1e9 / coveredSeconds(cur), 4);
    expect(Number(f.numbers.baseline_wait_per_second)).toBeGreaterThan(0);
    expect(Number(f.numbers.change)).toBeGreaterThan(10);
    expect(f.numbers.growth_verdict).toBe('grew');
    expect(f.numbers.samples).toBe(16 * 60);
    expect(f.message!.map((m) => m.key)).toEqual(['msg_lock_wait', 'msg_hot_change']);
  });

  it('is no finding where the contention stayed the same, large as it is', async () => {
    const { findings, partial } = await contentionOf([60, 1_500_000_000], [60, 1_500_000_000]);
    expect(partial).toEqual([]);
    expect(findings).toEqual([]);
    // Nor with one lock alone, or a change within Poisson noise (61 vs 60 contentions per profile).
    expect((await contentionOf([60, 1_500_000_000], [61, 1_520_000_000], false)).findings).toEqual([]);
  });

  it('is a finding where one global lock holds every contention and its rate grew (its share stayed 100%)', async () => {
    const { findings } = await contentionOf([5, 20_000_000], [60, 1_500_000_000], false);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.details!.function).toBe('github.com/acme/api/cache.(*Cache).Get');
    expect([f.numbers.samples, f.numbers.baseline_samples]).toEqual([16 * 60, 14 * 5]);
    expect(f.numbers.growth_p_adjusted).toBe(1);
    expect(Number(f.numbers.rate_growth_p)).toBeLessThan(1e-6);
    expect(f.numbers.growth_verdict).toBe('grew');
  });
});

describe('the contention finding in a report', () => {
  it.each(['fr', 'ja'])('%s: the finding, its numbers and the lock hint in the report language, no English besides telemetry', async (lang) => {
    const b = await openBundle(JFR_DIR);
    const report = await runPlaybook(b, lang === 'fr' ? 'Pourquoi le checkout est-il lent ?' : 'なぜ checkout が遅いのですか？', { lang });
    expect(report.lang).toBe(lang);
    const f = report.findings.find(isContention)!;
    expect(f).toBeDefined();
    expect(f.hints).toContain('lock-contention');
    const md = renderMarkdown(report);
    const s = strings(lang);
    expect(md).toContain(tr(lang, 'msg_lock_wait', { fn: '\u0000', wait: '\u0000', service: '\u0000' }).split('\u0000').find((p) => p.trim().length > 3)!.trim());
    expect(md).toContain(s.numbers.lock_wait_per_second!);
    // The summary names the lock wait as such, beside the CPU's hot function (the same function here).
    expect(md).toContain(`**${tr(lang, 'summary_lock_wait')}**`);
    expect(md).toContain(`**${tr(lang, 'summary_hot')}**`);
    // English words of everything the finding shows: its message, its number labels, the lock hint.
    const en = strings('en');
    const english = [
      ...tr('en', 'msg_lock_wait', { fn: '\u0000', wait: '\u0000', service: '\u0000' }).split('\u0000'),
      ...Object.keys(f.numbers).map((k) => en.numbers[k] ?? k),
      'Lock contention',
      'threads waited',
      'Lock wait',
    ]
      .map((x) => x.trim())
      .filter((x) => x.length > 3);
    // Telemetry (function names, queries, code) is quoted; the prose around it is the report language's.
    const prose = md.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`]*`/g, ' ');
    expect(english.filter((w) => prose.includes(w))).toEqual([]);
  });
});

describe('the contention finding in the HTML report', () => {
  it('pictures the delay profile, and the same function’s CPU finding its CPU profile', async () => {
    const b = await openBundle(JFR_DIR);
    const report = await runPlaybook(b, 'Why does checkout wait?', { lang: 'en' });
    const lockAt = report.findings.findIndex(isContention);
    const cpuAt = report.findings.findIndex((f) => !isContention(f) && f.details?.function === 'Shop.record');
    expect(lockAt).toBeGreaterThanOrEqual(0);
    expect(cpuAt).toBeGreaterThanOrEqual(0);
    const pictures = await gatherPictures(report, b);
    const label = (i: number) => /aria-label="([^"]*)"/.exec(pictures.byFinding.get(i)?.[0] ?? '')?.[1];
    expect(label(lockAt)).toBe(`Flame graph of checkout (${LOCK_TYPE})`);
    expect(label(cpuAt)).toBe('Flame graph of checkout (CPU)');
  });
});
