// Java Flight Recorder files (`.jfr`): what `java -XX:StartFlightRecording`, `jcmd JFR.dump`, JDK Mission
// Control and async-profiler (`-o jfr`) write. A file is a sequence of chunks; each chunk holds a
// metadata event describing every type (classes and their fields), checkpoint events holding constant
// pools (stack traces, methods, classes, symbols, threads…), and events written field by field in the
// order the metadata gives. Integers are LEB128-style varints (the ninth byte keeps all 8 bits).
// Read here, per chunk: CPU samples (jdk.ExecutionSample; the sampling period from the recording's
// jdk.ActiveSetting, e.g. `10 ms`), allocation samples (jdk.ObjectAllocationSample weights, or the TLAB
// events async-profiler and older JDKs write) and monitor contention (jdk.JavaMonitorEnter durations),
// each as a pprof-model profile with the chunk's own start and duration. Everything else is skipped by
// its size. Frames are `package.Class.method` with their line; Java frames carry no file name.
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';

const MAGIC = [0x46, 0x4c, 0x52, 0x00]; // "FLR\0"
const HEADER_BYTES = 68;
/** Nesting of inline (non-pool) values a well-formed file never reaches; a damaged one must not recurse forever. */
const MAX_DEPTH = 32;

export function isJfr(head: Uint8Array): boolean {
  return head.length >= 4 && MAGIC.every((b, i) => head[i] === b);
}

class JfrError extends Error {}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos: number,
    readonly end: number,
  ) {
    this.pos = pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new JfrError(`cut short at byte ${this.pos}`);
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  /** A compressed integer: 7 bits per byte, low first, the ninth byte whole. Exact up to 2^53. */
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 9; i++) {
      const b = this.byte();
      if (i === 8) return v + b * mul;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!;
  }
  u64(): number {
    return this.u32() * 2 ** 32 + this.u32();
  }
  float(): number {
    this.need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0);
    this.pos += 4;
    return v;
  }
  double(): number {
    this.need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0);
    this.pos += 8;
    return v;
  }
  /** A string: its encoding byte, then nothing (null, empty), a pool id, UTF-8 or Latin-1 bytes, or chars. */
  string(): string | PoolRef | null {
    const enc = this.byte();
    if (enc === 0) return null;
    if (enc === 1) return '';
    if (enc === 2) return { pool: STRING_POOL, id: this.varint() };
    const n = this.varint();
    if (enc === 3 || enc === 5) {
      this.need(n);
      const bytes = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return enc === 3 ? Buffer.from(bytes).toString('utf8') : Buffer.from(bytes).toString('latin1');
    }
    if (enc === 4) {
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(this.varint());
      return s;
    }
    throw new JfrError(`unknown string encoding ${enc} at byte ${this.pos - 1}`);
  }
}

/** A reference into a constant pool (type id, entry id). */
interface PoolRef {
  pool: number;
  id: number;
}
const STRING_POOL = -1;
type Value = number | boolean | string | null | PoolRef | Value[] | { [field: string]: Value };

interface FieldDef {
  name: string;
  type: number;
  pooled: boolean;
  array: boolean;
}
interface ClassDef {
  id: number;
  name: string;
  fields: FieldDef[];
}

interface Element {
  name: string;
  attrs: Map<string, string>;
  children: Element[];
}

function readElement(r: Reader, strings: string[], depth: number): Element {
  if (depth > MAX_DEPTH) throw new JfrError('metadata nested too deep');
  const str = (i: number) => {
    const s = strings[i];
    if (s === undefined) throw new JfrError(`metadata names string ${i} of ${strings.length}`);
    return s;
  };
  const name = str(r.varint());
  const attrs = new Map<string, string>();
  for (let n = r.varint(); n > 0; n--) attrs.set(str(r.varint()), str(r.varint()));
  const children: Element[] = [];
  for (let n = r.varint(); n > 0; n--) children.push(readElement(r, strings, depth + 1));
  return { name, attrs, children };
}

/** The chunk's types from its metadata event (at the offset the header gives). */
function readMetadata(r: Reader): Map<number, ClassDef> {
  r.varint(); // size
  if (r.varint() !== 0) throw new JfrError('the metadata offset does not point at a metadata event');
  r.varint(); // start
  r.varint(); // duration
  r.varint(); // metadata id
  const strings: string[] = [];
  for (let n = r.varint(); n > 0; n--) {
    const s = r.string();
    strings.push(typeof s === 'string' ? s : '');
  }
  const root = readElement(r, strings, 0);
  const classes = new Map<number, ClassDef>();
  for (const part of root.children) {
    if (part.name !== 'metadata') continue;
    for (const c of part.children) {
      if (c.name !== 'class') continue;
      const fields = c.children
        .filter((f) => f.name === 'field')
        .map((f) => ({ name: f.attrs.get('name') ?? '', type: Number(f.attrs.get('class')), pooled: f.attrs.get('constantPool') === 'true', array: f.attrs.get('dimension') === '1' }));
      classes.set(Number(c.attrs.get('id')), { id: Number(c.attrs.get('id')), name: c.attrs.get('name') ?? '', fields });
    }
  }
  return classes;
}

class Chunk {
  readonly pools = new Map<number, Map<number, Value>>();
  readonly byName = new Map<string, ClassDef>();
  constructor(readonly classes: Map<number, ClassDef>) {
    for (const c of classes.values()) this.byName.set(c.name, c);
  }

  /** One value of type `type`, as written inline (not as a pool reference). */
  value(r: Reader, type: number, depth = 0): Value {
    const c = this.classes.get(type);
    if (!c) throw new JfrError(`a value of type ${type}, which the metadata does not describe`);
    switch (c.name) {
      case 'boolean':
        return r.byte() !== 0;
      case 'byte': {
        const b = r.byte();
        return b > 127 ? b - 256 : b;
      }
      case 'char':
        return r.varint();
      // Signed integers are written as varints of their two's complement: -1 as an int is 2^32 − 1.
      case 'short': {
        const v = r.varint();
        return v >= 2 ** 15 ? v - 2 ** 16 : v;
      }
      case 'int': {
        const v = r.varint();
        return v >= 2 ** 31 ? v - 2 ** 32 : v;
      }
      case 'long': {
        const v = r.varint();
        return v >= 2 ** 63 ? v - 2 ** 64 : v;
      }
      case 'float':
        return r.float();
      case 'double':
        return r.double();
      case 'java.lang.String':
        return r.string();
    }
    if (depth > MAX_DEPTH) throw new JfrError('values nested too deep');
    const o: { [field: string]: Value } = {};
    for (const f of c.fields) o[f.name] = this.field(r, f, depth + 1);
    return o;
  }

  field(r: Reader, f: FieldDef, depth: number): Value {
    const one = (): Value => (f.pooled ? { pool: f.type, id: r.varint() } : this.value(r, f.type, depth));
    if (!f.array) return one();
    const out: Value[] = [];
    for (let n = r.varint(); n > 0; n--) {
      const from = r.pos;
      out.push(one());
      // Every element takes bytes, unless its type has no fields: a damaged count must not spin on those.
      if (r.pos === from && n > 1) throw new JfrError(`an array of ${n} values that take no bytes at byte ${from}`);
    }
    return out;
  }

  /** A checkpoint event's pools (after its size and type). */
  checkpoint(r: Reader): void {
    r.varint(); // start
    r.varint(); // duration
    r.varint(); // delta to the previous checkpoint
    r.byte(); // type mask
    const stringType = this.byName.get('java.lang.String')?.id;
    for (let pools = r.varint(); pools > 0; pools--) {
      const type = r.varint();
      const key = type === stringType ? STRING_POOL : type;
      let pool = this.pools.get(key);
      if (!pool) this.pools.set(key, (pool = new Map()));
      for (let n = r.varint(); n > 0; n--) {
        const id = r.varint();
        pool.set(id, this.value(r, type));
      }
    }
  }

  resolve(v: Value | undefined): Value | undefined {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as PoolRef).pool === 'number' && typeof (v as PoolRef).id === 'number' && Object.keys(v).length === 2)
      return this.pools.get((v as PoolRef).pool)?.get((v as PoolRef).id);
    return v;
  }

  text(v: Value | undefined): string | undefined {
    const x = this.resolve(v);
    if (typeof x === 'string') return x;
    // Symbols hold their text in a `string` field.
    if (x && typeof x === 'object' && !Array.isArray(x) && 'string' in x) return this.text((x as { string: Value }).string);
    return undefined;
  }
}

/** What each kind of event adds (its values), and to which profile (cpu, alloc, lock). */
interface Kind {
  kind: string;
  values(e: { [field: string]: Value }, nsPerTick: number): number[] | undefined;
}

const num = (v: Value | undefined): number => (typeof v === 'number' ? v : 0);

const KINDS: Record<string, Kind> = {
  'jdk.ExecutionSample': { kind: 'cpu', values: () => [1] },
  'jdk.ObjectAllocationSample': { kind: 'alloc', values: (e) => [num(e.weight)] },
  'jdk.ObjectAllocationInNewTLAB': { kind: 'alloc', values: (e) => [num(e.tlabSize) || num(e.allocationSize)] },
  'jdk.ObjectAllocationOutsideTLAB': { kind: 'alloc', values: (e) => [num(e.allocationSize)] },
  'jdk.JavaMonitorEnter': { kind: 'lock', values: (e, nsPerTick) => [1, Math.round(num(e.duration) * nsPerTick)] },
};

/** A JFR timespan setting (`10 ms`, `20 ms`, `1 s`) in nanoseconds. */
function timespanNs(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d)\s*$/.exec(s);
  if (!m) return undefined;
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };
  return Number(m[1]) * unit[m[2]!]!;
}

export function parseJfr(bytes: Uint8Array, file: string): { profiles: ParsedProfile[]; problems: string[] } {
  const problems: string[] = [];
  const profiles: ParsedProfile[] = [];
  let at = 0;
  let chunkNo = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    chunkNo++;
    if (!isJfr(bytes.subarray(at, at + 4))) {
      problems.push(`${file}: chunk ${chunkNo} does not start with FLR (byte ${at}); the rest of the file is left out`);
      break;
    }
    const h = new Reader(bytes, at + 4, bytes.length);
    const major = h.u32() >>> 16;
    const size = h.u64();
    const cpOffset = h.u64();
    const metaOffset = h.u64();
    const startNanos = h.u64();
    const durationNanos = h.u64();
    const startTicks = h.u64();
    const ticksPerSecond = h.u64();
    const features = h.u32();
    if (major !== 2) throw new Error(`${file}: JFR version ${major}.x; Queryless reads version 2 (JDK 11 and later, async-profiler)`);
    if ((features & 1) === 0) throw new Error(`${file}: JFR without compressed integers; re-record with JDK 11 or later`);
    const end = size > 0 && at + size <= bytes.length ? at + size : -1;
    if (end < 0 || metaOffset <= 0 || metaOffset >= size || cpOffset <= 0) {
      problems.push(`${file}: chunk ${chunkNo} is ${size > 0 && at + size > bytes.length ? 'cut short (the recording was still being written, or the copy is partial)' : 'damaged'}; ${chunkNo > 1 ? 'the chunks before it are read' : 'nothing read'}`);
      break;
    }
    try {
      const p = readChunk(bytes, at, end, metaOffset, { startNanos, durationNanos, startTicks, ticksPerSecond }, file, chunkNo, problems);
      profiles.push(...p);
    } catch (e) {
      if (!(e instanceof JfrError)) throw e;
      problems.push(`${file}: chunk ${chunkNo} could not be read (${e.message}); left out`);
    }
    at = end;
  }
  if (!profiles.length) throw new Error(`${file}: a JFR recording with no CPU, allocation or lock samples${problems.length ? ` (${problems.join('; ')})` : ' (was the recording started with settings=profile, or async-profiler with -e cpu/alloc/lock?)'}`);
  return { profiles, problems };
}

interface ChunkTime {
  startNanos: number;
  durationNanos: number;
  startTicks: number;
  ticksPerSecond: number;
}

function readChunk(bytes: Uint8Array, at: number, end: number, metaOffset: number, t: ChunkTime, file: string, chunkNo: number, problems: string[]): ParsedProfile[] {
  const chunk = new Chunk(readMetadata(new Reader(bytes, at + metaOffset, end)));
  const wanted = new Map<number, string>();
  for (const name of Object.keys(KINDS)) {
    const c = chunk.byName.get(name);
    if (c) wanted.set(c.id, name);
  }
  const settingType = chunk.byName.get('jdk.ActiveSetting')?.id;
  // Pass 1: every checkpoint (events refer to pool entries written later in the chunk).
  const events: Array<[number, number]> = [];
  for (let pos = at + HEADER_BYTES; pos < end; ) {
    const r = new Reader(bytes, pos, end);
    const size = r.varint();
    if (size <= 0) throw new JfrError(`an event of size 0 at byte ${pos}`);
    const type = r.varint();
    if (type === 1) chunk.checkpoint(new Reader(bytes, r.pos, pos + size));
    else if (wanted.has(type) || type === settingType) events.push([pos, size]);
    pos += size;
  }
  // Pass 2: the samples, by stack.
  const nsPerTick = t.ticksPerSecond > 0 ? 1e9 / t.ticksPerSecond : 1;
  let periodNs: number | undefined;
  const sampleType = chunk.byName.get('jdk.ExecutionSample')?.id;
  const acc = new Map<string, Map<number, number[]>>(); // kind → stack id → values
  const frames = new Map<number, Frame[] | undefined>();
  let bad = 0;
  let noStack = 0;
  for (const [pos, size] of events) {
    const r = new Reader(bytes, pos, pos + size);
    r.varint();
    const type = r.varint();
    let e: Value;
    try {
      e = chunk.value(r, type);
    } catch (err) {
      if (!(err instanceof JfrError)) throw err;
      bad++;
      continue;
    }
    const o = e as { [field: string]: Value };
    if (type === settingType) {
      if (o.id === sampleType && chunk.text(o.name) === 'period') periodNs = timespanNs(chunk.text(o.value) ?? '') ?? periodNs;
      continue;
    }
    const k = KINDS[wanted.get(type)!]!;
    const values = k.values(o, nsPerTick);
    if (!values) continue;
    const ref = o.stackTrace as PoolRef | undefined;
    if (!ref || typeof ref !== 'object' || typeof ref.id !== 'number') {
      noStack++;
      continue;
    }
    let byStack = acc.get(k.kind);
    if (!byStack) acc.set(k.kind, (byStack = new Map()));
    const sum = byStack.get(ref.id);
    if (sum) values.forEach((v, i) => (sum[i]! += v));
    else byStack.set(ref.id, values.slice());
  }
  if (bad) problems.push(`${file}: chunk ${chunkNo}: ${bad} event(s) could not be read; left out`);
  const stackOf = (id: number): Frame[] | undefined => {
    if (frames.has(id)) return frames.get(id);
    const st = chunk.pools.get(chunk.byName.get('jdk.types.StackTrace')?.id ?? -2)?.get(id) as { frames?: Value[] } | undefined;
    const out: Frame[] = [];
    for (const f of Array.isArray(st?.frames) ? st.frames : []) {
      const sf = chunk.resolve(f) as { method?: Value; lineNumber?: Value } | undefined;
      const m = chunk.resolve(sf?.method) as { type?: Value; name?: Value; hidden?: Value } | undefined;
      // Hidden frames are the JVM's own glue (lambda proxies, method handles), not code anyone wrote.
      if (m?.hidden === true) continue;
      const cls = chunk.resolve(m?.type) as { name?: Value } | undefined;
      const className = chunk.text(cls?.name)?.replace(/\//g, '.');
      const method = chunk.text(m?.name);
      if (!method) continue;
      const fn = className ? `${className}.${method}` : method;
      const line = typeof sf?.lineNumber === 'number' && sf.lineNumber > 0 ? sf.lineNumber : undefined;
      out.push({ function: fn, ...(line !== undefined && { line }), fid: functionId(fn) });
    }
    // JFR writes the top frame first; the model wants the root first.
    const stack = out.length ? out.reverse() : undefined;
    frames.set(id, stack);
    return stack;
  };
  const timeMs = t.startNanos / 1e6;
  const durationMs = t.durationNanos / 1e6;
  const out: ParsedProfile[] = [];
  for (const [kind, byStack] of acc) {
    const samples: ParsedSample[] = [];
    let lost = 0;
    for (const [id, values] of byStack) {
      const f = stackOf(id);
      if (f) samples.push({ frames: f, values: kind === 'cpu' && periodNs ? [values[0]!, values[0]! * periodNs] : values });
      else lost += values[0]!;
    }
    if (lost) problems.push(`${file}: chunk ${chunkNo}: ${lost} ${kind} sample(s) name a stack trace the recording does not hold; left out`);
    if (!samples.length) continue;
    const base = { period: 0, samples, comments: [], timeMs, durationMs };
    if (kind === 'cpu')
      out.push(
        periodNs
          ? { ...base, sampleTypes: [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }], periodType: { type: 'cpu', unit: 'nanoseconds' }, period: periodNs }
          : { ...base, sampleTypes: [{ type: 'samples', unit: 'count' }] },
      );
    else if (kind === 'alloc') out.push({ ...base, sampleTypes: [{ type: 'alloc_space', unit: 'bytes' }] });
    else out.push({ ...base, sampleTypes: [{ type: 'contentions', unit: 'count' }, { type: 'delay', unit: 'nanoseconds' }], periodType: { type: 'contentions', unit: 'count' }, period: 1 });
  }
  if (noStack) problems.push(`${file}: chunk ${chunkNo}: ${noStack} sample(s) without a stack trace; left out`);
  return out;
}
