// A typed LogQL builder: callers describe the query, this renders it (never concatenate LogQL by hand).
// Rendered queries are validated in tests with @grafana/lezer-logql.

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type LineOp = '|=' | '!=' | '|~' | '!~';
export type LabelOp = '=' | '!=' | '=~' | '!~' | '>' | '>=' | '<' | '<=';

export interface LogQLQuery {
  /** Stream selector matchers; at least one non-empty matcher is required by Loki. */
  selector: Array<{ name: string; op: MatchOp; value: string }>;
  /** Line filters, in order. `caseInsensitive` renders as `|~ "(?i)…"` with the text escaped. */
  lineFilters?: Array<{ op: LineOp; value: string; caseInsensitive?: boolean }>;
  /** Pattern filters (`|> "a <_> b" or "c <_>"` / `!> "…"`). */
  patternInclude?: string[];
  patternExclude?: string[];
  /** Parsers, in order (`| json | logfmt` tries both, like Logs Drilldown). */
  parsers?: Array<'json' | 'logfmt'>;
  /** Drop parser error labels so lines that one parser cannot read are kept. */
  dropParseErrors?: boolean;
  /** Label filters after the parser (structured metadata like detected_level, parsed fields). */
  labelFilters?: Array<{ name: string; op: LabelOp; value: string | number }>;
}

/**
 * Double-quoted LogQL string literal (Go string escapes). Other control characters are written as
 * `\u00XX`, which Go reads back as the same character: a pattern taken from a line must keep them
 * exactly to match it, and raw they are easily lost on the way (copy and paste, terminals, URLs).
 */
export function quote(s: string): string {
  return `"${s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Escapes RE2 metacharacters so a literal matches itself inside a regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Label names of parsed fields must be valid identifiers: non-identifier characters become `_` (what Loki's parsers do). */
export function sanitizeLabelName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

export function renderSelector(sel: LogQLQuery['selector']): string {
  const parts = sel.map((m) => `${sanitizeLabelName(m.name)}${m.op}${quote(m.value)}`);
  return `{${parts.join(', ')}}`;
}

/** Renders a log query (stream selector + pipeline). */
export function renderLogQL(q: LogQLQuery): string {
  let s = renderSelector(q.selector.length ? q.selector : [{ name: 'service_name', op: '=~', value: '.+' }]);
  for (const f of q.lineFilters ?? []) {
    if (f.caseInsensitive && (f.op === '|=' || f.op === '!=')) s += ` ${f.op === '|=' ? '|~' : '!~'} ${quote(`(?i)${escapeRegex(f.value)}`)}`;
    else if (f.caseInsensitive) s += ` ${f.op} ${quote(`(?i)${f.value}`)}`;
    else s += ` ${f.op} ${quote(f.value)}`;
  }
  if (q.patternInclude?.length) s += ` |> ${q.patternInclude.map(quote).join(' or ')}`;
  for (const p of q.patternExclude ?? []) s += ` !> ${quote(p)}`;
  for (const p of q.parsers ?? []) s += ` | ${p}`;
  if (q.dropParseErrors) s += ' | drop __error__, __error_details__';
  for (const f of q.labelFilters ?? []) {
    const name = sanitizeLabelName(f.name);
    s += typeof f.value === 'number' ? ` | ${name}${f.op}${f.value}` : ` | ${name}${f.op}${quote(f.value)}`;
  }
  return s;
}

/** `sum by (labels) (count_over_time(<log query> [step]))`. */
export function renderCountOverTime(q: LogQLQuery, stepSec: number, by: string[] = []): string {
  const inner = `count_over_time(${renderLogQL(q)} [${formatDuration(stepSec)}])`;
  return by.length ? `sum by (${by.map(sanitizeLabelName).join(', ')}) (${inner})` : `sum(${inner})`;
}

export function formatDuration(sec: number): string {
  const s = Math.max(1, Math.round(sec));
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The selector for one service the way Loki names it (`service_name`). */
export function serviceSelector(service: string | undefined, labels: Record<string, string> = {}): LogQLQuery['selector'] {
  const sel: LogQLQuery['selector'] = [];
  if (service) sel.push({ name: 'service_name', op: '=', value: service });
  for (const [k, v] of Object.entries(labels)) sel.push({ name: k, op: '=', value: v });
  return sel;
}
