// OpenMetrics / Prometheus text exposition parser for bundles: timestamped samples into columnar series.
// Hand-written scanner (no regex per line) so large files load at disk speed. A malformed line becomes a
// problem naming the file and line number; the rest of the file is kept.
import type { MetricMetadata, MetricType } from '../types.js';
import path from 'node:path';
import { isDateMs, NOT_A_DATE } from '../../util/plausible-time.js';

export interface StoredSeries {
  /** Canonical key: name + sorted labels. */
  key: string;
  name: string;
  /** All labels including __name__. */
  labels: Record<string, string>;
  /** Sample timestamps in epoch ms (integer, as Prometheus stores them), ascending. */
  t: Float64Array;
  v: Float64Array;
  /** Indexes i (>0) where v[i] < v[i-1]: counter resets, precomputed for rate/increase. */
  resets: Int32Array;
}

export interface MetricStore {
  series: StoredSeries[];
  byName: Map<string, StoredSeries[]>;
  /** Families declared by `# TYPE`/`# HELP`/`# UNIT`, keyed by family name. */
  families: Map<string, MetricMetadata>;
  sampleCount: number;
  minT: number;
  maxT: number;
  bytes: number;
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);
/** Sample-name suffixes that belong to a family of another name (OpenMetrics §"Suffixes"). */
const FAMILY_SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

interface Builder {
  key: string;
  /** The series' text (name and label block) as last written in a file. */
  raw: string;
  /** The series whose sample followed this one's last time. */
  next: Builder | undefined;
  name: string;
  labels: Record<string, string>;
  t: number[];
  v: number[];
  sorted: boolean;
}

export class OpenMetricsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}: line ${line}: ${message}`);
    this.name = 'OpenMetricsError';
  }
}

/** Accumulates several files into one store. */
export class MetricStoreBuilder {
  private byRaw = new Map<string, Builder>();
  private byKey = new Map<string, Builder>();
  private families = new Map<string, MetricMetadata>();
  private bytes = 0;
  /** The series of the last sample line read. */
  private prev: Builder | undefined;
  /** Errors per file beyond this count are summarised in one line. */
  maxErrorsPerFile = 5;

  /** The time given to samples without a timestamp (a scrape saved to a file); unset, they are skipped. */
  private scrapeTimeMs: number | undefined;
  /** Samples stored and skipped for a missing timestamp by the last `add`. */
  lastAdd = { stored: 0, missingTs: 0 };

  /** Points given to addSeries with a time that is no date, skipped (the loader reports them per file). */
  nonDates = 0;
  /** Series whose name was not a PromQL metric name and was rewritten (addSeries). */
  renamed = 0;

  /** Points pushed so far (counted as they come: the loader asks before and after each file). */
  private held = 0;

  /** Samples held so far, every file together (a file that adds none is reported by the loader). */
  get samples(): number {
    return this.held;
  }

  /** Parses one file's text; returns the problems found (each naming the file and line). */
  add(file: string, text: string, scrapeTimeMs?: number): string[] {
    this.scrapeTimeMs = scrapeTimeMs;
    this.bytes += text.length;
    const problems: string[] = [];
    let errors = 0;
    let missingTs = 0;
    let stored = 0;
    const fail = (line: number, msg: string) => {
      errors++;
      if (errors <= this.maxErrorsPerFile) problems.push(new OpenMetricsError(file, line, msg).message);
    };
    const len = text.length;
    let pos = 0;
    let lineNo = 0;
    while (pos < len) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = len;
      lineNo++;
      const start = pos;
      pos = end + 1;
      let stop = end;
      if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
      if (stop === start) continue;
      const c0 = text.charCodeAt(start);
      if (c0 === 35 /* # */) {
        if (text.startsWith('# EOF', start) && stop - start === 5) break;
        this.comment(text.slice(start, stop), lineNo, fail);
        continue;
      }
      const r = this.sample(text, start, stop);
      if (typeof r === 'string') fail(lineNo, r);
      else if (r === false) missingTs++;
      else stored++;
    }
    this.lastAdd = { stored, missingTs };
    if (errors > this.maxErrorsPerFile) problems.push(`${file}: ${errors - this.maxErrorsPerFile} more malformed line(s) skipped`);
    if (missingTs) problems.push(`${file}: ${missingTs} sample(s) without a timestamp skipped (bundle metrics need timestamps)`);
    return problems;
  }

  private comment(line: string, lineNo: number, fail: (l: number, m: string) => void): void {
    const m = /^#\s+(TYPE|HELP|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) return; // free comments are allowed in the Prometheus text format
    const [, kind, name, rest = ''] = m;
    const fam = this.families.get(name!) ?? { name: name!, type: 'unknown' as MetricType };
    if (kind === 'TYPE') {
      const t = rest.trim() as MetricType;
      if (!TYPES.has(t)) {
        fail(lineNo, `unknown metric type "${rest.trim()}" for ${name} (expected one of ${[...TYPES].join(', ')})`);
        return;
      }
      fam.type = t;
    } else if (kind === 'HELP') fam.help = unescapeText(rest);
    else fam.unit = rest.trim() || undefined;
    this.families.set(name!, fam);
  }

  /** Parses one sample line. Returns an error message, false when the timestamp is missing, true when stored. */
  private sample(text: string, start: number, stop: number): string | boolean {
    // Lines usually come in the order of the previous scrape: the same series again, or (histograms, summaries) the
    // series that followed this one last time. When the line starts with that series' text followed by a blank, its
    // name and labels are that series' (the scan below would stop at the same place): no slicing, hashing or parsing.
    const prev = this.prev;
    if (prev !== undefined) {
      const hit = startsWithSeries(text, start, stop, prev.next) ?? startsWithSeries(text, start, stop, prev);
      if (hit !== undefined) {
        const r = this.readPoint(text, start + hit.raw.length, stop, hit.raw);
        if (r !== undefined) return r;
        this.follow(hit);
        return true;
      }
    }
    // Metric name (or `{` for UTF-8 quoted names, which we reject clearly).
    let i = start;
    while (i < stop) {
      const c = text.charCodeAt(i);
      if (c === 123 /* { */ || c === 32 || c === 9) break;
      i++;
    }
    if (i === start) return 'sample line without a metric name';
    const name = text.slice(start, i);
    let seriesEnd = i;
    if (i < stop && text.charCodeAt(i) === 123) {
      // Skip the label block, honouring quotes and escapes.
      let j = i + 1;
      let inStr = false;
      while (j < stop) {
        const c = text.charCodeAt(j);
        if (inStr) {
          if (c === 92) j++;
          else if (c === 34) inStr = false;
        } else if (c === 34) inStr = true;
        else if (c === 125 /* } */) break;
        j++;
      }
      if (j >= stop) return `unterminated label set in "${text.slice(start, Math.min(stop, start + 80))}"`;
      seriesEnd = j + 1;
    }
    const raw = text.slice(start, seriesEnd);
    const r = this.readPoint(text, seriesEnd, stop, raw);
    if (r !== undefined) return r;
    let b = this.byRaw.get(raw);
    if (!b) {
      const labels = parseLabels(text, i, seriesEnd, name);
      if (typeof labels === 'string') return labels;
      const key = seriesKey(labels);
      b = this.byKey.get(key);
      if (!b) {
        b = { key, raw, next: undefined, name, labels, t: [], v: [], sorted: true };
        this.byKey.set(key, b);
      }
      this.byRaw.set(raw, b);
    }
    b.raw = raw;
    this.follow(b);
    return true;
  }

  /** Stores the point just read in `b`, noting that `b` followed the previous line's series. */
  private follow(b: Builder): void {
    if (this.prev !== undefined) this.prev.next = b;
    this.prev = b;
    const n = b.t.length;
    if (n > 0 && this.pointT <= b.t[n - 1]!) b.sorted = false;
    b.t.push(this.pointT);
    b.v.push(this.pointV);
    this.held++;
  }

  /** The point read by the last `readPoint`. */
  private pointT = 0;
  private pointV = 0;

  /**
   * Reads the value and optional timestamp after a series (an exemplar ` # {…} v [ts]` may follow) into
   * pointT/pointV. Returns an error message, false when the timestamp is missing, undefined when read.
   */
  private readPoint(text: string, from: number, stop: number, raw: string): string | false | undefined {
    let k = from;
    while (k < stop && isBlank(text.charCodeAt(k))) k++;
    let ve = k;
    while (ve < stop && !isBlank(text.charCodeAt(ve))) ve++;
    if (ve === k) return `missing value for ${raw}`;
    const value = fastDecimal(text, k, ve) ?? parseValue(text.slice(k, ve));
    if (value === undefined) return `invalid value "${text.slice(k, ve)}" for ${raw}`;
    let ts = ve;
    while (ts < stop && isBlank(text.charCodeAt(ts))) ts++;
    let te = ts;
    while (te < stop && !isBlank(text.charCodeAt(te))) te++;
    if (te === ts || text.charCodeAt(ts) === 35 /* exemplar without timestamp */) {
      if (this.scrapeTimeMs === undefined) return false;
      this.pointT = this.scrapeTimeMs;
    } else {
      let seconds = fastDecimal(text, ts, te);
      if (seconds === undefined) {
        const tsText = text.slice(ts, te);
        seconds = Number(tsText);
        if (!Number.isFinite(seconds) || tsText.trim() === '') return `invalid timestamp "${tsText}" for ${raw}`;
      }
      // Prometheus' OpenMetrics parser: int64(ts * 1000), i.e. truncation to milliseconds.
      this.pointT = Math.trunc(seconds * 1000);
      if (!isDateMs(this.pointT)) return `timestamp ${text.slice(ts, te)} is ${NOT_A_DATE} (OpenMetrics writes epoch seconds) for ${raw}`;
    }
    this.pointV = value;
    return undefined;
  }


  /** Declares a family's type, help and unit (as `# TYPE`, `# HELP`, `# UNIT` lines do). */
  declareFamily(meta: MetricMetadata): void {
    this.families.set(meta.name, { ...this.families.get(meta.name), ...meta });
  }

  /** Adds samples of one series given as labels (with `__name__`) and [epoch ms, value] points (saved query answers). */
  addSeries(labels: Record<string, string>, points: Array<[number, number]>): void {
    // Saved answers may carry any text as a name (a damaged file, another system's naming): PromQL
    // needs the classic charset to select it, so the name is written in it and the renaming counted.
    const name = labels.__name__;
    if (name !== undefined && !METRIC_NAME.test(name)) {
      labels = { ...labels, __name__: promqlMetricName(name) };
      this.renamed++;
    }
    const key = seriesKey(labels);
    let b = this.byKey.get(key);
    if (!b) this.byKey.set(key, (b = { key, raw: '', next: undefined, name: labels.__name__ ?? '', labels, t: [], v: [], sorted: true }));
    for (const [t, v] of points) {
      if (!isDateMs(t)) {
        this.nonDates++;
        continue;
      }
      const n = b.t.length;
      if (n > 0 && t <= b.t[n - 1]!) b.sorted = false;
      b.t.push(t);
      b.v.push(v);
      this.held++;
    }
  }

  finish(): MetricStore {
    const series: StoredSeries[] = [];
    const byName = new Map<string, StoredSeries[]>();
    let sampleCount = 0;
    let minT = Infinity;
    let maxT = -Infinity;
    for (const b of this.byKey.values()) {
      let t: Float64Array = Float64Array.from(b.t);
      let v: Float64Array = Float64Array.from(b.v);
      if (!b.sorted) [t, v] = sortDedupe(t, v);
      const resets: number[] = [];
      for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) resets.push(i);
      const s: StoredSeries = { key: b.key, name: b.name, labels: b.labels, t, v, resets: Int32Array.from(resets) };
      series.push(s);
      let list = byName.get(s.name);
      if (!list) byName.set(s.name, (list = []));
      list.push(s);
      sampleCount += t.length;
      if (t.length) {
        minT = Math.min(minT, t[0]!);
        maxT = Math.max(maxT, t[t.length - 1]!);
      }
    }
    return { series, byName, families: this.families, sampleCount, minT, maxT, bytes: this.bytes };
  }
}

/** The family a sample name belongs to, given the declared families. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function familyOf(name: string, families: Map<string, MetricMetadata>): MetricMetadata | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suf of FAMILY_SUFFIXES) {
    if (name.endsWith(suf)) {
      const f = families.get(name.slice(0, -suf.length));
      if (f) return f;
    }
  }
  return undefined;
}

/** `b` when the line at [start, stop) begins with b's series text and a blank. */
function startsWithSeries(text: string, start: number, stop: number, b: Builder | undefined): Builder | undefined {
  if (b === undefined) return undefined;
  const end = start + b.raw.length;
  // `substring ===` compares in one memcmp; `startsWith(s, pos)` measured 8x slower on long prefixes.
  return end < stop && isBlank(text.charCodeAt(end)) && text.substring(start, end) === b.raw ? b : undefined;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Exact fast path for plain decimals ("123", "-0.25", "1700000000.123"): with at most 15 significant
 * digits and 22 fraction digits, integer / 10^k is correctly rounded, i.e. identical to Number(text)
 * (Clinger's fast path). Anything else (exponents, Inf, NaN, long mantissas) returns undefined.
 */
function fastDecimal(text: string, from: number, to: number): number | undefined {
  let i = from;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  if (i >= to) return undefined;
  let mant = 0;
  let digits = 0;
  let frac = -1;
  let sig = 0;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (mant > 0) sig++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return undefined;
  }
  if (digits === 0 || sig > 15 || frac > 22) return undefined;
  const v = frac > 0 ? mant / POW10[frac]! : mant;
  return neg ? -v : v;
}

/** A sample value as the text formats write it (`+Inf`, `NaN`… included); undefined when it is none. */
export function parseValue(s: string): number | undefined {
  switch (s) {
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
    case 'NaN':
    case 'nan':
      return NaN;
  }
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

/** Parses `{a="x",b="y"}` between [from, to) (from at `{` or at the end of the name). */
function parseLabels(text: string, from: number, to: number, name: string): Record<string, string> | string {
  const labels: Record<string, string> = { __name__: name };
  if (from >= to || text.charCodeAt(from) !== 123) return labels;
  let i = from + 1;
  const end = to - 1; // position of `}`
  while (i < end) {
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 44)) i++;
    if (i >= end) break;
    const ls = i;
    while (i < end && text.charCodeAt(i) !== 61 && text.charCodeAt(i) !== 32) i++;
    const lname = text.slice(ls, i);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(lname)) return `invalid label name "${lname}" in ${text.slice(from - name.length, to)}`;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) !== 61) return `expected "=" after label ${lname}`;
    i++;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) !== 34) return `expected a quoted value for label ${lname}`;
    i++;
    let val = '';
    let seg = i;
    while (i < end && text.charCodeAt(i) !== 34) {
      if (text.charCodeAt(i) === 92) {
        val += text.slice(seg, i);
        const n = text[i + 1];
        val += n === 'n' ? '\n' : n === '\\' ? '\\' : n === '"' ? '"' : `\\${n ?? ''}`;
        i += 2;
        seg = i;
        continue;
      }
      i++;
    }
    if (i >= end) return `unterminated value for label ${lname}`;
    val += text.slice(seg, i);
    i++;
    if (lname in labels && lname !== '__name__') return `duplicate label ${lname}`;
    labels[lname] = val;
  }
  return labels;
}

/** A label set written `{a="x", b="y"}` on its own (a `promtool tsdb dump` line's, `__name__` inside). */
export function parseLabelSet(braced: string): Record<string, string> | string {
  const labels = parseLabels(braced, 0, braced.length, '');
  if (typeof labels !== 'string' && labels.__name__ === '') delete labels.__name__;
  return labels;
}

/** Any text as a name PromQL can select (its classic charset; a leading digit, or nothing, prefixed with `_`). */
export function promqlMetricName(text: string): string {
  return text.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^(\d|$)/, '_$1');
}

/** The name given to series a saved answer leaves unnamed (an expression's): its file's, without extensions. */
export function fileMetricName(file: string): string {
  const stem = path.basename(file).replace(/(\.json)?(\.gz)?$/i, '');
  return stem ? promqlMetricName(stem) : 'query';
}

function unescapeText(s: string): string {
  return s.replace(/\\(n|\\|")/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Canonical series key: labels sorted by name. */
export function seriesKey(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  let k = '';
  for (const n of names) k += `${n}\xff${labels[n]}\xfe`;
  return k;
}

/** Sorts samples by time; for duplicate timestamps the last written value wins. */
function sortDedupe(t: Float64Array, v: Float64Array): [Float64Array, Float64Array] {
  const idx = Array.from(t.keys()).sort((a, b) => t[a]! - t[b]! || a - b);
  const ot: number[] = [];
  const ov: number[] = [];
  for (const i of idx) {
    if (ot.length && ot[ot.length - 1] === t[i]) ov[ov.length - 1] = v[i]!;
    else {
      ot.push(t[i]!);
      ov.push(v[i]!);
    }
  }
  return [Float64Array.from(ot), Float64Array.from(ov)];
}

/** Convenience: parse one text into a store. */
export function parseOpenMetrics(text: string, file = '<text>'): { store: MetricStore; problems: string[] } {
  const b = new MetricStoreBuilder();
  const problems = b.add(file, text);
  return { store: b.finish(), problems };
}
