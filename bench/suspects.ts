// `npm run bench -- suspects`: root-cause ranking on the Nezha dev systems in ../shared/datasets.
// Prints top-1/top-3 per system, then the sensitivity of top-1 to every constant of the ranking
// (each moved by −50% and +50% alone), then leave-one-system-out: every constant chosen (from
// ×0.5, ×1, ×1.5) on one system only, and the other system's top-1 with those choices.
// SUSPECTS_QUICK=1 prints the first table only.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../src/sources/bundle/load.js';
import type { Sources, Span, TimeRange } from '../src/sources/types.js';
import { rankSuspects } from '../src/analysis/suspects/index.js';
import { WEIGHTS } from '../src/analysis/suspects/rank.js';
import { TUNING } from '../src/analysis/suspects/tuning.js';
import { injectedDelayCheck, injectedDelayEveryService, injectedSlowdownEveryService, injectedWithoutBaseline } from './suspects-inject.js';

interface Case {
  id: string;
  truth: string;
  sources: Sources;
  window: TimeRange;
  baseline: TimeRange;
}

const DATA = path.resolve(process.cwd(), '../shared/datasets');
const SYSTEMS = { TrainTicket: 'nezha-trainticket/dev', OnlineBoutique: 'nezha-onlineboutique/dev' } as const;
type System = keyof typeof SYSTEMS;

export async function load(system: System): Promise<Case[]> {
  const dir = path.join(DATA, SYSTEMS[system]);
  if (!existsSync(dir)) return [];
  const out: Case[] = [];
  for (const d of readdirSync(dir).sort()) {
    if (!existsSync(path.join(dir, d, 'incident.yaml'))) continue;
    const b = await openBundle(path.join(dir, d));
    const truth = b.incident.truth?.service;
    if (!truth) continue;
    out.push({ id: b.incident.id, truth, sources: b, window: b.defaults.incident ?? b.defaults.window, baseline: b.defaults.baseline! });
  }
  return out;
}

/** The sources with every trace answer's spans passed through `keep` (the trace source is otherwise the same). */
function withSpans(sources: Sources, keep: (spans: Span[]) => Span[]): Sources {
  const { traces } = sources;
  if (!traces) return sources;
  return {
    ...sources,
    traces: Object.assign(Object.create(traces) as typeof traces, {
      findTraces: async (...args: Parameters<typeof traces.findTraces>) => {
        const set = await traces.findTraces(...args);
        return { ...set, spans: keep(set.spans) };
      },
    }),
  };
}

/** The sources as if the trace and log recording had started at `from`: whole traces that start before
 * it and log lines before it are dropped; metrics and profiles are left alone. */
function recordedFrom(sources: Sources, from: number): Sources {
  const { logs } = sources;
  return {
    ...withSpans(sources, (spans) => {
      const first = new Map<string, number>();
      for (const sp of spans) first.set(sp.traceId, Math.min(first.get(sp.traceId) ?? Infinity, sp.startMs));
      return spans.filter((sp) => first.get(sp.traceId)! >= from);
    }),
    ...(logs && {
      logs: Object.assign(Object.create(logs) as typeof logs, {
        queryLogs: async (...args: Parameters<typeof logs.queryLogs>) => {
          const set = await logs.queryLogs(...args);
          return { ...set, records: set.records.filter((r) => r.timeMs >= from) };
        },
      }),
    }),
  };
}

/** FNV-1a of a string, as a number in [0, 1): a stand-in for a tracer's sampling decision on a trace id. */
function unitHash(s: string): number {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return (x >>> 0) / 4294967296;
}

/** The sources as a head-sampling tracer would have recorded them: a share `p` of whole traces, chosen
 * by trace id (with a salt, so several draws can be compared); logs and metrics are kept whole, as Loki
 * and Prometheus keep them when Tempo samples. */
function headSampled(sources: Sources, p: number, salt: string): Sources {
  return withSpans(sources, (spans) => spans.filter((sp) => unitHash(salt + sp.traceId) < p));
}

async function score(cases: Case[]): Promise<{ top1: number; top3: number; misses: string[]; clear: [number, number]; close: [number, number] }> {
  let top1 = 0;
  let top3 = 0;
  const misses: string[] = [];
  // [right, cases] among clear leads and close calls (the ranking's own statement of how sure it is).
  const clear: [number, number] = [0, 0];
  const close: [number, number] = [0, 0];
  for (const c of cases) {
    const r = await rankSuspects(c.sources, c.window, c.baseline);
    const i = r.suspects.findIndex((s) => s.service === c.truth);
    const bucket = r.lead?.close ? close : clear;
    bucket[1]++;
    if (i === 0) bucket[0]++;
    if (i === 0) top1++;
    else misses.push(`${c.id} (#${i < 0 ? '-' : i + 1}, top ${r.suspects[0]?.service ?? '-'})`);
    if (i >= 0 && i < 3) top3++;
  }
  return { top1, top3, misses, clear, close };
}

/** Every knob: the TUNING constants and the feature weights. */
function knobs(): Array<{ name: string; get: () => number; set: (v: number) => void }> {
  const t = TUNING as unknown as Record<string, number>;
  return [
    ...Object.keys(t).map((k) => ({ name: k, get: () => t[k]!, set: (v: number) => void (t[k] = v) })),
    ...Object.keys(WEIGHTS).map((k) => ({ name: `weight.${k}`, get: () => WEIGHTS[k]!, set: (v: number) => void (WEIGHTS[k] = v) })),
  ];
}

export async function run(): Promise<void> {
  const systems = {} as Record<System, Case[]>;
  for (const s of Object.keys(SYSTEMS) as System[]) systems[s] = await load(s);
  const present = (Object.keys(systems) as System[]).filter((s) => systems[s].length > 0);
  if (present.length === 0) {
    process.stdout.write('suspects: ../shared/datasets/nezha-* not found; nothing to measure\n');
    return;
  }
  const base = {} as Record<System, Awaited<ReturnType<typeof score>>>;
  for (const s of present) {
    const t0 = performance.now();
    base[s] = await score(systems[s]);
    const ms = (performance.now() - t0) / systems[s].length;
    process.stdout.write(`${s.padEnd(15)} top-1 ${base[s].top1}/${systems[s].length}  top-3 ${base[s].top3}/${systems[s].length}  ${ms.toFixed(0)} ms/incident; right when the lead is clear ${base[s].clear[0]}/${base[s].clear[1]}, in close calls ${base[s].close[0]}/${base[s].close[1]}\n`);
    for (const m of base[s].misses) process.stdout.write(`    miss ${m}\n`);
  }
  // The same incidents with only the last minute, then the last 30 s, of their trace and log baseline:
  // how much the ranking leans on baseline length (recordings users have often start shortly before the
  // fault). Metrics keep theirs, as a metrics store keeps history that a trace recording does not.
  process.stdout.write('\nshorter trace and log baselines (the last 60 s / 30 s before each dev fault; metrics unchanged):\n');
  for (const s of present) {
    const row: string[] = [];
    for (const secs of [60, 30]) {
      const shorter = systems[s].map((c) => ({ ...c, sources: recordedFrom(c.sources, c.baseline.end - secs * 1000) }));
      row.push(`${secs} s: top-1 ${(await score(shorter)).top1}/${shorter.length}`);
    }
    process.stdout.write(`  ${s.padEnd(15)} ${row.join('; ')}\n`);
  }
  // The window's start as a user might give it: a minute early (the window holds a minute of healthy
  // traffic, the baseline loses it) or 30 s late. Incidents whose baseline would fall under 20 s are left out.
  process.stdout.write('\nwindow start moved (a user rounding the start; the baseline ends where the window starts):\n');
  for (const s of present) {
    const row: string[] = [];
    for (const secs of [-60, 30]) {
      const moved = systems[s]
        .map((c) => {
          const start = c.window.start + secs * 1000;
          return { ...c, window: { start, end: c.window.end }, baseline: { start: c.baseline.start, end: Math.min(c.baseline.end, start) } };
        })
        .filter((c) => c.baseline.end - c.baseline.start >= 20_000);
      row.push(`${secs > 0 ? '+' : ''}${secs} s: top-1 ${(await score(moved)).top1}/${moved.length}`);
    }
    process.stdout.write(`  ${s.padEnd(15)} ${row.join('; ')}\n`);
  }
  // Asked early: the window ends 60 or 120 s after the fault started (the question comes while it runs).
  process.stdout.write('\nwindow cut short (asked 60 s / 120 s after the start; dev windows are 121–180 s):\n');
  for (const s of present) {
    const row: string[] = [];
    for (const secs of [60, 120]) {
      const early = systems[s].map((c) => ({ ...c, window: { start: c.window.start, end: Math.min(c.window.end, c.window.start + secs * 1000) } }));
      const r = await score(early);
      row.push(`${secs} s: top-1 ${r.top1}/${early.length}, right in ${r.close[0]}/${r.close[1]} close calls`);
    }
    process.stdout.write(`  ${s.padEnd(15)} ${row.join('; ')}\n`);
  }
  // Head sampling, as most Tempo users run it: a share of whole traces kept, logs and metrics whole.
  // Three draws per share (different trace-id salts) give the spread a single draw hides.
  process.stdout.write('\nhead-sampled traces (a share of whole traces kept by trace id, three draws; logs and metrics whole):\n');
  for (const s of present) {
    const row: string[] = [];
    for (const p of [0.5, 0.25, 0.1]) {
      const tops: number[] = [];
      for (const salt of ['a', 'b', 'c']) tops.push((await score(systems[s].map((c) => ({ ...c, sources: headSampled(c.sources, p, salt) })))).top1);
      row.push(`${p * 100}%: top-1 ${tops.join(', ')}/${systems[s].length}`);
    }
    process.stdout.write(`  ${s.padEnd(15)} ${row.join('; ')}\n`);
  }
  process.stdout.write('\ninjected network delay on the truth service, second half of each fault-free baseline:\n');
  for (const s of present) {
    for (const all of [false, true]) {
      for (const d of [50, 200]) {
        const r = await injectedDelayCheck(systems[s], d, all);
        process.stdout.write(`  ${s.padEnd(15)} ${all ? 'all signals' : 'traces only'} +${d} ms each way: top-1 ${r.top1}/${r.n}${r.misses.length ? `; misses: ${r.misses.slice(0, 6).join(', ')}` : ''}\n`);
      }
    }
  }
  // The fault's place should not matter: the same delay on every service that talks, in every fourth
  // baseline; then a partial delay (15% of calls +200 ms, as packet loss makes retransmitted calls wait);
  // then a delay that was in the baseline already (only the comparison across edges can see it).
  process.stdout.write('\ninjected delay on every service with calls (traces only, every fourth baseline):\n');
  for (const s of present) {
    const some = systems[s].filter((_, i) => i % 4 === 0);
    for (const [d, share, label, already] of [
      [100, 1, '+100 ms each way on every call', false],
      [200, 0.15, '+200 ms on 15% of calls (packet-loss-like)', false],
      [100, 1, '+100 ms each way, in the baseline too (the fault came back)', true],
    ] as const) {
      const r = await injectedDelayEveryService(some, d, false, share, already);
      const weak = [...r.perService].filter(([, [a, b]]) => a < b).map(([svc, [a, b]]) => `${svc} ${a}/${b}`);
      process.stdout.write(`  ${s.padEnd(15)} ${label}: top-1 ${r.top1}/${r.n}${weak.length ? `; below full: ${weak.slice(0, 8).join(', ')}` : ''}\n`);
    }
    // The same +100 ms with the bundle's own logs and metrics: their noise (and any real fault they
    // already hold) against the delay. Misses are listed per baseline, where they cluster.
    const r = await injectedDelayEveryService(some, 100, true);
    const perCase = new Map<string, number>();
    for (const m of r.misses) {
      const id = m.split(' → ')[0]!;
      perCase.set(id, (perCase.get(id) ?? 0) + 1);
    }
    process.stdout.write(`  ${s.padEnd(15)} +100 ms each way, with the bundle's logs and metrics: top-1 ${r.top1}/${r.n}${perCase.size ? `; misses by baseline: ${[...perCase].map(([id, n]) => `${id} ${n}`).join(', ')}` : ''}\n`);
  }
  // CPU starvation the same way: every span of the service waits 20 ms more for its own work (as CFS
  // throttling makes each slice of work wait); services that 5 or more requests touch in the half.
  process.stdout.write('\ninjected CPU starvation on every service (traces only, every fourth baseline, +20 ms of own time per span):\n');
  for (const s of present) {
    const r = await injectedSlowdownEveryService(systems[s].filter((_, i) => i % 4 === 0), 1, 20);
    const weak = [...r.perService].filter(([, [a, b]]) => a < b).map(([svc, [a, b]]) => `${svc} ${a}/${b}`);
    process.stdout.write(`  ${s.padEnd(15)} top-1 ${r.top1}/${r.n}${weak.length ? `; below full: ${weak.slice(0, 8).join(', ')}` : ''}\n`);
  }
  // Both again with no trace baseline at all (a recording that starts at the fault), traces only: call
  // waits are then compared across the window's edges, own time by its share of the slow requests' path.
  process.stdout.write('\nthe same on every service with no trace baseline (traces only, every fourth baseline):\n');
  for (const s of present) {
    for (const fault of ['delay', 'cpu'] as const) {
      const r = await injectedWithoutBaseline(systems[s].filter((_, i) => i % 4 === 0), fault);
      const weak = [...r.perService].filter(([, [a, b]]) => a < b).map(([svc, [a, b]]) => `${svc} ${a}/${b}`);
      process.stdout.write(`  ${s.padEnd(15)} ${fault === 'delay' ? '+100 ms each way' : '+20 ms own time per span'}: top-1 ${r.top1}/${r.n}${weak.length ? `; below full: ${weak.slice(0, 6).join(', ')}` : ''}\n`);
    }
  }
  if (process.env.SUSPECTS_QUICK) return;

  process.stdout.write(`\nsensitivity: top-1 with one constant at ×0.5 / ×1.5 (baseline ${present.map((s) => `${s} ${base[s].top1}`).join(', ')})\n`);
  const grid = new Map<string, Record<string, Record<System, number>>>();
  let worst = 0;
  for (const k of knobs()) {
    const v0 = k.get();
    const row: Record<string, Record<System, number>> = { '1': Object.fromEntries(present.map((s) => [s, base[s].top1])) as Record<System, number> };
    for (const f of [0.5, 1.5]) {
      k.set(v0 * f);
      row[String(f)] = {} as Record<System, number>;
      for (const s of present) {
        row[String(f)]![s] = (await score(systems[s])).top1;
        worst = Math.max(worst, Math.abs(row[String(f)]![s] - base[s].top1));
      }
      k.set(v0);
    }
    grid.set(k.name, row);
    process.stdout.write(`  ${k.name.padEnd(26)} ${present.map((s) => `${s} ${row['0.5']![s]} / ${row['1.5']![s]}`).join('   ')}\n`);
  }
  process.stdout.write(`largest change of top-1 from one constant at ±50%: ${worst} incident(s)\n`);

  if (present.length < 2) return;
  process.stdout.write('\nleave-one-system-out: each constant chosen on one system (best of ×0.5, ×1, ×1.5, ties keep ×1)\n');
  for (const train of present) {
    const test = present.find((s) => s !== train)!;
    const chosen: Array<[string, number]> = [];
    for (const k of knobs()) {
      const row = grid.get(k.name)!;
      let best = '1';
      for (const f of ['0.5', '1.5']) if (row[f]![train] > row[best]![train]) best = f;
      chosen.push([k.name, Number(best)]);
    }
    const all = knobs();
    const saved = all.map((k) => k.get());
    for (const [name, f] of chosen) {
      const k = all.find((x) => x.name === name)!;
      k.set(k.get() * f);
    }
    const a = await score(systems[train]);
    const b = await score(systems[test]);
    all.forEach((k, i) => k.set(saved[i]!));
    const moved = chosen.filter(([, f]) => f !== 1).map(([n, f]) => `${n}×${f}`);
    const na = systems[train].length;
    const nb = systems[test].length;
    const shared = base[test].top1;
    process.stdout.write(
      `  chosen on ${train}: ${moved.join(', ') || 'no change (the shared values are already the best of the grid)'}\n` +
        `    ${train} top-1 ${a.top1}/${na}; held-out ${test} top-1 ${b.top1}/${nb} (${((b.top1 / nb) * 100).toFixed(1)}%) vs ${shared}/${nb} with the shared configuration: ` +
        `held-out loss ${((shared - b.top1) / nb).toFixed(3)}; difference between the systems ${Math.abs(a.top1 / na - b.top1 / nb).toFixed(3)}\n`,
    );
  }
}
