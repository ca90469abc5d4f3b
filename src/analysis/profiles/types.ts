// Profile type ids in Pyroscope's format `name:sampleType:sampleUnit:periodType:periodUnit`, derived
// from a pprof file's own sample and period types the way Pyroscope's ingestion names them.
import type { ProfileTypeInfo } from '../../sources/types.js';
import type { ParsedProfile, ValueTypeName } from './pprof.js';

export interface ParsedTypeId {
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

export function parseProfileTypeId(id: string): ParsedTypeId | undefined {
  const parts = id.split(':');
  if (parts.length !== 5 || !parts[0] || !parts[1]) return undefined;
  const [name, sampleType, sampleUnit, periodType, periodUnit] = parts as [string, string, string, string, string];
  return { name, sampleType, sampleUnit, periodType, periodUnit };
}

export function typeInfo(id: string): ProfileTypeInfo {
  const p = parseProfileTypeId(id);
  return { id, sampleType: p?.sampleType ?? id, sampleUnit: p?.sampleUnit ?? '' };
}

/**
 * The profile family name (`process_cpu`, `memory`, `mutex`, `block`, `goroutine`, `wall`…).
 * Block and mutex profiles have identical sample types in Go; `hint` (a file name, an index entry)
 * tells them apart when it can.
 */
export function profileFamily(p: Pick<ParsedProfile, 'sampleTypes' | 'periodType'>, st: ValueTypeName, hint = ''): string {
  const h = hint.toLowerCase();
  const explicit = /(process_cpu|memory|mutex|block|goroutine|wall|alloc|heap|cpu|lock)/.exec(h)?.[1];
  const types = p.sampleTypes.map((t) => t.type);
  const period = p.periodType?.type ?? '';
  if (types.includes('contentions') || types.includes('delay') || period === 'contentions') {
    if (explicit === 'block') return 'block';
    return 'mutex';
  }
  if (/^(alloc|inuse)_(space|objects)$/.test(st.type) || period === 'space' || explicit === 'heap' || explicit === 'memory' || explicit === 'alloc') return 'memory';
  if (st.type === 'goroutine' || st.type === 'goroutines' || period === 'goroutine') return 'goroutine';
  if (st.type === 'wall' || period === 'wall') return 'wall';
  if (st.type === 'cpu' || period === 'cpu' || (st.type === 'samples' && (explicit === 'cpu' || explicit === 'process_cpu'))) return 'process_cpu';
  if (st.type === 'samples' && period === '') return 'process_cpu';
  if (explicit === 'lock') return 'mutex';
  return (period || st.type || 'unknown').replace(/[^\w]/g, '_');
}

/** Type ids for every sample type of a profile (one per sample index). */
export function profileTypeIds(p: Pick<ParsedProfile, 'sampleTypes' | 'periodType'>, hint = ''): string[] {
  return p.sampleTypes.map((st) => [profileFamily(p, st, hint), st.type, st.unit, p.periodType?.type ?? '', p.periodType?.unit ?? ''].join(':'));
}

/** Friendly names people use for types, mapped onto a predicate over type ids. */
const ALIASES: Record<string, (t: ParsedTypeId) => boolean> = {
  cpu: (t) => t.name === 'process_cpu' && (t.sampleType === 'cpu' || t.sampleUnit === 'nanoseconds'),
  cpu_samples: (t) => t.name === 'process_cpu' && t.sampleType === 'samples',
  wall: (t) => t.name === 'wall',
  alloc_space: (t) => t.sampleType === 'alloc_space' || t.sampleType === 'alloc_in_new_tlab_bytes',
  alloc_objects: (t) => t.sampleType === 'alloc_objects' || t.sampleType === 'alloc_in_new_tlab_objects',
  inuse_space: (t) => t.sampleType === 'inuse_space',
  inuse_objects: (t) => t.sampleType === 'inuse_objects',
  memory: (t) => t.name === 'memory' && (t.sampleType === 'alloc_space' || t.sampleUnit === 'bytes'),
  heap: (t) => t.name === 'memory' && t.sampleType === 'inuse_space',
  alloc: (t) => t.name === 'memory' && t.sampleType.startsWith('alloc') && t.sampleUnit === 'bytes',
  mutex: (t) => t.name === 'mutex' && t.sampleType === 'delay',
  mutex_count: (t) => t.name === 'mutex' && t.sampleType === 'contentions',
  lock: (t) => t.name === 'mutex' && t.sampleType === 'delay',
  block: (t) => t.name === 'block' && t.sampleType === 'delay',
  block_count: (t) => t.name === 'block' && t.sampleType === 'contentions',
  goroutine: (t) => t.name === 'goroutine',
  goroutines: (t) => t.name === 'goroutine',
};

/**
 * Resolve what a caller typed (a full id, an alias such as `cpu` or `alloc_space`, or a family name
 * such as `process_cpu`) against the ids available. Returns undefined when nothing matches.
 */
export function resolveProfileType(wanted: string, available: string[]): string | undefined {
  const w = wanted.trim();
  if (available.includes(w)) return w;
  const parsed = available.map((id) => ({ id, t: parseProfileTypeId(id) })).filter((x): x is { id: string; t: ParsedTypeId } => !!x.t);
  const alias = ALIASES[w.toLowerCase()];
  if (alias) {
    const hit = parsed.find((x) => alias(x.t));
    if (hit) return hit.id;
  }
  const lw = w.toLowerCase();
  // A family name or a sample type name: prefer the time/bytes variant over counts.
  const byName = parsed.filter((x) => x.t.name === lw || x.t.sampleType === lw || `${x.t.name}:${x.t.sampleType}` === lw);
  if (byName.length) return (byName.find((x) => x.t.sampleUnit !== 'count') ?? byName[0]!).id;
  return undefined;
}

/** The type to analyse when none is given: CPU time first, then wall, then whatever comes first. */
export function defaultProfileType(available: string[]): string | undefined {
  return resolveProfileType('cpu', available) ?? resolveProfileType('cpu_samples', available) ?? resolveProfileType('wall', available) ?? available[0];
}

/** Human unit of a sample unit, for rendering values. */
export function formatValue(v: number, unit: string): string {
  const a = Math.abs(v);
  if (unit === 'nanoseconds') {
    if (a >= 1e9) return `${(v / 1e9).toFixed(2)}s`;
    if (a >= 1e6) return `${(v / 1e6).toFixed(1)}ms`;
    if (a >= 1e3) return `${(v / 1e3).toFixed(1)}µs`;
    return `${v.toFixed(0)}ns`;
  }
  if (unit === 'bytes') {
    if (a >= 2 ** 30) return `${(v / 2 ** 30).toFixed(2)}GiB`;
    if (a >= 2 ** 20) return `${(v / 2 ** 20).toFixed(1)}MiB`;
    if (a >= 2 ** 10) return `${(v / 2 ** 10).toFixed(1)}KiB`;
    return `${v.toFixed(0)}B`;
  }
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** A per-second rate in words for the unit (CPU ns/s are cores). */
export function formatRate(perSec: number, unit: string): string {
  if (unit === 'nanoseconds') {
    const cores = perSec / 1e9;
    return `${Math.abs(cores) >= 0.1 || cores === 0 ? cores.toFixed(2) : cores.toPrecision(2)} cores`;
  }
  return `${formatValue(perSec, unit)}/s`;
}
