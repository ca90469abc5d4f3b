// Builds real pprof files with pprof-format's encoder, for tests (no hand-written bytes).
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

export interface FrameSpec {
  fn: string;
  file?: string;
  line?: number;
  /** Extra inlined frames (innermost first), sharing this location. */
  inlined?: Array<{ fn: string; file?: string; line?: number }>;
}

export interface SampleSpec {
  /** Stack leaf first, like pprof. */
  stack: FrameSpec[];
  values: number[];
  labels?: Record<string, string>;
}

export interface ProfileSpec {
  sampleTypes: Array<[string, string]>;
  periodType?: [string, string];
  period?: number;
  timeMs?: number;
  durationMs?: number;
  samples: SampleSpec[];
  defaultSampleType?: string;
}

export function buildPprof(spec: ProfileSpec, gzip = true): Buffer {
  const st = new StringTable();
  const fnIds = new Map<string, number>();
  const functions: PFunction[] = [];
  const locIds = new Map<string, number>();
  const locations: Location[] = [];
  const fnId = (name: string, file = '') => {
    const key = `${name}\u0000${file}`;
    let id = fnIds.get(key);
    if (!id) {
      id = functions.length + 1;
      fnIds.set(key, id);
      functions.push(new PFunction({ id, name: st.dedup(name), systemName: st.dedup(name), filename: st.dedup(file) }));
    }
    return id;
  };
  const locId = (f: FrameSpec) => {
    const lines = [...(f.inlined ?? []), { fn: f.fn, file: f.file, line: f.line }];
    const key = lines.map((l) => `${l.fn}@${l.file}:${l.line}`).join('|');
    let id = locIds.get(key);
    if (!id) {
      id = locations.length + 1;
      locIds.set(key, id);
      locations.push(new Location({ id, line: lines.map((l) => new Line({ functionId: fnId(l.fn, l.file), line: l.line ?? 0 })) }));
    }
    return id;
  };
  const samples = spec.samples.map(
    (s) =>
      new Sample({
        locationId: s.stack.map(locId),
        value: s.values,
        label: Object.entries(s.labels ?? {}).map(([k, v]) => new Label({ key: st.dedup(k), str: st.dedup(v) })),
      }),
  );
  const p = new Profile({
    sampleType: spec.sampleTypes.map(([t, u]) => new ValueType({ type: st.dedup(t), unit: st.dedup(u) })),
    periodType: spec.periodType ? new ValueType({ type: st.dedup(spec.periodType[0]), unit: st.dedup(spec.periodType[1]) }) : undefined,
    period: spec.period ?? 0,
    timeNanos: spec.timeMs !== undefined ? BigInt(spec.timeMs) * 1_000_000n : 0,
    durationNanos: spec.durationMs !== undefined ? BigInt(spec.durationMs) * 1_000_000n : 0,
    defaultSampleType: spec.defaultSampleType ? st.dedup(spec.defaultSampleType) : 0,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: st,
  });
  const bytes = Buffer.from(p.encode());
  return gzip ? gzipSync(bytes) : bytes;
}

/** A Go CPU profile (samples/count + cpu/nanoseconds) from `stack → cpu ns` pairs. */
export function goCpu(timeMs: number, durationMs: number, stacks: Array<[FrameSpec[], number]>, labels?: Record<string, string>): ProfileSpec {
  return {
    sampleTypes: [
      ['samples', 'count'],
      ['cpu', 'nanoseconds'],
    ],
    periodType: ['cpu', 'nanoseconds'],
    period: 10_000_000,
    timeMs,
    durationMs,
    samples: stacks.map(([stack, ns]) => ({ stack, values: [Math.round(ns / 10_000_000), ns], labels })),
  };
}

export const F = (fn: string, file?: string, line?: number): FrameSpec => ({ fn, file, line });
