// Typed PromQL: an AST, builders that callers compose (never string concatenation), a renderer, and a
// parser (via @prometheus-io/lezer-promql) that turns text back into the same AST, so the bundle evaluator
// and raw expert queries share one representation and invalid PromQL fails before any request.
import type { SyntaxNode } from '@lezer/common';
import { lazyRequire } from '../util/lazy.js';
import { compileSafeRegex, PatternError } from '../util/regex.js';
import { firstErrorAt, kids, QuerySyntaxError, unexpectedAt } from './lezer.js';

// The grammar is loaded on the first parse: rendering queries (what most tools do) never needs it.
const promqlGrammar = lazyRequire<typeof import('@prometheus-io/lezer-promql')>('@prometheus-io/lezer-promql');

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type AggOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values' | 'limitk' | 'limit_ratio';
export type BinOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export interface VectorSelector {
  type: 'selector';
  name?: string;
  matchers: Matcher[];
  offsetMs?: number;
  /** `@` modifier, epoch ms. */
  atMs?: number;
  /** `@ start()` / `@ end()`: the query's start or end, known only at evaluation. */
  atRef?: 'start' | 'end';
}
export interface MatrixSelector {
  type: 'matrix';
  selector: VectorSelector;
  rangeMs: number;
}
export interface Subquery {
  type: 'subquery';
  expr: Expr;
  rangeMs: number;
  stepMs?: number;
  offsetMs?: number;
  atMs?: number;
  atRef?: 'start' | 'end';
}
export interface NumberLit {
  type: 'number';
  value: number;
}
export interface StringLit {
  type: 'string';
  value: string;
}
export interface Call {
  type: 'call';
  func: string;
  args: Expr[];
}
export interface Aggregation {
  type: 'agg';
  op: AggOp;
  /** `by` labels (grouping) or `without` labels; neither = aggregate everything. */
  by?: string[];
  without?: string[];
  param?: Expr;
  expr: Expr;
}
export interface VectorMatching {
  on: boolean;
  labels: string[];
  card?: 'group_left' | 'group_right';
  include?: string[];
}
export interface Binary {
  type: 'binary';
  op: BinOp;
  lhs: Expr;
  rhs: Expr;
  bool?: boolean;
  matching?: VectorMatching;
}
export interface Unary {
  type: 'unary';
  op: '-' | '+';
  expr: Expr;
}
export interface Paren {
  type: 'paren';
  expr: Expr;
}
export type Expr = VectorSelector | MatrixSelector | Subquery | NumberLit | StringLit | Call | Aggregation | Binary | Unary | Paren;

// ---------------------------------------------------------------- builders

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class PromQLBuildError extends Error {}

/** A vector selector: `name{label="value", …}`; matchers given as an object mean equality. */
export function selector(name: string | undefined, matchers: Matcher[] | Record<string, string> = []): VectorSelector {
  if (name !== undefined && !NAME_RE.test(name)) throw new PromQLBuildError(`invalid metric name "${name}"`);
  const ms = Array.isArray(matchers) ? matchers : Object.entries(matchers).map(([label, value]) => ({ label, op: '=' as const, value }));
  for (const m of ms) if (!LABEL_RE.test(m.label)) throw new PromQLBuildError(`invalid label name "${m.label}"`);
  if (name === undefined && !ms.some((m) => !matchesEmpty(m))) throw new PromQLBuildError('a selector needs a metric name or a matcher that does not match the empty string');
  return { type: 'selector', name, matchers: ms };
}

export const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
export const neq = (label: string, value: string): Matcher => ({ label, op: '!=', value });
export const re = (label: string, value: string): Matcher => ({ label, op: '=~', value });
export const nre = (label: string, value: string): Matcher => ({ label, op: '!~', value });

export function matrix(sel: VectorSelector, rangeMs: number): MatrixSelector {
  if (!(rangeMs > 0)) throw new PromQLBuildError('a range must be positive');
  return { type: 'matrix', selector: sel, rangeMs };
}
export const num = (value: number): NumberLit => ({ type: 'number', value });
export const call = (func: string, ...args: Expr[]): Call => ({ type: 'call', func, args });
export const rate = (sel: VectorSelector, rangeMs: number): Call => call('rate', matrix(sel, rangeMs));
export const increase = (sel: VectorSelector, rangeMs: number): Call => call('increase', matrix(sel, rangeMs));
export const irate = (sel: VectorSelector, rangeMs: number): Call => call('irate', matrix(sel, rangeMs));
export const overTime = (fn: 'avg' | 'max' | 'min' | 'sum' | 'count' | 'last', sel: VectorSelector, rangeMs: number): Call => call(`${fn}_over_time`, matrix(sel, rangeMs));
export const histogramQuantile = (q: number, expr: Expr): Call => call('histogram_quantile', num(q), expr);

export function agg(op: AggOp, expr: Expr, opts: { by?: string[]; without?: string[]; param?: number } = {}): Aggregation {
  for (const l of [...(opts.by ?? []), ...(opts.without ?? [])]) if (!LABEL_RE.test(l)) throw new PromQLBuildError(`invalid label name "${l}"`);
  return { type: 'agg', op, expr, by: opts.by, without: opts.without, param: opts.param !== undefined ? num(opts.param) : undefined };
}
export const sum = (expr: Expr, by?: string[]) => agg('sum', expr, { by });
export const avg = (expr: Expr, by?: string[]) => agg('avg', expr, { by });
export const topk = (k: number, expr: Expr) => agg('topk', expr, { param: k });

export function binary(op: BinOp, lhs: Expr, rhs: Expr, opts: { bool?: boolean; matching?: VectorMatching } = {}): Binary {
  return { type: 'binary', op, lhs, rhs, ...opts };
}

// ---------------------------------------------------------------- rendering

export function formatDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  const units: Array<[string, number]> = [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = Math.round(ms);
  let out = '';
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function renderNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function renderSelector(s: VectorSelector): string {
  const ms = s.matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`);
  let out = (s.name ?? '') + (ms.length || !s.name ? `{${ms.join(', ')}}` : '');
  return out;
}

function modifiers(offsetMs?: number, atMs?: number, atRef?: 'start' | 'end'): string {
  let out = '';
  if (atRef) out += ` @ ${atRef}()`;
  else if (atMs !== undefined) out += ` @ ${(atMs / 1000).toFixed(3)}`;
  if (offsetMs) out += ` offset ${offsetMs < 0 ? '-' : ''}${formatDuration(Math.abs(offsetMs))}`;
  return out;
}

const PREC: Record<string, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6 };

/** Renders PromQL text; adds parentheses only where precedence requires them. */
export function render(e: Expr): string {
  switch (e.type) {
    case 'number':
      return renderNumber(e.value);
    case 'string':
      return quote(e.value);
    case 'selector':
      return renderSelector(e) + modifiers(e.offsetMs, e.atMs, e.atRef);
    case 'matrix':
      return `${renderSelector(e.selector)}[${formatDuration(e.rangeMs)}]${modifiers(e.selector.offsetMs, e.selector.atMs, e.selector.atRef)}`;
    case 'subquery':
      return `${wrapOperand(e.expr)}[${formatDuration(e.rangeMs)}:${e.stepMs ? formatDuration(e.stepMs) : ''}]${modifiers(e.offsetMs, e.atMs, e.atRef)}`;
    case 'call':
      return `${e.func}(${e.args.map(render).join(', ')})`;
    case 'agg': {
      const grouping = e.by ? ` by (${e.by.join(', ')})` : e.without ? ` without (${e.without.join(', ')})` : '';
      const args = e.param ? `${render(e.param)}, ${render(e.expr)}` : render(e.expr);
      return grouping ? `${e.op}${grouping} (${args})` : `${e.op}(${args})`;
    }
    case 'unary':
      return `${e.op}${wrapOperand(e.expr)}`;
    case 'paren':
      return `(${render(e.expr)})`;
    case 'binary': {
      const p = PREC[e.op]!;
      const side = (x: Expr, right: boolean) => {
        if (x.type !== 'binary') return render(x);
        const q = PREC[x.op]!;
        // `^` is right-associative; the others are left-associative.
        const needs = q < p || (q === p && (e.op === '^' ? !right : right));
        return needs ? `(${render(x)})` : render(x);
      };
      let mod = e.bool ? ' bool' : '';
      if (e.matching) {
        mod += ` ${e.matching.on ? 'on' : 'ignoring'} (${e.matching.labels.join(', ')})`;
        if (e.matching.card) mod += ` ${e.matching.card}${e.matching.include?.length ? ` (${e.matching.include.join(', ')})` : ''}`;
      }
      return `${side(e.lhs, false)} ${e.op}${mod} ${side(e.rhs, true)}`;
    }
  }
}

function wrapOperand(e: Expr): string {
  return e.type === 'binary' || e.type === 'unary' ? `(${render(e)})` : render(e);
}

// ---------------------------------------------------------------- parsing

export class PromQLParseError extends QuerySyntaxError {
  constructor(query: string, position: number, detail: string) {
    super('PromQL', query, position, detail);
    this.name = 'PromQLParseError';
  }
}

/** Parse PromQL text into the typed AST. Throws PromQLParseError naming the position. */
export function parsePromQL(text: string): Expr {
  const q = text;
  if (!q.trim()) throw new PromQLParseError(q, 0, 'empty query');
  const tree = promqlGrammar().parser.parse(trailingDotNumbers(q));
  const errAt = firstErrorAt(tree);
  if (errAt >= 0) throw new PromQLParseError(q, errAt, unexpectedAt(q, errAt));
  const top = tree.topNode.firstChild;
  if (!top) throw new PromQLParseError(q, 0, 'empty query');
  return convert(top, q);
}

/**
 * Prometheus reads `2.` as 2.0; the lezer grammar stops at the dot. A dot ending a number (outside
 * strings) becomes a space, so positions in error messages stay those of the text as written.
 */
function trailingDotNumbers(q: string): string {
  if (!q.includes('.')) return q;
  let out = '';
  let quote = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    if (quote) {
      if (c === '\\' && quote !== '`') {
        out += c + (q[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '.' && /[0-9]/.test(q[i - 1] ?? '') && !/[0-9eE]/.test(q[i + 1] ?? '')) {
      // Only when the digits before it start a number (not the end of an identifier such as a2.).
      let j = i - 1;
      while (j >= 0 && /[0-9]/.test(q[j]!)) j--;
      if (j < 0 || !/[A-Za-z_:.]/.test(q[j]!)) {
        out += ' ';
        continue;
      }
    }
    out += c;
  }
  return out;
}

const txt = (n: SyntaxNode, q: string) => q.slice(n.from, n.to);

function parseStringLit(s: string, q: string, at: number): string {
  const quoteCh = s[0];
  if (quoteCh === '`') return s.slice(1, -1);
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(s.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else throw new PromQLParseError(q, at + i, `unknown escape sequence "\\${n}"`);
  }
  return out;
}

function parseNumber(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  if (/[smhdwy]$/.test(t) && !/^[0-9.e+-]+$/.test(t)) return durationMs(s) / 1000;
  return Number(s);
}

const DUR_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
function durationMs(s: string): number {
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return Number(s) * 1000; // plain seconds
  let total = 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * DUR_UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== s.length) throw new Error(`invalid duration "${s}"`);
  return total;
}

function durationOf(n: SyntaxNode, q: string): number {
  try {
    return durationMs(txt(n, q).trim());
  } catch (e) {
    throw new PromQLParseError(q, n.from, (e as Error).message);
  }
}

function convert(n: SyntaxNode, q: string): Expr {
  const c = kids(n);
  switch (n.name) {
    case 'NumberDurationLiteral':
      return num(parseNumber(txt(n, q)));
    case 'StringLiteral':
      return { type: 'string', value: parseStringLit(txt(n, q), q, n.from) };
    case 'ParenExpr':
      return { type: 'paren', expr: convert(c.find((x) => !['(', ')'].includes(x.name))!, q) };
    case 'UnaryExpr': {
      const op = txt(c[0]!, q) as '-' | '+';
      return { type: 'unary', op, expr: convert(c[1]!, q) };
    }
    case 'VectorSelector':
      return convertSelector(n, q);
    case 'MatrixSelector': {
      const sel = convert(c[0]!, q);
      if (sel.type !== 'selector') throw new PromQLParseError(q, n.from, 'ranges only allowed for vector selectors');
      return { type: 'matrix', selector: sel, rangeMs: durationOf(c[1]!, q) };
    }
    case 'SubqueryExpr': {
      const durs = c.filter((x) => x.name === 'DurationExpr');
      const rangeMs = durationOf(durs[0]!, q);
      const stepMs = durs[1] ? durationOf(durs[1], q) : undefined;
      return onRightmost(convert(c[0]!, q), (x) => ({ type: 'subquery', expr: x, rangeMs, stepMs }));
    }
    case 'OffsetExpr': {
      const inner = convert(c[0]!, q);
      const durNode = c.find((x) => x.name === 'OffsetDurationExpr' || x.name === 'DurationExpr' || x.name === 'NumberDurationLiteralInDurationContext');
      const raw = durNode ? txt(durNode, q).trim() : '';
      const neg = raw.startsWith('-');
      const ms = (neg ? -1 : 1) * durationMs(raw.replace(/^[-+]/, ''));
      return onRightmost(inner, (x) => {
        if (x.type === 'selector') return { ...x, offsetMs: ms };
        if (x.type === 'matrix') return { ...x, selector: { ...x.selector, offsetMs: ms } };
        if (x.type === 'subquery') return { ...x, offsetMs: ms };
        throw new PromQLParseError(q, n.from, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      });
    }
    case 'StepInvariantExpr': {
      const inner = convert(c[0]!, q);
      // The time is what follows the `@` token (the operand before it may itself be a unary expression).
      const at = c[c.findIndex((x) => x.name === 'At') + 1];
      const t = at ? txt(at, q).replace(/\s+/g, '') : '';
      const atRef = at?.name === 'AtModifierPreprocessors' ? (t.startsWith('start') ? 'start' : 'end') : undefined;
      // `@ 100`, `@ 1m` (a duration reads as seconds), `@ -5`: a Unix time in seconds, kept to the millisecond.
      const atMs = atRef ? undefined : Math.round(parseNumber(t) * 1000);
      if (!atRef && !Number.isFinite(atMs)) throw new PromQLParseError(q, at?.from ?? n.from, `@ needs a Unix time in seconds, start() or end(), not "${t}"`);
      const mod = { atMs, atRef } as { atMs?: number; atRef?: 'start' | 'end' };
      return onRightmost(inner, (x) => {
        const target = x.type === 'matrix' ? x.selector : x;
        if ((target.type === 'selector' || target.type === 'subquery') && (target.atMs !== undefined || target.atRef)) throw new PromQLParseError(q, n.from, '@ <timestamp> may not be set multiple times');
        if (x.type === 'selector' || x.type === 'subquery') return { ...x, ...mod };
        if (x.type === 'matrix') return { ...x, selector: { ...x.selector, ...mod } };
        throw new PromQLParseError(q, n.from, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      });
    }
    case 'FunctionCall': {
      const name = txt(c[0]!, q);
      const body = c.find((x) => x.name === 'FunctionCallBody');
      const args = body ? kids(body).filter(isExprNode).map((x) => convert(x, q)) : [];
      return { type: 'call', func: name, args };
    }
    case 'AggregateExpr': {
      // Keywords are case-insensitive in PromQL (`SUM BY`), function names are not.
      const op = txt(c[0]!, q).toLowerCase() as AggOp;
      const mod = c.find((x) => x.name === 'AggregateModifier');
      const body = c.find((x) => x.name === 'FunctionCallBody');
      const args = body ? kids(body).filter(isExprNode).map((x) => convert(x, q)) : [];
      const out: Aggregation = { type: 'agg', op, expr: args[args.length - 1]! };
      if (args.length === 2) out.param = args[0];
      if (!out.expr) throw new PromQLParseError(q, n.from, `${op} needs an expression`);
      if (mod) {
        const kind = kids(mod)[0]!.name;
        const labels = groupingLabels(mod, q);
        if (kind === 'By') out.by = labels;
        else out.without = labels;
      }
      return out;
    }
    case 'BinaryExpr': {
      const exprs = c.filter(isExprNode);
      const opNode = c.find((x) => !isExprNode(x) && x.name !== 'BoolModifier' && x.name !== 'MatchingModifierClause');
      const op = txt(opNode!, q).toLowerCase() as BinOp;
      const out: Binary = { type: 'binary', op, lhs: convert(exprs[0]!, q), rhs: convert(exprs[1]!, q) };
      if (c.some((x) => x.name === 'BoolModifier')) out.bool = true;
      const mm = c.find((x) => x.name === 'MatchingModifierClause');
      if (mm) {
        const mk = kids(mm);
        const groups = mk.filter((x) => x.name === 'GroupingLabels');
        out.matching = { on: mk[0]!.name === 'On', labels: groups[0] ? labelsOf(groups[0], q) : [] };
        const card = mk.find((x) => x.name === 'GroupLeft' || x.name === 'GroupRight');
        if (card) {
          out.matching.card = card.name === 'GroupLeft' ? 'group_left' : 'group_right';
          if (groups[1]) out.matching.include = labelsOf(groups[1], q);
        }
      }
      return out;
    }
    default:
      if (c.length === 1) return convert(c[0]!, q);
      throw new PromQLParseError(q, n.from, `unsupported construct ${n.name}`);
  }
}

/**
 * The grammar attaches `offset`, `@` and `[range:step]` to a whole binary or unary expression (`a - b @ 10`),
 * where Prometheus binds them to the operand just before them: apply them to the rightmost operand.
 */
function onRightmost(e: Expr, f: (x: Expr) => Expr): Expr {
  if (e.type === 'binary') return { ...e, rhs: onRightmost(e.rhs, f) };
  if (e.type === 'unary') return { ...e, expr: onRightmost(e.expr, f) };
  return f(e);
}

const NON_EXPR = new Set(['(', ')', ',', 'AggregateOp', 'AggregateModifier', 'FunctionIdentifier', 'MatchingModifierClause', 'BoolModifier', 'LineComment']);
function isExprNode(n: SyntaxNode): boolean {
  if (NON_EXPR.has(n.name)) return false;
  // Operator tokens inside BinaryExpr (Add, Sub, Mul, Div, Mod, Pow, Eql, Neq, Gtr, Lss, Gte, Lte, And, Or, Unless, Atan2).
  return /Expr$|Selector$|Literal$|^FunctionCall$|^NumberDurationLiteral$|^StringLiteral$/.test(n.name);
}

function labelsOf(g: SyntaxNode, q: string): string[] {
  return kids(g)
    .filter((x) => x.name === 'LabelName' || x.name === 'QuotedLabelName')
    .map((x) => (x.name === 'QuotedLabelName' ? parseStringLit(txt(x, q), q, x.from) : txt(x, q)));
}
function groupingLabels(mod: SyntaxNode, q: string): string[] {
  const g = kids(mod).find((x) => x.name === 'GroupingLabels');
  return g ? labelsOf(g, q) : [];
}

function convertSelector(n: SyntaxNode, q: string): VectorSelector {
  const c = kids(n);
  const id = c.find((x) => x.name === 'Identifier');
  const lm = c.find((x) => x.name === 'LabelMatchers');
  const matchers: Matcher[] = [];
  let name = id ? txt(id, q) : undefined;
  if (lm) {
    for (const m of kids(lm)) {
      const mk = kids(m);
      if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher') {
        const ln = mk[0]!;
        const label = ln.name === 'QuotedLabelName' ? parseStringLit(txt(ln, q), q, ln.from) : txt(ln, q);
        const op = txt(mk.find((x) => x.name === 'MatchOp')!, q) as MatchOp;
        const value = parseStringLit(txt(mk.find((x) => x.name === 'StringLiteral')!, q), q, m.from);
        matchers.push({ label, op, value });
      } else if (m.name === 'QuotedLabelName') {
        name = parseStringLit(txt(m, q), q, m.from);
      }
    }
  }
  const nameMatcher = matchers.findIndex((m) => m.label === '__name__' && m.op === '=');
  if (name === undefined && nameMatcher >= 0) {
    name = matchers[nameMatcher]!.value;
    matchers.splice(nameMatcher, 1);
  }
  if (name === undefined && !matchers.some((m) => !matchesEmpty(m))) {
    throw new PromQLParseError(q, n.from, 'vector selector must contain at least one non-empty matcher');
  }
  return { type: 'selector', name, matchers };
}

function matchesEmpty(m: Matcher): boolean {
  if (m.op === '=~' || m.op === '!~') {
    let hit: boolean;
    try {
      hit = compileSafeRegex(m.value, { anchored: true, dotAll: true }).test('');
    } catch (e) {
      if (e instanceof PatternError) throw new PromQLBuildError(`label matcher ${m.label}${m.op}: ${e.message}`);
      throw e;
    }
    return m.op === '=~' ? hit : !hit;
  }
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    default:
      return false;
  }
}

/** Validate PromQL text; returns the rendered canonical form. */
export function validatePromQL(text: string): string {
  return render(parsePromQL(text));
}
