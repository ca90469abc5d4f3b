// speedscope's file format (https://www.speedscope.app/file-format-schema.json), written by py-spy
// (`record --format speedscope`), rbspy, Austin, pyinstrument and other profilers: shared frames
// (name, file, 1-based line) and one profile per thread, either sampled (stacks root first, each
// with a weight) or evented (frames opened and closed at given values). Every profile of the file
// whose unit is of the first profile's kind (time, bytes or counts) is read into one pprof-model
// profile: a process's threads together, as a CPU profile of the process shows them. Evented
// profiles weigh each stack by the time it was on top. The values are relative: the profile has no
// time of its own.
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample, ValueTypeName } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

interface SsFrame {
  name?: unknown;
  file?: unknown;
  line?: unknown;
}
interface SsProfile {
  type?: unknown;
  name?: unknown;
  unit?: unknown;
  samples?: unknown;
  weights?: unknown;
  events?: unknown;
}

/** Nanoseconds per unit for time units; bytes and counts stand for themselves. */
const TIME_UNITS: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };

type Kind = 'time' | 'bytes' | 'count';
const kindOf = (unit: unknown): Kind => (typeof unit === 'string' && unit in TIME_UNITS ? 'time' : unit === 'bytes' ? 'bytes' : 'count');
const SAMPLE_TYPE: Record<Kind, ValueTypeName> = {
  time: { type: 'cpu', unit: 'nanoseconds' },
  bytes: { type: 'alloc_space', unit: 'bytes' },
  count: { type: 'samples', unit: 'count' },
};

/** The document is a speedscope file (its schema, or shared frames beside a list of profiles). */
export function looksLikeSpeedscope(doc: unknown): boolean {
  const d = doc as { $schema?: unknown; shared?: { frames?: unknown }; profiles?: unknown } | null;
  if (!d || typeof d !== 'object') return false;
  return d.$schema === SPEEDSCOPE_SCHEMA || (Array.isArray(d.shared?.frames) && Array.isArray(d.profiles));
}

function framesOf(list: unknown): Frame[] {
  const out: Frame[] = [];
  for (const raw of Array.isArray(list) ? (list as SsFrame[]) : []) {
    const name = typeof raw?.name === 'string' && raw.name !== '' ? raw.name : '(unknown)';
    const file = typeof raw?.file === 'string' && raw.file !== '' ? raw.file : undefined;
    const line = typeof raw?.line === 'number' && raw.line > 0 ? raw.line : undefined;
    out.push({ function: name, ...(file && { file }), ...(file && line !== undefined && { line }), fid: functionId(name) });
  }
  return out;
}

/** Adds `w` to the stack of frame indices (root first), merging identical stacks. */
class StackSums {
  readonly sums = new Map<string, { idx: number[]; w: number }>();
  add(idx: number[], w: number): void {
    if (!(w > 0) || !idx.length) return;
    const k = idx.join(',');
    const e = this.sums.get(k);
    if (e) e.w += w;
    else this.sums.set(k, { idx: idx.slice(), w });
  }
}

function sampled(p: SsProfile, nFrames: number, into: StackSums, scale: number): string | undefined {
  const samples = Array.isArray(p.samples) ? (p.samples as unknown[]) : [];
  const weights = Array.isArray(p.weights) ? (p.weights as unknown[]) : undefined;
  if (weights && weights.length !== samples.length) return `${samples.length} samples but ${weights.length} weights`;
  let bad = 0;
  samples.forEach((s, i) => {
    const idx = Array.isArray(s) ? (s as unknown[]) : [];
    if (!idx.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < nFrames)) return void bad++;
    const w = weights ? Number(weights[i]) : 1;
    if (Number.isFinite(w)) into.add(idx as number[], w * scale);
  });
  return bad ? `${bad} sample(s) name frames the file does not have` : undefined;
}

function evented(p: SsProfile, nFrames: number, into: StackSums, scale: number): string | undefined {
  const events = Array.isArray(p.events) ? (p.events as Array<{ type?: unknown; at?: unknown; frame?: unknown }>) : [];
  const stack: number[] = [];
  let last: number | undefined;
  let unmatched = 0;
  for (const e of events) {
    const at = Number(e?.at);
    const frame = e?.frame;
    if (!Number.isFinite(at) || !Number.isInteger(frame) || (frame as number) < 0 || (frame as number) >= nFrames) {
      unmatched++;
      continue;
    }
    // The stack that was on top since the last event held the time in between.
    if (last !== undefined && at > last) into.add(stack, (at - last) * scale);
    last = at;
    if (e.type === 'O') stack.push(frame as number);
    else if (e.type === 'C') {
      const i = stack.lastIndexOf(frame as number);
      if (i < 0) unmatched++;
      else stack.length = i; // closes the frame and any left open above it
    } else unmatched++;
  }
  return unmatched ? `${unmatched} event(s) unreadable or closing a frame that was not open` : undefined;
}

/** A field's value as a message shows it: quoted text, else what kind of value it is (a damaged file's is anything). */
function said(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return v === undefined ? 'none' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : String(v);
}

export function parseSpeedscope(doc: unknown, file: string): { profile: ParsedProfile; problems: string[] } {
  const d = doc as { shared?: { frames?: unknown }; profiles?: unknown };
  const frames = framesOf(d.shared?.frames);
  const profiles = Array.isArray(d.profiles) ? (d.profiles as SsProfile[]) : [];
  if (!frames.length || !profiles.length) throw new Error(`${file}: a speedscope file without frames or profiles`);
  const problems: string[] = [];
  const kind = kindOf(profiles[0]?.unit);
  const sums = new StackSums();
  let read = 0;
  profiles.forEach((p, i) => {
    const label = `${file}: profile ${i + 1}${typeof p?.name === 'string' ? ` ("${p.name}")` : ''}`;
    if (kindOf(p?.unit) !== kind) return void problems.push(`${label} has unit ${said(p?.unit)}, the first ${said(profiles[0]?.unit)}; left out`);
    const scale = kind === 'time' ? TIME_UNITS[p.unit as string]! : 1;
    const why = p?.type === 'sampled' ? sampled(p, frames.length, sums, scale) : p?.type === 'evented' ? evented(p, frames.length, sums, scale) : `type ${said(p?.type)} is neither "sampled" nor "evented"; left out`;
    if (why) problems.push(`${label}: ${why}`);
    if (p?.type === 'sampled' || p?.type === 'evented') read++;
  });
  const samples: ParsedSample[] = [...sums.sums.values()].map((e) => ({ frames: e.idx.map((k) => frames[k]!), values: [Math.round(e.w)] }));
  if (!read || !samples.length) throw new Error(`${file}: a speedscope file with no samples${problems.length ? ` (${problems.join('; ')})` : ''}`);
  const type = SAMPLE_TYPE[kind];
  return { profile: { sampleTypes: [type], ...(kind === 'time' && { periodType: type }), period: 0, samples, comments: [] }, problems };
}
