// The findings model: what an investigation reports, whatever produced it (playbook or agent).
/** Every kind of finding, in the order reports list them (and the playbook sorts them). */
export const FINDING_KINDS = ['error', 'latency', 'hot-function', 'log-pattern', 'code-path', 'metric-anomaly', 'suspect'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type QueryLanguage = 'promql' | 'logql' | 'traceql' | 'pyroscope';

export interface Evidence {
  traceIds?: string[];
  logLines?: string[];
  /** The native query that reproduces the finding. */
  query?: { language: QueryLanguage; text: string };
  link?: string;
}

export interface SourceLocation {
  repo: string;
  path: string;
  startLine: number;
  endLine: number;
  snippet?: string;
  url?: string;
  function?: string;
}

export interface MessagePart {
  key: string;
  args?: Record<string, string | number>;
  /** Units of numeric args (seconds, bytes, per-second, ratio), for locale formatting. */
  units?: Record<string, string>;
  /** Args whose value is a list of catalogue keys (e.g. `cause_lock`): each translated, then joined the
   * way the report language lists things. */
  lists?: Record<string, string[]>;
  /** Args that are phrases of their own (an event with its kind as a label), rendered in the report
   * language and put in place of the plain arg of the same name. */
  parts?: Record<string, MessagePart>;
}

export interface Finding {
  kind: FindingKind;
  service: string;
  /** One line, in English data terms (span names, statements); localised labels come from the report template. */
  title: string;
  /** The same line as message parts the report translates (prompts/i18n keys with their values); the
   * parts are joined. Telemetry text (span names, patterns) travels as values, never as keys. */
  message?: MessagePart[];
  /** Counts, rates, durations, shares, change vs baseline. Keys are stable identifiers (e.g. `error_spans`). */
  numbers: Record<string, number | string>;
  /** Units of some numbers (see formatQuantity: nanoseconds, cpu-ns-per-second…), so the report can
   * write them in the reader's locale rather than show a producer's English rendering. */
  units?: Record<string, string>;
  evidence: Evidence;
  source?: SourceLocation;
  /** Ids of catalogue hints (src/agent/hints) that this finding triggers. */
  hints?: string[];
  /** Relative importance used for ordering (higher first). */
  score: number;
  /** Free-form attributes that characterise the finding (e.g. db.statement, exception.type, span name, function). */
  details?: Record<string, string>;
}

export interface Report {
  question: string;
  /** The language the report is written in: the question's, or English when it has no catalogue. */
  lang: string;
  /** The question's language (detected, or given by --lang / the `lang` argument), any language. */
  askedLang?: string;
  mode: 'playbook' | 'agent';
  window: { start: string; end: string };
  baseline?: { start: string; end: string };
  /** Ranked suspect services with their score breakdown. */
  suspects: Array<{ service: string; score: number; parts: Record<string, number>; evidence: string[]; evidenceMessages?: MessagePart[][] }>;
  findings: Finding[];
  /** Hints triggered by the findings, resolved from the catalogue in the report language. */
  hints: Array<{ id: string; title: string; explanation: string; fix: string; findings: number[] }>;
  /** What could not be done (backend down, signal missing, step timed out). Partial results are reported as partial. */
  partial: string[];
  /** Model-written narrative (agent mode only). */
  narrative?: string;
  stats: { toolCalls: number; tokens?: number; ms: number; steps?: number };
}

/**
 * One signal's contribution to the playbook. Each signal area provides one
 * (src/agent/steps/<signal>.ts); the playbook runs them for the top suspect services.
 */
export interface StepContext {
  sources: import('../sources/types.js').Sources;
  window: import('../sources/types.js').TimeRange;
  baseline?: import('../sources/types.js').TimeRange;
  /** Services to focus on, most suspect first (may be empty: then the step picks by itself). */
  services: string[];
  signal: AbortSignal;
}

export interface StepResult {
  findings: Finding[];
  /** What this step could not do (missing signal, backend error), one line each. */
  partial: string[];
  /** Tool calls made (for eval statistics). */
  toolCalls: number;
}

export type FindingStep = (ctx: StepContext) => Promise<StepResult>;
