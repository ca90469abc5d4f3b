// A LogQL pipeline over one line at a time, with Loki's semantics: line filters (RE2), the json, logfmt,
// pattern and regexp parsers (a parsed key that collides with an existing label gets `_extracted`, a
// line a parser cannot read gets `__error__`), label filters (anchored RE2, numbers, durations, bytes;
// a conversion error keeps the line and sets `__error__`), line_format, drop/keep and decolorize.
import type { RE2JS } from 're2js';
import { lazyRequire } from '../../util/lazy.js';
import { compileSafeRegex, MAX_PATTERN_CHARS, type SafeRegex } from '../../util/regex.js';
import { LokiLineFilter, parsePattern, type PatternPart } from '../../analysis/logs/lokipattern.js';
import { sanitizeLabelName } from '../logql.js';
import type { LabelFilterExpr, LabelMatcher, Stage } from './ast.js';
import { compare, compileLabelMatcher } from '../operators.js';
import { goDurationSeconds, parseBytes } from './parse.js';
import { LogQLError } from './errors.js';
import { compileTemplate } from './template.js';

const re2 = lazyRequire<typeof import('re2js')>('re2js');

/** One line on its way through the pipeline. */
export interface Entry {
  tsMs: number;
  line: string;
  stream: Record<string, string>;
  metadata: Record<string, string>;
  parsed: Record<string, string>;
  /** Labels removed by `drop` (or not kept by `keep`). */
  dropped?: Set<string>;
}

export function labelOf(e: Entry, name: string): string | undefined {
  if (e.dropped?.has(name)) return undefined;
  return e.parsed[name] ?? e.metadata[name] ?? e.stream[name];
}

/** All labels of an entry, as Loki returns them without categorize-labels (one merged set). */
export function allLabels(e: Entry): Record<string, string> {
  const out: Record<string, string> = { ...e.stream, ...e.metadata, ...e.parsed };
  if (e.dropped) for (const d of e.dropped) delete out[d];
  return out;
}

function compile(pattern: string): SafeRegex {
  try {
    return compileSafeRegex(pattern);
  } catch (e) {
    throw new LogQLError((e as Error).message);
  }
}

/** Label matchers are anchored RE2, as in Loki. */
export function compileMatcher(m: LabelMatcher): (v: string) => boolean {
  try {
    return compileLabelMatcher(m);
  } catch (e) {
    throw new LogQLError((e as Error).message);
  }
}

type Step = (e: Entry) => boolean;

/** Compiles the stages; the function returns false when the line is filtered out. */
export function compilePipeline(stages: Stage[]): (e: Entry) => boolean {
  const steps = stages.map(compileStage);
  return (e) => {
    for (const s of steps) if (!s(e)) return false;
    return true;
  };
}

function setParsed(e: Entry, key: string, value: string): void {
  let k = sanitizeLabelName(key);
  // Loki keeps the original label and names the parsed one `<key>_extracted`.
  if (e.stream[k] !== undefined || e.metadata[k] !== undefined) k = `${k}_extracted`;
  e.parsed[k] = value;
}

function setError(e: Entry, kind: string, details: string): void {
  if (e.parsed.__error__ !== undefined) return;
  e.parsed.__error__ = kind;
  e.parsed.__error_details__ = details;
}

function compileStage(s: Stage): Step {
  switch (s.kind) {
    case 'line':
      return lineFilter(s.filter.op, s.filter.values);
    case 'json':
      return s.params ? jsonParams(s.params) : jsonAll;
    case 'logfmt':
      return logfmtStage(s.strict, s.keepEmpty, s.params);
    case 'pattern':
      return patternStage(s.pattern);
    case 'regexp':
      return regexpStage(s.regex);
    case 'labels': {
      const f = labelFilter(s.filter);
      return f;
    }
    case 'line_format': {
      const t = compileTemplate(s.template);
      return (e) => {
        e.line = t((name) => labelOf(e, name), e.line, e.tsMs);
        return true;
      };
    }
    case 'drop':
    case 'keep': {
      const ms = s.matchers.map((m) => ({ name: m.name, test: compileMatcher(m) }));
      const names = new Set(s.names);
      return (e) => {
        const labels = allLabels(e);
        for (const [k, v] of Object.entries(labels)) {
          const listed = names.has(k) || ms.some((m) => m.name === k && m.test(v));
          if (s.kind === 'drop' ? listed : !listed && !(k in e.stream)) (e.dropped ??= new Set()).add(k);
        }
        return true;
      };
    }
    case 'decolorize':
      return (e) => {
        // ANSI SGR and other CSI sequences.
        e.line = e.line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
        return true;
      };
  }
}

function lineFilter(op: string, values: string[]): Step {
  switch (op) {
    case '|=':
      return (e) => values.some((v) => e.line.includes(v));
    case '!=':
      return (e) => !values.some((v) => e.line.includes(v));
    case '|~':
    case '!~': {
      const rs = values.map((v) => compile(v));
      return op === '|~' ? (e) => rs.some((r) => r.test(e.line)) : (e) => !rs.some((r) => r.test(e.line));
    }
    default: {
      let fs: LokiLineFilter[];
      try {
        fs = values.map((v) => new LokiLineFilter(v));
      } catch (err) {
        throw new LogQLError((err as Error).message);
      }
      return op === '|>' ? (e) => fs.some((f) => f.test(e.line)) : (e) => !fs.some((f) => f.test(e.line));
    }
  }
}

// ---------------------------------------------------------------- json

function jsonValue(v: unknown): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function flatten(e: Entry, obj: Record<string, unknown>, prefix: string): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(e, v as Record<string, unknown>, key);
    else {
      const s = jsonValue(v);
      if (s !== undefined) setParsed(e, key, s);
    }
  }
}

function parseJsonLine(e: Entry): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(e.line);
  } catch (err) {
    setError(e, 'JSONParserErr', (err as Error).message);
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    setError(e, 'JSONParserErr', 'Value looks like object, but can\'t find closing \'}\' symbol');
    return undefined;
  }
  return v as Record<string, unknown>;
}

const jsonAll: Step = (e) => {
  const v = parseJsonLine(e);
  if (v) flatten(e, v, '');
  return true;
};

/** `a.b`, `a[0]`, `["a.b"].c`: Loki's JSON expression paths. */
function jsonPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < path.length && (re.lastIndex = at, (m = re.exec(path)))) {
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
    at = re.lastIndex;
  }
  if (at !== path.length) throw new LogQLError(`invalid JSON expression path "${path}"`);
  return out;
}

function jsonParams(params: Array<{ label: string; path: string }>): Step {
  const paths = params.map((p) => ({ label: p.label, path: jsonPath(p.path) }));
  return (e) => {
    const v = parseJsonLine(e);
    if (!v) return true;
    for (const p of paths) {
      let cur: unknown = v;
      for (const k of p.path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined;
      const s = cur !== null && typeof cur === 'object' ? JSON.stringify(cur) : jsonValue(cur);
      setParsed(e, p.label, s ?? '');
    }
    return true;
  };
}

// ---------------------------------------------------------------- logfmt

/** go-logfmt's reading of a line: `k=v`, `k="quoted \" value"`, bare `k`. Returns undefined on a syntax error. */
export function parseLogfmt(line: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n && line[i] !== '=' && line.charCodeAt(i) > 32 && line[i] !== '"') i++;
    const key = line.slice(ks, i);
    if (!key) return undefined;
    if (line[i] !== '=') {
      out.push([key, '']);
      continue;
    }
    i++;
    if (line[i] === '"') {
      let v = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (c === '\\' && i + 1 < n) {
          const d = line[i + 1]!;
          v += d === 'n' ? '\n' : d === 't' ? '\t' : d === 'r' ? '\r' : d;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        v += c;
        i++;
      }
      if (!closed) return undefined;
      out.push([key, v]);
    } else {
      const vs = i;
      while (i < n && line.charCodeAt(i) > 32) {
        if (line[i] === '"' || line[i] === '=') return undefined;
        i++;
      }
      out.push([key, line.slice(vs, i)]);
    }
  }
  return out;
}

function logfmtStage(strict: boolean, keepEmpty: boolean, params?: Array<{ label: string; path: string }>): Step {
  return (e) => {
    const pairs = parseLogfmt(e.line);
    if (!pairs) {
      // Non-strict logfmt keeps what it could read before the error; strict reports it.
      if (strict) {
        setError(e, 'LogfmtParserErr', 'logfmt syntax error');
        return true;
      }
      const partial = parseLogfmt(e.line.slice(0, lastGoodLogfmt(e.line)));
      if (partial) apply(e, partial);
      return true;
    }
    apply(e, pairs);
    return true;
  };
  function apply(e: Entry, pairs: Array<[string, string]>) {
    if (params) {
      const byKey = new Map(pairs);
      for (const p of params) {
        const v = byKey.get(p.path);
        if (v !== undefined && (v !== '' || keepEmpty)) setParsed(e, p.label, v);
      }
      return;
    }
    for (const [k, v] of pairs) if (v !== '' || keepEmpty) setParsed(e, k, v);
  }
}

/** Length of the longest prefix of whole `k=v` tokens that logfmt reads. */
function lastGoodLogfmt(line: string): number {
  let best = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line.charCodeAt(i) <= 32) {
      if (parseLogfmt(line.slice(0, i))) best = i;
    }
  }
  return best;
}

// ---------------------------------------------------------------- pattern, regexp

/** Captures of Loki's pattern parser: literals found left to right, captures take what lies between. */
export function patternCaptures(parts: PatternPart[], line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let off = 0;
  let pending: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('cap' in p) {
      pending = p.cap;
      continue;
    }
    const j = line.indexOf(p.lit, off);
    if (j < 0) return out;
    if (pending !== undefined) {
      if (pending !== '_') out.push([pending, line.slice(off, j)]);
      pending = undefined;
    }
    off = j + p.lit.length;
  }
  if (pending !== undefined && pending !== '_') out.push([pending, line.slice(off)]);
  return out;
}

function patternStage(pattern: string): Step {
  const parts = parsePattern(pattern);
  if (!parts.some((p) => 'cap' in p && p.cap !== '_')) throw new LogQLError(`pattern ${JSON.stringify(pattern)} has no named capture such as <status>`);
  for (let i = 1; i < parts.length; i++) if ('cap' in parts[i]! && 'cap' in parts[i - 1]!) throw new LogQLError(`pattern ${JSON.stringify(pattern)}: two captures in a row cannot be told apart; put literal text between them`);
  return (e) => {
    for (const [k, v] of patternCaptures(parts, e.line)) setParsed(e, k, v);
    return true;
  };
}

function regexpStage(regex: string): Step {
  if (regex.length > MAX_PATTERN_CHARS) throw new LogQLError(`regexp too long (${regex.length} characters)`);
  let re: RE2JS;
  try {
    re = re2().RE2JS.compile(regex);
  } catch (e) {
    throw new LogQLError(`invalid regexp ${JSON.stringify(regex)} (RE2 syntax): ${(e as Error).message}`);
  }
  const named = Object.entries(re.namedGroups() as Record<string, number>);
  if (!named.length) throw new LogQLError(`regexp ${JSON.stringify(regex)} has no named group such as (?P<status>\\d+)`);
  return (e) => {
    const m = re.matcher(e.line);
    if (!m.find()) return true;
    for (const [name, idx] of named) setParsed(e, name, m.group(idx) ?? '');
    return true;
  };
}

// ---------------------------------------------------------------- label filters

function labelFilter(f: LabelFilterExpr): Step {
  switch (f.kind) {
    case 'and': {
      const l = labelFilter(f.left);
      const r = labelFilter(f.right);
      return (e) => l(e) && r(e);
    }
    case 'or': {
      const l = labelFilter(f.left);
      const r = labelFilter(f.right);
      return (e) => l(e) || r(e);
    }
    case 'match': {
      const t = compileMatcher(f.matcher);
      return (e) => t(labelOf(e, f.matcher.name) ?? '');
    }
    case 'compare':
      return (e) => {
        // After a parse error, only string matchers can filter the line (Loki keeps it here).
        if (e.parsed.__error__ !== undefined) return true;
        const raw = labelOf(e, f.name);
        if (raw === undefined) return false;
        const v = f.unit === 'duration' ? goDurationSeconds(raw) : f.unit === 'bytes' ? parseBytes(raw) : raw.trim() === '' ? NaN : Number(raw);
        if (v === undefined || Number.isNaN(v)) {
          setError(e, 'LabelFilterErr', `cannot read ${f.name}="${raw.slice(0, 100)}" as a ${f.unit}`);
          return true;
        }
        return compare(f.op, v, f.value);
      };
  }
}

