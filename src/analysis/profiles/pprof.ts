// pprof decoding: binary protobuf (raw or gzipped, read straight from the bytes by pprof-wire.ts, as the
// `pprof-format` library reads it) and Pyroscope's protojson rendering of the same message, into one
// small in-memory model.
// Frames follow pprof's own rules so our numbers agree with `go tool pprof`: a location's lines are
// inlined frames (first = innermost), and a sample's first location is the leaf.
import { gunzipSync } from 'node:zlib';
import type { Frame } from '../../sources/types.js';
import { functionId } from './intern.js';
import { readProfile, type WireProfile } from './pprof-wire.js';
import { isGzip } from '../../util/gzip.js';

export class ProfileDecodeError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ProfileDecodeError';
  }
}

export interface ValueTypeName {
  type: string;
  unit: string;
}

export interface ParsedSample {
  /** Frames root first, leaf last (the StackProfile convention). */
  frames: Frame[];
  values: number[];
  /** String labels only (numeric labels are not needed for grouping). */
  labels?: Record<string, string>;
}

export interface ParsedProfile {
  sampleTypes: ValueTypeName[];
  periodType?: ValueTypeName;
  period: number;
  defaultSampleType?: string;
  /** Epoch ms of the profile start; undefined when the producer did not set it. */
  timeMs?: number;
  durationMs?: number;
  samples: ParsedSample[];
  comments: string[];
  /** The samples' location ids, for readers that aggregate without frames (binary pprof only). */
  locationStacks?: LocationStacks;
}

/**
 * Sample k's stack as location ids: ids[idFrom[k], idFrom[k + 1]), leaf first as in pprof; a
 * location's frames (its inlined lines, root first) from `location`. Stands for `samples` only: a
 * profile copied with other samples must not use it.
 */
export interface LocationStacks {
  samples: ParsedSample[];
  idFrom: Int32Array;
  ids: Float64Array;
  location: (id: number) => Frame[] | undefined;
  /** The largest id `location` knows. */
  maxLocationId: number;
}

const num = (v: number | bigint | string | undefined): number => (typeof v === 'number' ? v : v === undefined ? 0 : Number(v));

/**
 * Decode a pprof file's bytes. `file` names it in errors. Rejects empty, truncated and non-pprof
 * input with a message saying what was wrong (protobuf decoders happily read garbage as fields,
 * so we also check the result looks like a profile).
 */
export function decodePprof(bytes: Uint8Array, file = '(profile)'): ParsedProfile {
  if (bytes.length === 0) throw new ProfileDecodeError(file, 'empty file, not a pprof profile');
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new ProfileDecodeError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
  } else if (bytes[0] === 0x7b /* { */) {
    try {
      return fromProtoJson(JSON.parse(Buffer.from(bytes).toString('utf8')) as ProtoJsonProfile, file);
    } catch (e) {
      if (e instanceof ProfileDecodeError) throw e;
      throw new ProfileDecodeError(file, `not a pprof profile (JSON that does not parse: ${(e as Error).message})`);
    }
  }
  const wire = checkWireFormat(raw);
  if (wire) throw new ProfileDecodeError(file, `not a pprof profile or truncated (${wire})`);
  let p: WireProfile;
  try {
    p = readProfile(raw);
  } catch (e) {
    throw new ProfileDecodeError(file, `not a pprof profile or truncated (${(e as Error).message})`);
  }
  return fromWire(p, file);
}

/**
 * Walks the top-level protobuf fields and checks every one is complete. pprof-format decodes a
 * truncated buffer without complaint (it stops at the end), where `go tool pprof` reports an error;
 * this restores that check. Returns what is wrong, or undefined when the framing is sound.
 */
export function checkWireFormat(b: Uint8Array): string | undefined {
  let i = 0;
  const varint = (): number | undefined => {
    let v = 0;
    let mul = 1;
    for (let n = 0; n < 10; n++) {
      if (i >= b.length) return undefined;
      const byte = b[i++]!;
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 128;
    }
    return undefined;
  };
  while (i < b.length) {
    const at = i;
    const key = varint();
    if (key === undefined) return `field key cut at byte ${at}`;
    const field = Math.floor(key / 8);
    const wt = key % 8;
    if (field < 1 || field > 14) return `unexpected field ${field} at byte ${at}`;
    if (wt === 0) {
      if (varint() === undefined) return `value of field ${field} cut at byte ${at}`;
    } else if (wt === 2) {
      const len = varint();
      if (len === undefined || i + len > b.length) return `field ${field} at byte ${at} runs past the end (${b.length} bytes)`;
      i += len;
    } else if (wt === 1) {
      i += 8;
      if (i > b.length) return `field ${field} cut at byte ${at}`;
    } else if (wt === 5) {
      i += 4;
      if (i > b.length) return `field ${field} cut at byte ${at}`;
    } else return `invalid wire type ${wt} at byte ${at}`;
  }
  return undefined;
}

function fromWire(p: WireProfile, file: string): ParsedProfile {
  const strings = p.strings;
  const str = (i: number): string => {
    const s = strings[i];
    if (s === undefined) throw new ProfileDecodeError(file, `corrupt profile: string index ${i} beyond the string table (${strings.length} entries); truncated file?`);
    return s;
  };
  if (strings.length === 0 || strings[0] !== '' || p.sampleTypes.length === 0) {
    throw new ProfileDecodeError(file, 'not a pprof profile (no sample types or string table; is the file truncated or another format?)');
  }
  const location = wireLocations(p, str);
  const sampleTypes: ValueTypeName[] = [];
  for (let k = 0; k < p.sampleTypes.length; k += 2) sampleTypes.push({ type: str(p.sampleTypes[k]!), unit: str(p.sampleTypes[k + 1]!) });
  const h: Header = {
    sampleTypes,
    periodType: p.periodType ? { type: str(p.periodType[0]), unit: str(p.periodType[1]) } : undefined,
    period: p.period,
    defaultSampleType: p.defaultSampleType ? str(p.defaultSampleType) : undefined,
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    comments: p.comments.map(str),
  };
  const { samples, locationStacks } = wireSamples(p, sampleTypes.length, location, str, file);
  return { ...headerFields(h), samples, comments: h.comments, locationStacks };
}

/**
 * The samples of a wire profile, read from its flat arrays in one pass: values and labels copied out,
 * frames made only when a sample's `frames` is first read (identical location lists then share one
 * frames array, framesByLocations); the merger reads the location ids instead (locationStacks).
 */
function wireSamples(p: WireProfile, nTypes: number, location: (id: number) => Frame[] | undefined, str: (i: number) => string, file: string): { samples: ParsedSample[]; locationStacks: LocationStacks } {
  const samples: ParsedSample[] = new Array(p.samples);
  const { idFrom, ids, valueFrom, values, labelFrom, labels } = p;
  const locationStacks: LocationStacks = { samples, idFrom, ids, location, maxLocationId: maxId(p.locations.ids, 1, p.locations.count) };
  let framesOf: ReturnType<typeof framesByLocations> | undefined;
  const frames = (k: number) => (framesOf ??= framesByLocations(location, file))(ids, idFrom[k]!, idFrom[k + 1]!);
  for (let k = 0; k < p.samples; k++) {
    const nValues = valueFrom[k + 1]! - valueFrom[k]!;
    if (nValues !== nTypes) throw new ProfileDecodeError(file, `corrupt profile: a sample has ${nValues} values for ${nTypes} sample types`);
    // Checked here, as making the frames would (from the root end), so a bad profile fails to decode.
    for (let i = idFrom[k + 1]! - 1; i >= idFrom[k]!; i--) {
      if (!location(ids[i]!)) throw new ProfileDecodeError(file, `corrupt profile: a sample refers to missing location ${ids[i]}`);
    }
    const v = new Array<number>(nTypes);
    for (let i = 0; i < nTypes; i++) v[i] = values[valueFrom[k]! + i]!;
    const sample = new WireSample(frames, k, v);
    if (labelFrom[k + 1]! > labelFrom[k]!) {
      const out: Record<string, string> = {};
      let any = false;
      for (let l = 2 * labelFrom[k]!; l < 2 * labelFrom[k + 1]!; l += 2) {
        if (!labels[l + 1]) continue;
        out[str(labels[l]!)] = str(labels[l + 1]!);
        any = true;
      }
      if (any) sample.labels = out;
    }
    samples[k] = sample;
  }
  return { samples, locationStacks };
}

/** A decoded sample whose frames are made when first read. */
class WireSample implements ParsedSample {
  declare labels?: Record<string, string>;
  readonly #framesOf: (k: number) => Frame[];
  readonly #k: number;
  #frames: Frame[] | undefined;
  constructor(
    framesOf: (k: number) => Frame[],
    k: number,
    readonly values: number[],
  ) {
    this.#framesOf = framesOf;
    this.#k = k;
  }
  get frames(): Frame[] {
    return (this.#frames ??= this.#framesOf(this.#k));
  }
}

/**
 * Each location's frames (root first, as locationFrames makes them), read from the wire tables, by
 * location id. A function's name and file are looked up once (the names interned once), and every
 * function's strings are checked in table order, so a bad string index fails as before.
 */
function wireLocations(p: WireProfile, str: (i: number) => string): (id: number) => Frame[] | undefined {
  const fns = p.functions;
  const nFns = fns.length / 3;
  const names: string[] = new Array(nFns);
  const files: string[] = new Array(nFns);
  const fids = new Int32Array(nFns).fill(-1);
  for (let k = 0; k < nFns; k++) {
    names[k] = str(fns[3 * k + 1]!);
    files[k] = str(fns[3 * k + 2]!);
  }
  // A function id seen twice means its last entry (as a map filled in order would).
  const fnIndex = denseIndex(fns, 3, nFns);
  const locs = p.locations;
  const byId = new Map<number, Frame[]>();
  for (let k = 0; k < locs.count; k++) {
    const a = locs.lineFrom[k]!;
    const b = locs.lineFrom[k + 1]!;
    let frames: Frame[];
    if (a === b) frames = unsymbolizedFrames(locs.addresses[k]!);
    else {
      frames = new Array(b - a);
      for (let i = b - 1, j = 0; i >= a; i--, j++) {
        const fi = fnIndex(locs.lineFunctions[i]!);
        // A named function's id is interned once per function, not once per line.
        const fid = fi >= 0 && names[fi] ? (fids[fi]! >= 0 ? fids[fi]! : (fids[fi] = functionId(names[fi]!))) : undefined;
        frames[j] = lineFrame(fi >= 0 ? names[fi] : undefined, fi >= 0 ? files[fi] : undefined, locs.lineNumbers[i]!, fid);
      }
    }
    byId.set(locs.ids[k]!, frames);
  }
  return locationLookup(byId);
}

/** The largest of every `stride`-th number of a table (0 when none). */
function maxId(table: Float64Array, stride: number, n: number): number {
  let max = 0;
  for (let k = 0; k < n; k++) if (table[stride * k]! > max) max = table[stride * k]!;
  return max;
}

/** Index of each id of a table (every `stride`-th number from 0), the last one when an id repeats; -1 when absent. */
function denseIndex(table: Float64Array, stride: number, n: number): (id: number) => number {
  const max = maxId(table, stride, n);
  if (max <= 4 * n + 16) {
    const index = new Int32Array(max + 1).fill(-1);
    for (let k = 0; k < n; k++) index[table[stride * k]!] = k;
    return (id) => (id >= 0 && id <= max ? index[id]! : -1);
  }
  const index = new Map<number, number>();
  for (let k = 0; k < n; k++) index.set(table[stride * k]!, k);
  return (id) => index.get(id) ?? -1;
}

/** Location ids are usually dense (1..N): index an array instead of a map. */
function locationLookup(locFrames: Map<number, Frame[]>): (id: number) => Frame[] | undefined {
  let maxId = 0;
  for (const id of locFrames.keys()) if (id > maxId) maxId = id;
  const byId: Array<Frame[] | undefined> = maxId <= 4 * locFrames.size + 16 ? new Array(maxId + 1) : [];
  if (byId.length) for (const [id, fr] of locFrames) byId[id] = fr;
  return byId.length ? (id: number) => byId[id] : (id: number) => locFrames.get(id);
}

/**
 * Frames of a sample's location list ids[from..to), root first. Identical lists share one frames array
 * (stacks repeat across samples with different labels), found through a numeric hash of the ids and
 * verified element by element: no per-sample string keys or trie nodes to allocate. `ids` is kept for
 * the comparison, so it must not change afterwards.
 */
function framesByLocations(loc: (id: number) => Frame[] | undefined, file: string): (ids: ArrayLike<number>, from: number, to: number) => Frame[] {
  const buckets = new Map<number, Array<{ ids: ArrayLike<number>; from: number; to: number; frames: Frame[] }>>();
  return (ids, from, to) => {
    const n = to - from;
    let h = n;
    for (let i = from; i < to; i++) h = (Math.imul(h, 31) + ids[i]!) | 0;
    let bucket = buckets.get(h);
    if (bucket) {
      for (const e of bucket) {
        if (e.to - e.from !== n) continue;
        let same = true;
        for (let i = 0; i < n; i++) if (e.ids[e.from + i] !== ids[from + i]) { same = false; break; }
        if (same) return e.frames;
      }
    } else buckets.set(h, (bucket = []));
    const frames: Frame[] = [];
    for (let i = to - 1; i >= from; i--) {
      const lf = loc(ids[i]!);
      if (!lf) throw new ProfileDecodeError(file, `corrupt profile: a sample refers to missing location ${ids[i]}`);
      for (let j = 0; j < lf.length; j++) frames.push(lf[j]!);
    }
    bucket.push({ ids, from, to, frames });
    return frames;
  };
}

function headerFields(h: Header): Omit<ParsedProfile, 'samples' | 'comments'> {
  return {
    sampleTypes: h.sampleTypes,
    periodType: h.periodType,
    period: h.period,
    defaultSampleType: h.defaultSampleType,
    timeMs: h.timeNanos ? h.timeNanos / 1e6 : undefined,
    durationMs: h.durationNanos ? h.durationNanos / 1e6 : undefined,
  };
}

/** A location's frames root-first. pprof lists inlined lines innermost first. */
function locationFrames(address: number, lines: Array<{ fn: { name: string; file: string } | undefined; line: number }>): Frame[] {
  if (lines.length === 0) return unsymbolizedFrames(address);
  const out: Frame[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    out.push(lineFrame(l.fn?.name, l.fn?.file, l.line));
  }
  return out;
}

/** An unsymbolized location's one frame: pprof names such nodes by address. */
function unsymbolizedFrames(address: number): Frame[] {
  const name = `0x${address.toString(16).padStart(16, '0')}`;
  return [{ function: name, fid: functionId(name) }];
}

/** The frame of one line of a location: a function without a name is "(unknown)"; an empty file and a
 * line ≤ 0 are left out. `fid`, when the caller has it, is the name's interned id. */
function lineFrame(name: string | undefined, file: string | undefined, line: number, fid?: number): Frame {
  const fn = name || '(unknown)';
  const f: Frame = { function: fn, fid: fid ?? functionId(fn) };
  if (file) f.file = file;
  if (line > 0) f.line = line;
  return f;
}

interface Header {
  sampleTypes: ValueTypeName[];
  periodType?: ValueTypeName;
  period: number;
  defaultSampleType?: string;
  timeNanos: number;
  durationNanos: number;
  comments: string[];
}

type Num = number | bigint | string;
interface RawSample {
  locationId?: Num[];
  value?: Num[];
  label?: Array<{ key?: Num; str?: Num }>;
}

function build(h: Header, raw: RawSample[], locFrames: Map<number, Frame[]>, str: (i: Num | undefined) => string, file: string): ParsedProfile {
  const samples: ParsedSample[] = new Array(raw.length);
  const nTypes = h.sampleTypes.length;
  const framesOf = framesByLocations(locationLookup(locFrames), file);
  for (let k = 0; k < raw.length; k++) {
    const s = raw[k]!;
    const rawIds = s.locationId ?? [];
    const rawValues = s.value ?? [];
    if (rawValues.length !== nTypes) {
      throw new ProfileDecodeError(file, `corrupt profile: a sample has ${rawValues.length} values for ${nTypes} sample types`);
    }
    const ids = new Array<number>(rawIds.length);
    for (let i = 0; i < rawIds.length; i++) ids[i] = num(rawIds[i]);
    const frames = framesOf(ids, 0, ids.length);
    const values = new Array<number>(nTypes);
    for (let i = 0; i < nTypes; i++) values[i] = num(rawValues[i]);
    const sample: ParsedSample = { frames, values };
    const labels = s.label;
    if (labels && labels.length) {
      const out: Record<string, string> = {};
      let any = false;
      for (const l of labels) {
        if (!l.str || num(l.str) === 0) continue;
        out[str(l.key)] = str(l.str);
        any = true;
      }
      if (any) sample.labels = out;
    }
    samples[k] = sample;
  }
  return { ...headerFields(h), samples, comments: h.comments };
}

// ---------------------------------------------------------------- protojson (Pyroscope SelectMergeProfile)

type Str = string | number;
export interface ProtoJsonProfile {
  sampleType?: Array<{ type?: Str; unit?: Str }>;
  sample?: Array<{ locationId?: Str[]; value?: Str[]; label?: Array<{ key?: Str; str?: Str; num?: Str }> }>;
  location?: Array<{ id?: Str; mappingId?: Str; address?: Str; line?: Array<{ functionId?: Str; line?: Str }> }>;
  function?: Array<{ id?: Str; name?: Str; systemName?: Str; filename?: Str; startLine?: Str }>;
  stringTable?: string[];
  timeNanos?: Str;
  durationNanos?: Str;
  periodType?: { type?: Str; unit?: Str };
  period?: Str;
  comment?: Str[];
  defaultSampleType?: Str;
}

/** Pyroscope answers SelectMergeProfile with protojson: int64 as strings, zero values omitted. */
export function fromProtoJson(j: ProtoJsonProfile, file = '(profile)'): ParsedProfile {
  if (!j || typeof j !== 'object' || !Array.isArray(j.stringTable)) throw new ProfileDecodeError(file, 'not a pprof profile (no stringTable)');
  const strings = j.stringTable;
  const str = (i: Num | undefined) => strings[Number(i ?? 0)] ?? '';
  const fnById = new Map<number, { name: string; file: string }>();
  for (const f of j.function ?? []) fnById.set(Number(f.id ?? 0), { name: str(f.name), file: str(f.filename) });
  const locFrames = new Map<number, Frame[]>();
  for (const loc of j.location ?? []) {
    locFrames.set(Number(loc.id ?? 0), locationFrames(Number(loc.address ?? 0), (loc.line ?? []).map((l) => ({ fn: fnById.get(Number(l.functionId ?? 0)), line: Number(l.line ?? 0) }))));
  }
  const sampleTypes = (j.sampleType ?? []).map((t) => ({ type: str(t.type), unit: str(t.unit) }));
  if (!sampleTypes.length) throw new ProfileDecodeError(file, 'not a pprof profile (no sample types)');
  return build(
    {
      sampleTypes,
      periodType: j.periodType ? { type: str(j.periodType.type), unit: str(j.periodType.unit) } : undefined,
      period: Number(j.period ?? 0),
      defaultSampleType: j.defaultSampleType ? str(j.defaultSampleType) : undefined,
      timeNanos: Number(j.timeNanos ?? 0),
      durationNanos: Number(j.durationNanos ?? 0),
      comments: (j.comment ?? []).map(str),
    },
    // protojson omits zero values: pad missing values so every sample has one per type.
    (j.sample ?? []).map((s) => ({ locationId: s.locationId, value: sampleTypes.map((_, i) => s.value?.[i] ?? 0), label: s.label })),
    locFrames,
    str,
    file,
  );
}

/** pprof's default sample index: the default_sample_type when set, else the last sample type. */
export function defaultSampleIndex(p: ParsedProfile): number {
  if (p.defaultSampleType) {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) return i;
  }
  return p.sampleTypes.length - 1;
}
