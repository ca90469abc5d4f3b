// The LogQL the bundle engine runs, as data: what parse.ts builds from @grafana/lezer-logql's tree and
// engine.ts evaluates.

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `|=`, `!=`, `|~`, `!~`, `|>`, `!>`; several values are an `or` chain. */
export interface LineFilter {
  op: '|=' | '!=' | '|~' | '!~' | '|>' | '!>';
  values: string[];
}

export type CmpOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type LabelFilterExpr =
  | { kind: 'and' | 'or'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: 'match'; matcher: LabelMatcher }
  /** Numbers, durations (seconds) and byte sizes compared as numbers; `unit` says how the label is read. */
  | { kind: 'compare'; name: string; op: CmpOp; value: number; unit: 'number' | 'duration' | 'bytes' };

export type Stage =
  | { kind: 'line'; filter: LineFilter }
  | { kind: 'json'; params?: Array<{ label: string; path: string }> }
  | { kind: 'logfmt'; strict: boolean; keepEmpty: boolean; params?: Array<{ label: string; path: string }> }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'regexp'; regex: string }
  | { kind: 'labels'; filter: LabelFilterExpr }
  | { kind: 'line_format'; template: string }
  | { kind: 'drop' | 'keep'; names: string[]; matchers: LabelMatcher[] }
  | { kind: 'decolorize' };

export interface LogSelectorExpr {
  type: 'log';
  matchers: LabelMatcher[];
  stages: Stage[];
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'absent_over_time'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'max_over_time'
  | 'min_over_time'
  | 'stdvar_over_time'
  | 'stddev_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'rate_counter';

export interface Unwrap {
  label: string;
  conv?: 'duration' | 'duration_seconds' | 'bytes';
  /** Label filters written after the unwrap (`| __error__=""`). */
  post: LabelFilterExpr[];
}

export interface Grouping {
  by?: string[];
  without?: string[];
}

export interface RangeAggregation {
  type: 'range';
  op: RangeOp;
  param?: number;
  log: LogSelectorExpr;
  rangeMs: number;
  offsetMs: number;
  unwrap?: Unwrap;
  grouping?: Grouping;
}

export type VectorOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'sort' | 'sort_desc';
export interface VectorAggregation {
  type: 'vector';
  op: VectorOp;
  param?: number;
  grouping?: Grouping;
  expr: MetricExpr;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '>=' | '<' | '<=' | 'and' | 'or' | 'unless';
export interface BinaryExpr {
  type: 'binary';
  op: BinaryOp;
  lhs: MetricExpr;
  rhs: MetricExpr;
  bool: boolean;
  on?: string[];
  ignoring?: string[];
}

export interface Literal {
  type: 'literal';
  value: number;
}
/** `vector(2)`: a literal with an empty label set. */
export interface VectorLiteral {
  type: 'vector_literal';
  value: number;
}

export type MetricExpr = RangeAggregation | VectorAggregation | BinaryExpr | Literal | VectorLiteral;
export type LogQLExpr = LogSelectorExpr | MetricExpr;
