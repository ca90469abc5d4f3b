// The ways a fuzz case damages a copy of a real bundle. Each kind says which files it applies to and
// changes one of them (or incident.yaml) in place; what it did is returned as a note for the report.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Label, Profile } from 'pprof-format';
import YAML from 'yaml';
import type { Rng } from './rng.js';
import { findSpans, timeFactor, type SpanView } from './json-spans.js';

export interface Mutation {
  /** Whether the kind can change this file (path relative to the bundle). */
  applies(rel: string, bytes: Buffer): boolean;
  /** Changes the file; returns what was done, and the file's new name when it was renamed. */
  apply(dir: string, rel: string, rng: Rng): { note: string; rel?: string };
}

const isGz = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const NOT_TELEMETRY = /(^|\/)(incident\.yaml|README\.md)$|^source\//;
const telemetry = (rel: string) => !NOT_TELEMETRY.test(rel);

function plain(bytes: Buffer): Buffer {
  if (!isGz(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    return bytes;
  }
}

/** Reads a file's content (gunzipped), lets `f` change it, writes it back gzipped when it was. */
function edit(dir: string, rel: string, f: (content: Buffer) => Buffer): void {
  const file = path.join(dir, rel);
  const raw = readFileSync(file);
  const out = f(plain(raw));
  writeFileSync(file, isGz(raw) ? gzipSync(out) : out);
}

function editJson(dir: string, rel: string, f: (doc: unknown) => string): string {
  let note = '';
  edit(dir, rel, (c) => {
    const text = c.toString('utf8');
    // JSON Lines: one document per line; the mutation takes the first.
    let doc: unknown;
    try {
      doc = JSON.parse(text);
      note = f(doc);
      return Buffer.from(JSON.stringify(doc));
    } catch {
      const lines = text.split('\n').filter((l) => l.trim());
      const docs = lines.map((l) => JSON.parse(l) as unknown);
      note = f(docs);
      return Buffer.from(docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    }
  });
  return note;
}

function jsonDoc(bytes: Buffer): unknown {
  const text = plain(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    try {
      return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
    } catch {
      return undefined;
    }
  }
}

const hasSpans = (rel: string, b: Buffer) => telemetry(rel) && findSpans(jsonDoc(b)).length >= 2;

function spanMutation(f: (spans: SpanView[], rng: Rng) => string): Mutation {
  return {
    applies: hasSpans,
    apply: (dir, rel, rng) => ({ note: editJson(dir, rel, (doc) => f(findSpans(doc), rng)) }),
  };
}

/** Two spans of the same trace (the first trace with two), else any two. */
function twoOfATrace(spans: SpanView[], rng: Rng): [SpanView, SpanView] {
  const byTrace = new Map<string, SpanView[]>();
  for (const s of spans) byTrace.set(s.trace(), [...(byTrace.get(s.trace()) ?? []), s]);
  const multi = [...byTrace.values()].filter((g) => g.length >= 2);
  const g = multi.length ? rng.pick(multi) : spans;
  const i = rng.int(g.length);
  let j = rng.int(g.length - 1);
  if (j >= i) j++;
  return [g[i]!, g[j]!];
}

function wrongType(v: unknown, rng: Rng): unknown {
  if (Array.isArray(v)) return rng.pick(['x', 42, null, { 0: v[0] }]);
  if (typeof v === 'number') return rng.pick([String(v), null, [v]]);
  if (typeof v === 'string') return rng.pick([Number(v.length), null, [v], { value: v }, true]);
  if (v && typeof v === 'object') return rng.pick([null, 'object', 7, []]);
  return rng.pick(['null', 0, {}]);
}

/** Replaces about one value in `share` below the top level with a value of another type. */
function scrambleTypes(doc: unknown, rng: Rng, share: number): number {
  let n = 0;
  const walk = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (depth > 0 && rng.next() < share) {
          v[i] = wrongType(v[i], rng);
          n++;
        } else walk(v[i], depth + 1);
      }
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if (depth > 0 && rng.next() < share) {
          o[k] = wrongType(o[k], rng);
          n++;
        } else walk(o[k], depth + 1);
      }
    }
  };
  walk(doc, 0);
  return n;
}

/** A text-format sample with a timestamp: series, value, time. */
const OM_SAMPLE = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) ([^ ]+) (\d+(?:\.\d+)?)$/;
/** An epoch time of this century: seconds (with a fraction), ms, µs or ns (2001–2033). */
const EPOCH = /(?<![\d.])(1[0-9]{9}(?:\.[0-9]+)?|1[0-9]{12}|1[0-9]{15}|1[0-9]{18})(?![\d])/;
const HUGE_LINE_BYTES = 24 * 1024 * 1024;
const DEEP_NESTING = 100_000;

export const MUTATIONS: Record<string, Mutation> = {
  truncate: {
    applies: (rel, b) => telemetry(rel) && b.length > 1,
    apply: (dir, rel, rng) => {
      const file = path.join(dir, rel);
      const b = readFileSync(file);
      const at = 1 + rng.int(b.length - 1);
      writeFileSync(file, b.subarray(0, at));
      return { note: `cut at byte ${at} of ${b.length}` };
    },
  },
  'flip-bytes': {
    applies: (rel, b) => telemetry(rel) && b.length > 0,
    apply: (dir, rel, rng) => {
      const file = path.join(dir, rel);
      const b = Buffer.from(readFileSync(file));
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      writeFileSync(file, b);
      return { note: `${n} bit(s) flipped` };
    },
  },
  'garbage-appended': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      const g = rng.bytes(1 + rng.int(4096));
      writeFileSync(path.join(dir, rel), Buffer.concat([readFileSync(path.join(dir, rel)), g]));
      return { note: `${g.length} random bytes appended` };
    },
  },
  'garbage-prepended': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      const g = rng.bytes(1 + rng.int(512));
      writeFileSync(path.join(dir, rel), Buffer.concat([g, readFileSync(path.join(dir, rel))]));
      return { note: `${g.length} random bytes prepended` };
    },
  },
  'empty-file': {
    applies: telemetry,
    apply: (dir, rel) => {
      writeFileSync(path.join(dir, rel), '');
      return { note: 'emptied' };
    },
  },
  'huge-line': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      // A log line or a JSON string of tens of MB, no newline.
      const json = rng.next() < 0.5;
      const body = Buffer.alloc(HUGE_LINE_BYTES, 'a');
      const out = json ? Buffer.concat([Buffer.from('{"resourceSpans":[{"x":"'), body, Buffer.from('"}]}')]) : Buffer.concat([Buffer.from('2025-06-03T10:05:00Z ERROR '), body]);
      writeFileSync(path.join(dir, rel), out);
      return { note: `one ${json ? 'JSON' : 'text'} line of ${(out.length / 1e6).toFixed(0)} MB, no newline` };
    },
  },
  'deep-nesting': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      const open = rng.next() < 0.5 ? '[' : '{"a":';
      writeFileSync(path.join(dir, rel), open.repeat(DEEP_NESTING));
      return { note: `${DEEP_NESTING} × '${open}'` };
    },
  },
  'invalid-utf8': {
    applies: (rel, b) => telemetry(rel) && b.length > 0,
    apply: (dir, rel, rng) => {
      const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])];
      let n = 0;
      edit(dir, rel, (c) => {
        const parts: Buffer[] = [];
        let at = 0;
        const k = 1 + rng.int(6);
        const cuts = Array.from({ length: k }, () => rng.int(c.length + 1)).sort((a, b) => a - b);
        for (const cut of cuts) {
          parts.push(c.subarray(at, cut), rng.pick(bad));
          at = cut;
          n++;
        }
        parts.push(c.subarray(at));
        return Buffer.concat(parts);
      });
      return { note: `${n} invalid UTF-8 sequence(s) inserted` };
    },
  },
  'gzip-garbage': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      // A gzip header (magic, deflate, no flags) and a body of noise, under the file's own name.
      writeFileSync(path.join(dir, rel), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]), rng.bytes(64 + rng.int(4096))]));
      return { note: 'gzip header, random body' };
    },
  },
  'wrong-types': {
    applies: (rel, b) => telemetry(rel) && jsonDoc(b) !== undefined && typeof jsonDoc(b) === 'object',
    apply: (dir, rel, rng) => ({ note: editJson(dir, rel, (doc) => `${scrambleTypes(doc, rng, 0.08 + rng.next() * 0.3)} value(s) of the wrong type`) }),
  },
  'span-times-out-of-range': spanMutation((spans, rng) => {
    const s = rng.pick(spans);
    const f = timeFactor(s);
    const how = rng.int(5);
    const start = s.start();
    if (how === 0) s.setTimes(String(9e15 * f), String(9e15 * f + 1));
    else if (how === 1) s.setTimes(-1_000_000 * f, -1);
    else if (how === 2) s.setTimes(f === 1e6 ? String(start * f) : start * f, f === 1e6 ? String((start - 5000) * f) : -5000 * f);
    else if (how === 3) s.setTimes(0, 0);
    else s.setTimes('1e400', '99999999999999999999999999999');
    return ['year 285000', 'negative times', 'end before start / negative duration', 'zero times', 'numbers past double range'][how]!;
  }),
  'times-out-of-range': {
    // Any epoch time in the text (seconds with a fraction, ms, µs, ns; quoted or not) in logs, metrics, spans.
    applies: (rel, b) => telemetry(rel) && EPOCH.test(plain(b).subarray(0, 1 << 20).toString('latin1')),
    apply: (dir, rel, rng) => {
      let n = 0;
      edit(dir, rel, (c) => {
        const text = c.toString('latin1');
        const all = [...text.matchAll(new RegExp(EPOCH.source, 'g'))];
        const chosen = new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.int(all.length)));
        let out = '';
        let at = 0;
        for (const i of [...chosen].sort((a, b) => a - b)) {
          const m = all[i]!;
          const digits = m[1]!;
          const bad = rng.pick([`9${digits}000000`, `-${digits}`, '0', '1e400', digits.slice(0, 3)]);
          out += text.slice(at, m.index! + m[0].indexOf(digits)) + bad;
          at = m.index! + m[0].indexOf(digits) + digits.length;
          n++;
        }
        return Buffer.from(out + text.slice(at), 'latin1');
      });
      return { note: `${n} time(s) replaced by far-future, negative, zero, huge or tiny numbers` };
    },
  },
  'nan-values': {
    applies: (rel, b) => telemetry(rel) && jsonDoc(b) !== undefined,
    apply: (dir, rel, rng) => {
      // JSON has no NaN: producers write it as a string, or (invalid JSON) as a bare token.
      let n = 0;
      edit(dir, rel, (c) => {
        const bare = rng.next() < 0.3;
        const text = c.toString('utf8').replace(/(:\s*)("?-?\d+(\.\d+)?"?)/g, (m, pre: string) => {
          if (rng.next() > 0.2) return m;
          n++;
          const v = rng.pick(['NaN', 'Infinity', '-Infinity']);
          return `${pre}${bare ? v : `"${v}"`}`;
        });
        return Buffer.from(text);
      });
      return { note: `${n} number(s) replaced by NaN/Infinity` };
    },
  },
  'span-cycle': spanMutation((spans, rng) => {
    const [a, b] = twoOfATrace(spans, rng);
    a.setParent(b.id());
    b.setParent(a.id());
    return `spans ${a.id()} and ${b.id()} each other's parent`;
  }),
  'self-parent': spanMutation((spans, rng) => {
    const a = rng.pick(spans);
    a.setParent(a.id());
    return `span ${a.id()} its own parent`;
  }),
  'duplicate-span-ids': spanMutation((spans, rng) => {
    const [a, b] = twoOfATrace(spans, rng);
    b.setId(a.id());
    return `span id ${a.id()} used twice`;
  }),
  'orphan-spans': spanMutation((spans, rng) => {
    const n = 1 + rng.int(Math.min(5, spans.length));
    for (let i = 0; i < n; i++) rng.pick(spans).setParent(rng.bytes(8).toString('hex'));
    return `${n} span(s) with a parent nobody has`;
  }),
  'single-span-trace': spanMutation((spans, rng) => {
    const a = rng.pick(spans);
    a.setTrace(rng.bytes(16).toString('hex'));
    a.setParent(undefined);
    return `span ${a.id()} alone in a new trace`;
  }),
  'metrics-decreasing-time': {
    applies: (rel, b) => telemetry(rel) && plain(b).subarray(0, 65536).toString('utf8').split('\n').some((l) => OM_SAMPLE.test(l)),
    apply: (dir, rel, rng) => {
      let note = '';
      edit(dir, rel, (c) => {
        const lines = c.toString('utf8').split('\n');
        const samples = lines.map((l, i) => ({ l, i, m: OM_SAMPLE.exec(l) })).filter((x) => x.m);
        const key = rng.pick(samples).m![1]!;
        const mine = samples.filter((x) => x.m![1] === key);
        const repeat = mine.map((x, k) => `${key} ${x.m![2]} ${(Number(x.m![3]) - 15 * (k + 1)).toFixed(3)}`).reverse();
        const eof = lines.findIndex((l) => l.startsWith('# EOF'));
        lines.splice(eof >= 0 ? eof : lines.length, 0, ...repeat);
        note = `series ${key.slice(0, 60)} repeated with ${repeat.length} decreasing timestamps`;
        return Buffer.from(lines.join('\n'));
      });
      return { note };
    },
  },
  'pprof-bad-index': {
    applies: (rel, b) => {
      if (!telemetry(rel)) return false;
      try {
        return Profile.decode(plain(b)).sample.length > 0;
      } catch {
        return false;
      }
    },
    apply: (dir, rel, rng) => {
      let note = '';
      edit(dir, rel, (c) => {
        const p = Profile.decode(c);
        const big = p.stringTable.strings.length + 1000 + rng.int(1e6);
        const how = rng.int(6);
        if (how === 0 && p.function.length) rng.pick(p.function).name = big;
        else if (how === 1 && p.location.length) for (const l of rng.pick(p.location).line) l.functionId = 987654;
        else if (how === 2) rng.pick(p.sample).locationId.push(876543);
        else if (how === 3 && p.sampleType.length) p.sampleType[0]!.type = big;
        else if (how === 4 && p.function.length) rng.pick(p.function).filename = -5;
        else rng.pick(p.sample).label.push(new Label({ key: big, str: big }));
        note = ['function name', 'line function id', 'sample location id', 'sample type', 'function file name (negative)', 'label key'][how]! + ' index out of range';
        return Buffer.from(p.encode());
      });
      return { note };
    },
  },
  'lying-extension': {
    applies: telemetry,
    apply: (dir, rel, rng) => {
      const ext = rng.pick(['.json', '.log', '.pb.gz', '.om', '.prof', '.json.gz', '.binpb', '.folded', '.jsonl']);
      const stem = rel.replace(/(\.[a-z]+)+$/i, '');
      const to = stem + ext === rel ? `${stem}.txt` : stem + ext;
      renameSync(path.join(dir, rel), path.join(dir, to));
      return { note: `renamed to ${to}`, rel: to };
    },
  },
  'incident-unknown-keys': incidentMutation((doc, rng) => {
    doc[`x_${rng.int(1000)}`] = { nested: [1, 2, 3] };
    doc.owner = 'sre';
    doc.window = { ...(doc.window as object), timezone: 'Europe/Paris' };
    return 'unknown keys at the top and in window';
  }),
  'incident-wrong-types': incidentMutation((doc, rng) => {
    const how = rng.int(6);
    if (how === 0) doc.window = { start: 12, end: (doc.window as { end?: unknown } | undefined)?.end ?? 13 };
    else if (how === 1) doc.questions = 'x';
    else if (how === 2) doc.window = 'yesterday';
    else if (how === 3) doc.baseline = [1, 2];
    else if (how === 4) doc.truth = 'checkout';
    else doc.repositories = ['a/b'];
    return ['window.start: 12', 'questions: "x"', 'window: a string', 'baseline: a list', 'truth: a string', 'repositories: a list'][how]!;
  }),
  'incident-missing-fields': incidentMutation((doc, rng) => {
    const keys = Object.keys(doc);
    const gone = keys.filter(() => rng.next() < 0.5);
    for (const k of gone) delete doc[k];
    if (doc.window && rng.next() < 0.5) delete (doc.window as Record<string, unknown>).end;
    return `removed ${gone.join(', ') || 'nothing at the top'}`;
  }),
  'yaml-bomb': {
    applies: () => true,
    apply: (dir) => {
      const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      rows.push('window: {start: "2025-06-03T09:50:00Z", end: "2025-06-03T10:20:00Z"}', 'notes: *i');
      writeFileSync(path.join(dir, 'incident.yaml'), rows.join('\n') + '\n');
      return { note: 'billion laughs: 9 levels of 9 aliases', rel: 'incident.yaml' };
    },
  },
};

function incidentMutation(f: (doc: Record<string, unknown>, rng: Rng) => string): Mutation {
  return {
    applies: () => true,
    apply: (dir, _rel, rng) => {
      const file = path.join(dir, 'incident.yaml');
      let doc: Record<string, unknown> = {};
      try {
        doc = (YAML.parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
      } catch {
        rmSync(file, { force: true });
      }
      const note = f(doc, rng);
      writeFileSync(file, YAML.stringify(doc));
      return { note, rel: 'incident.yaml' };
    },
  };
}

export const CASE_KINDS = Object.keys(MUTATIONS);
