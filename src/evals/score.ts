// Scoring one investigation report against a bundle's known root cause (`truth` in incident.yaml).
// Everything here reads the report only as a user would: the ranked suspects, then the findings.
import type { Finding, FindingKind, Report } from '../agent/findings.js';

export interface Truth {
  service: string;
  fault: string;
  span?: string;
  function?: string;
  file?: string;
}

export interface CaseScore {
  /** Services in the order the report blames them (suspects first, then findings by score). */
  ranked: string[];
  /** 1-based rank of the truth service, undefined when absent. */
  rank?: number;
  top1: boolean;
  top3: boolean;
  /** Fault kind recognised: undefined when the fault type has no mapping (not counted). */
  kindMatch?: boolean;
  expectedKinds: FindingKind[];
  /** Whether truth.span / function / file appear among the findings (undefined when truth has none). */
  span?: boolean;
  function?: boolean;
  file?: boolean;
  /** Report language equals the question language. */
  langOk: boolean;
  reportLang: string;
  /** Pass = every required check holds (default: top-1, fault kind, language, span, function, file; see DEFAULT_REQUIRE). */
  pass: boolean;
}

/**
 * How a fault type (truth.fault) shows up in findings. Documented, general mapping by symptom family:
 * a code fault that throws or returns a wrong value surfaces as errors (spans/logs) or a shift in
 * log patterns; resource faults (CPU, memory, network, locks, slow queries) as latency, metric
 * anomalies or hot functions. Each entry: a test on the normalised fault name, the finding kinds
 * that count as a match, and catalogue hint ids that count too.
 */
export const FAULT_KINDS: Array<{ test: RegExp; kinds: FindingKind[]; hints: RegExp; why: string }> = [
  {
    test: /exception|error|crash|panic|duplicate|constraint|unique|http_?5\d\d|abort|fail/,
    kinds: ['error', 'log-pattern', 'code-path'],
    hints: /constraint|unique|idempot|exception|retry|error/,
    why: 'thrown errors and constraint violations appear as error spans/log lines, new error log patterns, or a handler cut short (fewer calls and steps per request)',
  },
  {
    test: /return|wrong_?value|corrupt|data/,
    kinds: ['error', 'log-pattern', 'code-path'],
    hints: /error|retry|validation/,
    why: 'a wrong return value fails a later step (errors in callers), changes what gets logged, or changes what the caller does next',
  },
  {
    test: /retry|storm/,
    kinds: ['error', 'latency', 'metric-anomaly'],
    hints: /retry|timeout|backoff/,
    why: 'a retry storm multiplies calls to the retried service: timeouts and errors on the calls, latency, request-rate metrics',
  },
  {
    test: /cpu|contention|consum|throttl/,
    kinds: ['latency', 'metric-anomaly', 'hot-function'],
    hints: /cpu|lock|contention|hot|regex|json|serial/,
    why: 'CPU starvation slows spans, raises CPU metrics and shows in profiles',
  },
  {
    test: /lock|mutex/,
    kinds: ['hot-function', 'latency'],
    hints: /lock|mutex|contention/,
    why: 'lock contention shows as hot lock functions and slow spans',
  },
  {
    test: /memory|oom|leak|gc|alloc/,
    kinds: ['metric-anomaly', 'hot-function', 'latency'],
    hints: /alloc|gc|memory/,
    why: 'memory pressure raises memory metrics and GC/allocation hot functions',
  },
  {
    test: /network|delay|latency|slow|timeout|loss|full_?scan|index|query|pool/,
    kinds: ['latency', 'metric-anomaly', 'error'],
    hints: /index|scan|timeout|pool|n\+1|n_plus|latency/,
    why: 'network delay and slow queries lengthen spans (and may time out into errors)',
  },
];

export function expectedFor(fault: string): { kinds: FindingKind[]; hints: RegExp } | undefined {
  const f = fault.toLowerCase().replace(/[\s-]+/g, '_');
  const e = FAULT_KINDS.find((x) => x.test.test(f));
  return e ? { kinds: e.kinds, hints: e.hints } : undefined;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** Services in blame order: the report's suspects, then services of findings by descending score. */
export function rankedServices(report: Report): string[] {
  const out: string[] = [];
  const add = (s: string | undefined) => {
    if (s && !out.some((x) => norm(x) === norm(s))) out.push(s);
  };
  for (const s of report.suspects ?? []) add(s.service);
  const byScore = [...(report.findings ?? [])].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  for (const f of byScore) add(f.service);
  return out;
}

/** All text a finding exposes that could name a span, function or file. */
function findingTexts(f: Finding): string[] {
  const t = [f.title, ...Object.values(f.details ?? {})];
  if (f.source) t.push(f.source.path, f.source.function ?? '', `${f.source.repo}/${f.source.path}`);
  for (const v of Object.values(f.numbers ?? {})) if (typeof v === 'string') t.push(v);
  return t.filter(Boolean).map(norm);
}

function appears(report: Report, needle: string, asPath = false): boolean {
  const n = norm(needle);
  const strip = (p: string) => p.replace(/^\.?\/+/, '');
  return (report.findings ?? []).some((f) =>
    findingTexts(f).some((t) => {
      if (t.includes(n)) return true;
      // Paths: a finding may carry a longer or shorter repository-relative path for the same file.
      return asPath && (strip(t).endsWith(strip(n)) || strip(n).endsWith(strip(t)) && strip(t).includes('/'));
    }),
  );
}

export function baseLang(l: string | undefined): string {
  return (l ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
}

/** Checks a case can require to pass. Applicable checks only: a truth without `span` cannot fail `span`. */
export const CHECKS = ['top1', 'top3', 'kind', 'lang', 'span', 'function', 'file'] as const;
export type Check = (typeof CHECKS)[number];
/** Default: the root cause first, in the question's language, with every applicable detail found. */
export const DEFAULT_REQUIRE: Check[] = ['top1', 'kind', 'lang', 'span', 'function', 'file'];

export function passes(s: Omit<CaseScore, 'pass'>, require: readonly Check[] = DEFAULT_REQUIRE): boolean {
  const value: Record<Check, boolean | undefined> = { top1: s.top1, top3: s.top3, kind: s.kindMatch, lang: s.langOk, span: s.span, function: s.function, file: s.file };
  return require.every((c) => value[c] !== false);
}

export function scoreReport(report: Report, truth: Truth, questionLang: string, require: readonly Check[] = DEFAULT_REQUIRE): CaseScore {
  const ranked = rankedServices(report);
  const idx = ranked.findIndex((s) => norm(s) === norm(truth.service));
  const rank = idx >= 0 ? idx + 1 : undefined;
  const expected = expectedFor(truth.fault);
  let kindMatch: boolean | undefined;
  if (expected) {
    const onTruth = (f: Finding) => norm(f.service) === norm(truth.service);
    const idxOnTruth = new Set((report.findings ?? []).map((f, i) => (onTruth(f) ? i : -1)).filter((i) => i >= 0));
    kindMatch =
      (report.findings ?? []).some((f) => onTruth(f) && expected.kinds.includes(f.kind)) ||
      (report.findings ?? []).some((f) => onTruth(f) && (f.hints ?? []).some((h) => expected.hints.test(h))) ||
      (report.hints ?? []).some((h) => expected.hints.test(h.id) && h.findings.some((i) => idxOnTruth.has(i)));
  }
  const span = truth.span ? appears(report, truth.span) : undefined;
  const fn = truth.function ? appears(report, truth.function) : undefined;
  const file = truth.file ? appears(report, truth.file, true) : undefined;
  const langOk = baseLang(report.lang) === baseLang(questionLang);
  const top1 = rank === 1;
  const base = { ranked, rank, top1, top3: rank !== undefined && rank <= 3, kindMatch, expectedKinds: expected?.kinds ?? [], span, function: fn, file, langOk, reportLang: report.lang };
  return { ...base, pass: passes(base, require) };
}
