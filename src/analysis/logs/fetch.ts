// Fetching log lines for the log tools from any LogSource, with bounds, and the local filters that a
// LogQL pipeline would apply (level, fields, pattern include/exclude), so bundles and Loki answer alike.
import type { LogQuery, LogRecord, LogSource, TimeRange } from '../../sources/types.js';
import { LokiLogSource } from '../../sources/remote/loki.js';
import { renderLogQL, serviceSelector, type LogQLQuery } from '../../query/logql.js';
import { detectLevel, normalizeLevel } from './level.js';
import { extractFields } from './fields.js';
import { matchesLokiPattern } from './shift.js';
import { compileSafeRegex, type SafeRegex } from '../../util/regex.js';
import { Ticker } from '../../util/yield.js';

export const MAX_LINE_CHARS_SHOWN = 500;

export interface LineFilters {
  service?: string;
  contains?: string[];
  notContains?: string[];
  caseSensitive?: boolean;
  regex?: string;
  levels?: string[];
  fields?: Record<string, string>;
  includePatterns?: string[];
  excludePatterns?: string[];
  traceId?: string;
}

export class FilterError extends Error {}

/**
 * Compiles the regex up front so a bad one is a clear error, not a crash halfway. RE2 (linear time):
 * the pattern comes from a user or a model and is run over every scanned line.
 */
export function compileRegex(regex: string | undefined, caseSensitive: boolean): SafeRegex | undefined {
  if (regex === undefined || regex === '') return undefined;
  try {
    return compileSafeRegex(regex, { caseInsensitive: !caseSensitive });
  } catch (e) {
    throw new FilterError((e as Error).message);
  }
}

/** The LogQL that expresses these filters (what Loki would run; what a user can paste into Explore). */
export function filtersToLogQL(f: LineFilters): LogQLQuery {
  const ci = f.caseSensitive === false;
  const q: LogQLQuery = { selector: serviceSelector(f.service), lineFilters: [], labelFilters: [] };
  for (const c of f.contains ?? []) q.lineFilters!.push({ op: '|=', value: c, caseInsensitive: ci });
  for (const c of f.notContains ?? []) q.lineFilters!.push({ op: '!=', value: c, caseInsensitive: ci });
  if (f.regex) q.lineFilters!.push({ op: '|~', value: f.regex, caseInsensitive: ci });
  if (f.traceId) q.lineFilters!.push({ op: '|=', value: f.traceId });
  if (f.includePatterns?.length) q.patternInclude = f.includePatterns;
  if (f.excludePatterns?.length) q.patternExclude = f.excludePatterns;
  if (f.levels?.length) {
    const lv = [...new Set(f.levels.map(normalizeLevel))];
    q.labelFilters!.push(lv.length === 1 ? { name: 'detected_level', op: '=', value: lv[0]! } : { name: 'detected_level', op: '=~', value: lv.join('|') });
  }
  const fieldEntries = Object.entries(f.fields ?? {});
  if (fieldEntries.length) {
    // Body fields need a parser; try both like Logs Drilldown does, keeping lines one parser cannot read.
    q.parsers = ['json', 'logfmt'];
    q.dropParseErrors = true;
    for (const [k, v] of fieldEntries) q.labelFilters!.push({ name: k, op: '=', value: v });
  }
  return q;
}

/** Applies the filters that the source did not (levels, fields, patterns, case-insensitive text…). */
export function makeLocalFilter(f: LineFilters): (r: LogRecord) => boolean {
  const cs = f.caseSensitive !== false;
  const contains = (f.contains ?? []).map((s) => (cs ? s : s.toLowerCase()));
  const notContains = (f.notContains ?? []).map((s) => (cs ? s : s.toLowerCase()));
  const re = compileRegex(f.regex, cs);
  const levels = f.levels?.length ? new Set(f.levels.map(normalizeLevel)) : undefined;
  const fields = Object.entries(f.fields ?? {});
  const traceId = f.traceId?.toLowerCase().replace(/^0+/, '');
  return (r) => {
    if (f.service !== undefined && r.service !== f.service) return false;
    const body = cs ? r.body : r.body.toLowerCase();
    for (const c of contains) if (!body.includes(c)) return false;
    for (const c of notContains) if (body.includes(c)) return false;
    if (re && !re.test(r.body)) return false;
    if (traceId && (r.traceId ?? '').replace(/^0+/, '') !== traceId && !r.body.toLowerCase().includes(traceId)) return false;
    if (levels && !levels.has(detectLevel(r))) return false;
    if (fields.length) {
      const fx = extractFields(r);
      for (const [k, v] of fields) {
        const got = fx.get(k)?.value ?? (r.resource[k] !== undefined ? String(r.resource[k]) : undefined);
        if (got !== v) return false;
      }
    }
    if (f.includePatterns?.length || f.excludePatterns?.length) {
      // Exactly what Loki's `|>` / `!>` keep: mined patterns preserve the line's whitespace.
      if (f.includePatterns?.length && !f.includePatterns.some((p) => matchesLokiPattern(r.body, p))) return false;
      if (f.excludePatterns?.some((p) => matchesLokiPattern(r.body, p))) return false;
    }
    return true;
  };
}

export interface FetchResult {
  records: LogRecord[];
  /** True when the source capped the answer (more lines exist). */
  capped: boolean;
  notes: string[];
  /** The LogQL that was (or would be) run. */
  logql: string;
}

/**
 * Lines of a range matching the filters. On Loki the whole pipeline is pushed down (LogQL) and the
 * answer is bounded by `limit`; on a bundle every record is scanned in memory.
 */
export async function fetchLines(src: LogSource, range: TimeRange, f: LineFilters, opts: { limit: number; direction?: 'backward' | 'forward'; signal?: AbortSignal }): Promise<FetchResult> {
  const logql = filtersToLogQL(f);
  const expr = renderLogQL(logql);
  const local = makeLocalFilter(f);
  if (src instanceof LokiLogSource) {
    const set = await src.fetch(expr, range, opts.limit, opts.direction ?? 'backward', opts.signal);
    // Loki evaluated the pipeline; the local filter only re-checks what it may have missed (trace ids in metadata).
    const records = set.records.filter(local);
    if (records.length === 0 && f.levels?.length) {
      // Loki before 3.1, or with discover_log_levels off, has no detected_level: filter levels here instead.
      const noLevel = renderLogQL(filtersToLogQL({ ...f, levels: undefined }));
      const again = await src.fetch(noLevel, range, opts.limit, opts.direction ?? 'backward', opts.signal);
      const kept = again.records.filter(local);
      if (kept.length) return { records: kept, capped: again.truncated, notes: [...again.notes, 'Loki has no detected_level for these lines: levels were detected here from the text'], logql: noLevel };
    }
    return { records, capped: set.truncated, notes: set.notes, logql: expr };
  }
  const q: LogQuery = { range, service: f.service, direction: opts.direction ?? 'backward' };
  const set = await src.queryLogs(q, opts.signal);
  // The local filter (fields, patterns, regex) costs microseconds a line: yield between batches.
  const tick = new Ticker(10_000, opts.signal);
  const records: LogRecord[] = [];
  for (const r of set.records) {
    if (tick.due()) await tick.pause();
    if (local(r)) records.push(r);
  }
  return { records, capped: set.truncated, notes: set.notes, logql: expr };
}

/** Replaces control characters and invalid text (binary junk) and cuts huge lines; reports what it did. */
export function cleanLine(line: string, max = MAX_LINE_CHARS_SHOWN): { text: string; cut: number; binary: boolean } {
  let binary = false;
  // eslint-disable-next-line no-control-regex
  let text = line.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, () => {
    binary = true;
    return '�';
  });
  let cut = 0;
  if (text.length > max) {
    cut = text.length - max;
    text = `${text.slice(0, max)}… [+${cut} chars]`;
  }
  return { text, cut, binary };
}
