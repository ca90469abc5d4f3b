// pprof's protobuf read straight from the bytes into flat arrays: the strings, then functions, locations
// and their lines as columns of numbers, the sample table as numbers (location ids, values, label pairs),
// with no object per function, location, sample or submessage. pprof.ts turns this into frames and
// samples; decoding through pprof-format made a Buffer view and an object for every field of every
// sample (a third of `hot_functions`' time on google-pprof's large.cpu, most of it garbage collection).
//
// Field by field it reads what pprof-format 2.x reads, the same way (one-byte field keys, varint and
// length-delimited values only, numbers of more than four bytes through BigInt, lengths past the end
// clamped), so a profile decodes to the same numbers and a malformed one fails where it failed.

import { doubles, ints, type Growable } from './growable.js';

/** Functions: per function its id, then the string indices of its name and file name. */
export type WireFunctions = Float64Array;

/** Locations: location k's id ids[k], address addresses[k], and lines [lineFrom[k],
 * lineFrom[k + 1]) of lineFunctions / lineNumbers (pprof order: innermost first). */
export interface WireLocations {
  count: number;
  ids: Float64Array;
  addresses: Float64Array;
  lineFrom: Int32Array;
  lineFunctions: Float64Array;
  lineNumbers: Float64Array;
}

export interface WireProfile {
  strings: string[];
  /** Per sample type: string index of type, then of unit. */
  sampleTypes: number[];
  periodType?: [number, number];
  period: number;
  defaultSampleType: number;
  timeNanos: number;
  durationNanos: number;
  comments: number[];
  functions: WireFunctions;
  locations: WireLocations;
  /** Sample k's location ids are ids[idFrom[k], idFrom[k + 1]), its values values[valueFrom[k], …),
   * its labels (key, str) pairs labels[2·labelFrom[k], 2·labelFrom[k + 1]). */
  samples: number;
  idFrom: Int32Array;
  ids: Float64Array;
  valueFrom: Int32Array;
  values: Float64Array;
  labelFrom: Int32Array;
  labels: Float64Array;
}

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const utf8 = new TextDecoder();

type Numbers = Growable<Float64Array>;
const numbers = doubles;
/** Offsets, one per sample plus the end. */
const offsets = ints;

/** The varint at [a, b): up to four bytes exactly as numbers, longer ones through BigInt (unsigned). */
export function readNumber(buf: Uint8Array, a: number, b: number): number {
  if (a >= b) return 0;
  let size = 0;
  while (a + size < b && buf[a + size++]! >= 0x80);
  if (size > 4) {
    let v = BigInt(buf[a]! & 0x7f);
    let i = 0;
    while (a + i < b && buf[a + i++]! >= 0x80) v |= BigInt(a + i < b ? buf[a + i]! & 0x7f : 0) << BigInt(7 * i);
    return Number(v);
  }
  let v = buf[a]! & 0x7f;
  let i = 0;
  while (buf[a + i++]! >= 0x80 && a + i < b) v |= (buf[a + i]! & 0x7f) << (7 * i);
  return v;
}

/** Every varint in [a, b) (a packed repeated field, or one unpacked value); a cut last one is dropped.
 * Varints of up to four bytes (location ids, most values) are summed as they are read, which is what
 * readNumber gives them; longer ones go through readNumber (BigInt). This loop reads every location id
 * of every sample, so it avoids a second scan and a call per number. */
function readNumbers(buf: Uint8Array, a: number, b: number, out: Numbers): void {
  let start = a;
  let v = 0;
  let shift = 0;
  for (let i = a; i < b; i++) {
    const byte = buf[i]!;
    if (shift < 28) v |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      out.push(i - start < 4 ? v : readNumber(buf, start, i + 1));
      start = i + 1;
      v = 0;
      shift = 0;
    } else shift += 7;
  }
}

/**
 * Calls `on(field, a, b)` for each field of the message at [from, to), [a, b) being its value's bytes
 * (the varint itself, or the contents of a length-delimited value).
 */
function fields(buf: Uint8Array, from: number, to: number, on: (field: number, a: number, b: number) => void): void {
  let i = from;
  while (i < to) {
    const key = buf[i]!;
    const field = key >> 3;
    const mode = key & 7;
    i++;
    if (mode === VARINT) {
      let e = i;
      while (e < to && buf[e]! & 0x80) e++;
      e = Math.min(e + 1, to);
      on(field, i, e);
      i = e;
    } else if (mode === LENGTH_DELIMITED) {
      let off = 0;
      while (i + off < to && buf[i + off++]! >= 0x80);
      const size = readNumber(buf, i, to);
      const a = Math.min(i + off, to);
      const b = Math.min(a + size, to);
      on(field, a, b);
      i = b;
    } else throw new Error(`Unrecognized value type: ${mode}`);
  }
}

/** A string of the table: ASCII (nearly all of them) sliced directly, anything else through TextDecoder as pprof-format decodes it. */
function text(buf: Buffer, a: number, b: number): string {
  for (let i = a; i < b; i++) if (buf[i]! >= 0x80) return utf8.decode(buf.subarray(a, b));
  return buf.toString('latin1', a, b);
}

/** Decodes a raw (not gzipped) pprof message. Throws on a wire type pprof-format cannot read. */
export function readProfile(bytes: Uint8Array): WireProfile {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = [];
  let sawStrings = false;
  const sampleTypes: number[] = [];
  let periodType: [number, number] | undefined;
  const header = { period: 0, defaultSampleType: 0, timeNanos: 0, durationNanos: 0 };
  const comments = numbers(16);
  // Tables start small for small profiles (a bundle holds hundreds) and grow by doubling: a sixteenth of
  // the profile's bytes, where its bytes (an upper bound: a varint takes at least one) zero-filled ~28 MB
  // for the demo's 239 profiles.
  const cap = (n: number) => Math.max(16, Math.min(n, buf.length >> 4));
  const idFrom = offsets(cap(1024));
  const ids = numbers(cap(1 << 16));
  const valueFrom = offsets(cap(1024));
  const values = numbers(cap(1 << 14));
  const labelFrom = offsets(cap(1024));
  const labels = numbers(cap(256));
  const functions = numbers(cap(3 * 1024));
  const locationIds = numbers(cap(1024));
  const addresses = numbers(cap(1024));
  const lineFrom = offsets(cap(1024));
  const lineFunctions = numbers(cap(1024));
  const lineNumbers = numbers(cap(1024));
  const valueType = (a: number, b: number): [number, number] => {
    const t: [number, number] = [0, 0];
    fields(buf, a, b, (f, x, y) => {
      if (f === 1) t[0] = readNumber(buf, x, y);
      else if (f === 2) t[1] = readNumber(buf, x, y);
    });
    return t;
  };
  // Field handlers made once, not per message.
  let label: [number, number] = [0, 0];
  const onLabel = (f: number, x: number, y: number) => {
    if (f === 1) label[0] = readNumber(buf, x, y);
    else if (f === 2) label[1] = readNumber(buf, x, y);
  };
  const onSample = (f: number, x: number, y: number) => {
    if (f === 1) readNumbers(buf, x, y, ids);
    else if (f === 2) readNumbers(buf, x, y, values);
    else if (f === 3) {
      label = [0, 0];
      fields(buf, x, y, onLabel);
      labels.push(label[0]);
      labels.push(label[1]);
    }
  };
  let lineFn = 0;
  let lineNo = 0;
  const onLine = (f: number, x: number, y: number) => {
    if (f === 1) lineFn = readNumber(buf, x, y);
    else if (f === 2) lineNo = readNumber(buf, x, y);
  };
  // The location and function being read (the last value of a repeated field wins, as in pprof-format).
  let locId = 0;
  let locAddress = 0;
  const onLocation = (f: number, x: number, y: number) => {
    if (f === 1) locId = readNumber(buf, x, y);
    else if (f === 3) locAddress = readNumber(buf, x, y);
    else if (f === 4) {
      lineFn = lineNo = 0;
      fields(buf, x, y, onLine);
      lineFunctions.push(lineFn);
      lineNumbers.push(lineNo);
    }
  };
  let fnId = 0;
  let fnName = 0;
  let fnFile = 0;
  const onFunction = (f: number, x: number, y: number) => {
    if (f === 1) fnId = readNumber(buf, x, y);
    else if (f === 2) fnName = readNumber(buf, x, y);
    else if (f === 4) fnFile = readNumber(buf, x, y);
  };
  // Mappings are not used, but walked as pprof-format walks them (a malformed one fails the same way).
  // Fields whose values nothing reads (mapping ids, columns, label numbers…) are skipped: reading a
  // number cannot fail.
  const onMapping = () => {};
  fields(buf, 0, buf.length, (f, a, b) => {
    switch (f) {
      case 1:
        sampleTypes.push(...valueType(a, b));
        break;
      case 2:
        idFrom.push(ids.n);
        valueFrom.push(values.n);
        labelFrom.push(labels.n / 2);
        fields(buf, a, b, onSample);
        break;
      case 3:
        fields(buf, a, b, onMapping);
        break;
      case 4:
        locId = locAddress = 0;
        lineFrom.push(lineFunctions.n);
        fields(buf, a, b, onLocation);
        locationIds.push(locId);
        addresses.push(locAddress);
        break;
      case 5:
        fnId = fnName = fnFile = 0;
        fields(buf, a, b, onFunction);
        functions.push(fnId);
        functions.push(fnName);
        functions.push(fnFile);
        break;
      case 6:
        sawStrings = true;
        strings.push(text(buf, a, b));
        break;
      case 9:
        header.timeNanos = readNumber(buf, a, b);
        break;
      case 10:
        header.durationNanos = readNumber(buf, a, b);
        break;
      case 11:
        periodType = valueType(a, b);
        break;
      case 12:
        header.period = readNumber(buf, a, b);
        break;
      case 13:
        readNumbers(buf, a, b, comments);
        break;
      case 14:
        header.defaultSampleType = readNumber(buf, a, b);
        break;
    }
  });
  const samples = idFrom.n;
  lineFrom.push(lineFunctions.n);
  idFrom.push(ids.n);
  valueFrom.push(values.n);
  labelFrom.push(labels.n / 2);
  return {
    // pprof-format's table holds "" alone when the profile has no string field.
    strings: sawStrings ? strings : [''],
    sampleTypes,
    periodType,
    ...header,
    comments: [...comments.done()],
    functions: functions.done(),
    locations: { count: locationIds.n, ids: locationIds.done(), addresses: addresses.done(), lineFrom: lineFrom.done(), lineFunctions: lineFunctions.done(), lineNumbers: lineNumbers.done() },
    samples,
    idFrom: idFrom.done(),
    ids: ids.done(),
    valueFrom: valueFrom.done(),
    values: values.done(),
    labelFrom: labelFrom.done(),
    labels: labels.done(),
  };
}
