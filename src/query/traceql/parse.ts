// TraceQL text → the bundle engine's AST, through Grafana's official grammar (@grafana/lezer-traceql,
// loaded on the first parse). Syntax errors name their column; constructs the engine does not run are
// refused by name so the query can be sent to a live Tempo instead.
import type { SyntaxNode } from '@lezer/common';
import { lazyRequire } from '../../util/lazy.js';
import { firstErrorAt, kids, QuerySyntaxError, UnsupportedConstructError, unexpectedAt } from '../lezer.js';

const grammar = lazyRequire<typeof import('@grafana/lezer-traceql')>('@grafana/lezer-traceql');

export class TraceQLParseError extends QuerySyntaxError {
  constructor(query: string, position: number, detail: string) {
    super('TraceQL', query, position, detail);
    this.name = 'TraceQLParseError';
  }
}

export class TraceQLUnsupportedError extends UnsupportedConstructError {
  constructor(construct: string) {
    super(construct, 'TraceQL', 'Tempo (TEMPO_URL)');
    this.name = 'TraceQLUnsupportedError';
  }
}

export type Scope = 'span' | 'resource' | 'any' | 'event' | 'link' | 'instrumentation';
export type Field = { kind: 'intrinsic'; name: string } | { kind: 'attr'; scope: Scope; name: string };
export type Static =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  /** Durations in milliseconds (the unit of Span.durationMs). */
  | { kind: 'duration'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'status'; value: 'error' | 'ok' | 'unset' }
  | { kind: 'kind'; value: number }
  | { kind: 'nil' };
export type CmpOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';
export type Cond =
  | { type: 'and' | 'or'; left: Cond; right: Cond }
  | { type: 'not'; cond: Cond }
  | { type: 'cmp'; op: CmpOp; field: Field; value: Static }
  | { type: 'static'; value: Static };

export type StructOp = '>>' | '>' | '~' | '<<' | '<';
export type SpansetExpr =
  | { type: 'filter'; cond?: Cond }
  | { type: 'struct'; op: StructOp; lhs: SpansetExpr; rhs: SpansetExpr }
  | { type: 'and' | 'or'; lhs: SpansetExpr; rhs: SpansetExpr };

export type Stage =
  | { type: 'select'; fields: Field[] }
  | { type: 'scalar'; fn: 'count' | 'avg' | 'min' | 'max' | 'sum'; field?: Field; op: CmpOp; value: Static };

export interface MetricsOp {
  fn: 'rate' | 'count_over_time' | 'quantile_over_time' | 'histogram_over_time' | 'min_over_time' | 'max_over_time' | 'avg_over_time' | 'sum_over_time';
  field?: Field;
  quantiles: number[];
  by: Field[];
  /** A second stage over the series: the k highest (topk) or lowest (bottomk) at each step. */
  select?: { fn: 'topk' | 'bottomk'; k: number };
}

export interface TraceQLQuery {
  spansets: SpansetExpr;
  stages: Stage[];
  metrics?: MetricsOp;
}

const KINDS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const INTRINSICS = new Set(['duration', 'name', 'status', 'statusMessage', 'kind', 'rootName', 'rootServiceName', 'traceDuration', 'span:duration', 'span:name', 'span:status', 'span:statusMessage', 'span:kind', 'span:id', 'span:parentID', 'trace:duration', 'trace:rootName', 'trace:rootService', 'trace:id', 'event:name']);
const METRIC_FNS = new Set(['rate', 'count_over_time', 'quantile_over_time', 'histogram_over_time', 'min_over_time', 'max_over_time', 'avg_over_time', 'sum_over_time']);


export function parseTraceQL(text: string): TraceQLQuery {
  if (!text.trim()) throw new TraceQLParseError(text, 0, 'empty query');
  const tree = grammar().parser.parse(text);
  const err = firstErrorAt(tree);
  if (err >= 0) {
    const hint = /^\.\d/.test(text.slice(err)) ? ' (write quantiles with a leading zero: 0.99)' : '';
    throw new TraceQLParseError(text, err, unexpectedAt(text, err) + hint);
  }
  return new Parser(text).query(tree.topNode.firstChild!);
}

class Parser {
  constructor(private readonly q: string) {}
  private txt(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }
  private fail(n: SyntaxNode, d: string): never {
    throw new TraceQLParseError(this.q, n.from, d);
  }

  /**
   * The grammar nests `|` and the spanset operators in whatever order it met them (`{a} >> {b} | select(x)`
   * comes out as `{a} >> ({b} | select(x))`), so the expression is flattened into operands and operators
   * first: the first `|`-separated segment is the spanset expression (operators left to right), the other
   * segments are pipeline stages.
   */
  query(n: SyntaxNode): TraceQLQuery {
    const segments = this.segments(n);
    const [first, ...rest] = segments;
    const out: TraceQLQuery = { spansets: this.combine(first!), stages: [] };
    for (const seg of rest) {
      if (seg.length !== 1) throw new TraceQLUnsupportedError(`spanset operators after a pipe ("${this.txt(seg[1] as SyntaxNode)}")`);
      const op = seg[0] as SyntaxNode;
      if (out.metrics && op.name === 'MetricsAggregatorFunctions' && !out.metrics.select) {
        out.metrics.select = this.seriesSelect(op);
        continue;
      }
      if (out.metrics) this.fail(op, out.metrics.select ? 'nothing can follow topk()/bottomk()' : 'only topk(n) or bottomk(n) can follow a metrics function');
      if (op.name === 'MetricsAggregatorFunctions') this.fail(op, `${this.txt(op)} needs a metrics function before it, e.g. | rate() by (name) | ${this.txt(op)}`);
      if (op.name === 'SelectOperation') out.stages.push({ type: 'select', fields: this.fieldsIn(op) });
      else if (op.name === 'ScalarFilter') out.stages.push(this.scalarFilter(op));
      else if (op.name === 'MetricsOperation') out.metrics = this.metricsOp(op);
      else if (op.name === 'GroupOperation') throw new TraceQLUnsupportedError('by() on spansets');
      else if (op.name === 'CoalesceOperation') throw new TraceQLUnsupportedError('coalesce()');
      else if (op.name === 'SpansetFilter' || op.name === 'SpansetPipelineExpression') throw new TraceQLUnsupportedError('a spanset filter after a pipe');
      else throw new TraceQLUnsupportedError(`the pipeline stage "${this.txt(op).slice(0, 40)}"`);
    }
    return out;
  }

  /** Operands (nodes) and operator texts, split at each top-level `|`. */
  private segments(n: SyntaxNode): Array<Array<SyntaxNode | string>> {
    const segs: Array<Array<SyntaxNode | string>> = [[]];
    const walk = (x: SyntaxNode) => {
      const c = kids(x);
      if (x.name === 'SpansetPipelineExpression' && c[0]?.name === '(') {
        segs[segs.length - 1]!.push(x);
        return;
      }
      if (x.name === 'SpansetPipelineExpression' || x.name === 'SpansetExpression') {
        let prevEnd = -1;
        for (const k of c) {
          // Some operators (`~`) are anonymous tokens: they show only as text between two operands.
          const gap = prevEnd >= 0 ? this.q.slice(prevEnd, k.from).trim() : '';
          if (gap) segs[segs.length - 1]!.push(gap);
          prevEnd = k.to;
          if (k.name === 'Pipe') segs.push([]);
          else if (k.name === 'SpansetPipelineExpression' || k.name === 'SpansetExpression' || k.name === 'SpansetPipeline') walk(k);
          else if (k.name === 'SpansetFilter') segs[segs.length - 1]!.push(k);
          else segs[segs.length - 1]!.push(this.txt(k).trim());
        }
        return;
      }
      if (x.name === 'SpansetPipeline') {
        for (const k of c) {
          if (k.name === 'Pipe') segs.push([]);
          else walk(k);
        }
        return;
      }
      segs[segs.length - 1]!.push(x);
    };
    walk(n);
    return segs;
  }

  /** Operands joined left to right by the spanset operators. */
  private combine(seg: Array<SyntaxNode | string>): SpansetExpr {
    const operand = (x: SyntaxNode | string): SpansetExpr => {
      if (typeof x === 'string') throw new TraceQLParseError(this.q, 0, `unexpected "${x}"`);
      if (x.name === 'SpansetFilter') {
        const f = kids(x).find((k) => k.name === 'FieldExpression');
        return { type: 'filter', cond: f ? this.cond(f) : undefined };
      }
      if (x.name === 'SpansetPipelineExpression') {
        const inner = kids(x).find((k) => k.name !== '(' && k.name !== ')')!;
        const q = this.query(inner);
        if (q.stages.length || q.metrics) throw new TraceQLUnsupportedError('a pipeline inside parentheses');
        return q.spansets;
      }
      if (x.name === 'ScalarFilter' || x.name === 'MetricsOperation' || x.name === 'SelectOperation') this.fail(x, 'a query starts with a spanset such as { status = error }');
      throw new TraceQLUnsupportedError(`"${this.txt(x).slice(0, 40)}"`);
    };
    let acc = operand(seg[0]!);
    for (let i = 1; i < seg.length; i += 2) {
      const op = seg[i];
      const rhs = operand(seg[i + 1]!);
      if (op === '&&') acc = { type: 'and', lhs: acc, rhs };
      else if (op === '||') acc = { type: 'or', lhs: acc, rhs };
      else if (op === '>>' || op === '>' || op === '~' || op === '<<' || op === '<') acc = { type: 'struct', op, lhs: acc, rhs };
      else throw new TraceQLUnsupportedError(`the spanset operator ${String(op)}`);
    }
    return acc;
  }

  private cond(n: SyntaxNode): Cond {
    const c = kids(n).filter((k) => k.name !== '(' && k.name !== ')');
    if (c.length === 1) {
      const k = c[0]!;
      // `!` and unary `-` are anonymous tokens: they show only in the text before the operand.
      const prefix = this.q.slice(n.from, k.from).trim();
      if (prefix === '!') return { type: 'not', cond: this.cond(k) };
      if (prefix === '-') {
        const inner = this.cond(k);
        if (inner.type === 'static' && (inner.value.kind === 'number' || inner.value.kind === 'duration')) return { type: 'static', value: { ...inner.value, value: -inner.value.value } };
        throw new TraceQLUnsupportedError('arithmetic in a spanset filter');
      }
      if (k.name === 'FieldExpression') return this.cond(k);
      if (k.name === 'Static') return { type: 'static', value: this.static(k) };
      if (k.name === 'IntrinsicField' || k.name === 'AttributeField') this.fail(k, `a field alone is not a condition: compare it, e.g. ${this.txt(k)} != nil`);
      throw new TraceQLUnsupportedError(`"${this.txt(k).slice(0, 40)}" in a spanset filter`);
    }
    if (c.length === 2 && this.txt(c[0]!) === '!') return { type: 'not', cond: this.cond(c[1]!) };
    if (c.length === 2 && this.txt(c[0]!) === '-') {
      const inner = this.cond(c[1]!);
      if (inner.type === 'static' && (inner.value.kind === 'number' || inner.value.kind === 'duration')) return { type: 'static', value: { ...inner.value, value: -inner.value.value } };
      throw new TraceQLUnsupportedError('arithmetic in a spanset filter');
    }
    if (c.length === 3) {
      const op = c[1]!;
      if (op.name === 'And' || op.name === 'Or') return { type: op.name === 'And' ? 'and' : 'or', left: this.cond(c[0]!), right: this.cond(c[2]!) };
      if (op.name === 'FieldOp') {
        const opText = this.txt(op) as CmpOp;
        if (!['=', '!=', '>', '>=', '<', '<=', '=~', '!~'].includes(opText)) throw new TraceQLUnsupportedError(`the operator ${opText}`);
        const lf = this.fieldOf(c[0]!);
        const rf = this.fieldOf(c[2]!);
        const field = lf ?? rf;
        if (!field) throw new TraceQLUnsupportedError('a comparison without a field');
        if (lf && rf) throw new TraceQLUnsupportedError('comparing two fields');
        const flipped = !lf;
        const other = this.cond(flipped ? c[0]! : c[2]!);
        if (other.type !== 'static') throw new TraceQLUnsupportedError('arithmetic in a spanset filter');
        const flip: Record<string, CmpOp> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=' };
        return { type: 'cmp', op: flipped ? (flip[opText] ?? opText) : opText, field, value: other.value };
      }
      throw new TraceQLUnsupportedError(`the operator ${this.txt(op)} in a spanset filter`);
    }
    return this.fail(n, 'unexpected expression in a spanset filter');
  }

  /** The field a FieldExpression is, when it is just one. */
  private fieldOf(n: SyntaxNode): Field | undefined {
    const c = kids(n).filter((k) => k.name !== '(' && k.name !== ')');
    if (n.name === 'FieldExpression' && c.length === 1) return this.fieldOf(c[0]!);
    if (n.name === 'IntrinsicField') {
      const name = this.txt(n);
      if (!INTRINSICS.has(name)) throw new TraceQLUnsupportedError(`the intrinsic ${name}`);
      return { kind: 'intrinsic', name };
    }
    if (n.name === 'AttributeField') {
      const scopeNode = kids(n).find((k) => k.name !== 'Identifier');
      const id = kids(n).find((k) => k.name === 'Identifier')!;
      let name = this.txt(id);
      if (name.startsWith('"')) name = JSON.parse(name) as string;
      const scopeText = scopeNode ? this.txt(scopeNode) : '';
      const scope: Scope = scopeText === 'span' ? 'span' : scopeText === 'resource' ? 'resource' : scopeText === 'event' ? 'event' : scopeText === 'link' ? 'link' : scopeText === 'instrumentation' ? 'instrumentation' : 'any';
      if (scope === 'link' || scope === 'instrumentation') throw new TraceQLUnsupportedError(`${scope}. attributes (bundles keep span, resource and event attributes)`);
      return { kind: 'attr', scope, name };
    }
    return undefined;
  }

  private static(n: SyntaxNode): Static {
    const t = this.txt(n).trim();
    switch (n.firstChild?.name) {
      case 'String':
        return { kind: 'string', value: t.startsWith('`') ? t.slice(1, -1) : (JSON.parse(t) as string) };
      case 'Integer':
      case 'Float':
        return { kind: 'number', value: Number(t) };
      case 'Duration':
        return { kind: 'duration', value: durationMs(t) ?? this.fail(n, `invalid duration ${t}`) };
    }
    if (t === 'nil') return { kind: 'nil' };
    if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
    if (t === 'error' || t === 'ok' || t === 'unset') return { kind: 'status', value: t };
    if (t in KINDS) return { kind: 'kind', value: KINDS[t]! };
    return this.fail(n, `unexpected value ${t}`);
  }

  private fieldsIn(n: SyntaxNode): Field[] {
    const out: Field[] = [];
    const walk = (x: SyntaxNode) => {
      for (const k of kids(x)) {
        const f = k.name === 'IntrinsicField' || k.name === 'AttributeField' ? this.fieldOf(k) : undefined;
        if (f) out.push(f);
        else walk(k);
      }
    };
    walk(n);
    return out;
  }

  private scalarFilter(n: SyntaxNode): Stage {
    const c = kids(n);
    const agg = c.find((k) => k.name === 'ScalarExpression')!;
    const fnText = this.txt(agg).trim();
    const m = /^(count|avg|min|max|sum)\s*\(([^)]*)\)$/.exec(fnText);
    if (!m) throw new TraceQLUnsupportedError(`the scalar filter "${fnText}"`);
    const opNode = c.find((k) => k.name === 'ComparisonOp')!;
    const rhs = c[c.length - 1]!;
    const valNode = rhs.firstChild ?? rhs;
    const field = m[2]!.trim() ? this.fieldsIn(agg)[0] : undefined;
    if (m[1] !== 'count' && !field) this.fail(agg, `${m[1]}() needs a field, e.g. ${m[1]}(duration)`);
    const value: Static = valNode.name === 'Duration' ? { kind: 'duration', value: durationMs(this.txt(valNode))! } : { kind: 'number', value: Number(this.txt(valNode)) };
    if (value.kind === 'number' && Number.isNaN(value.value)) throw new TraceQLUnsupportedError(`the scalar filter value ${this.txt(rhs)}`);
    return { type: 'scalar', fn: m[1] as 'count', field, op: this.txt(opNode).trim() as CmpOp, value };
  }

  private seriesSelect(n: SyntaxNode): { fn: 'topk' | 'bottomk'; k: number } {
    const m = /^\s*(topk|bottomk)\s*\(\s*(\d+)\s*\)\s*$/.exec(this.txt(n));
    if (!m) this.fail(n, 'topk/bottomk take a whole number of series, e.g. topk(5)');
    const k = Number(m![2]);
    if (!(k >= 1)) this.fail(n, `${m![1]}() needs at least one series`);
    return { fn: m![1] as 'topk' | 'bottomk', k };
  }

  private metricsOp(n: SyntaxNode): MetricsOp {
    const op = n.firstChild!;
    const text = this.txt(op);
    const fn = /^\s*([a-z_]+)/.exec(text)![1]!;
    if (!METRIC_FNS.has(fn)) throw new TraceQLUnsupportedError(`the metrics function ${fn}`);
    const group = kids(op).find((k) => k.name === 'GroupOperation');
    const by = group ? this.fieldsIn(group) : [];
    const args = kids(op).filter((k) => k !== group);
    const argFields = args.flatMap((a) => (a.name === 'IntrinsicField' || a.name === 'AttributeField' ? [this.fieldOf(a)!] : a.name === 'MetricsExpression' || a.name === 'MetricsOperationQuantileArgs' ? this.fieldsIn(a) : []));
    const out: MetricsOp = { fn: fn as MetricsOp['fn'], by, quantiles: [], field: argFields[0] };
    if (fn === 'quantile_over_time') {
      const argText = this.txt(args.find((a) => a.name === 'MetricsOperationQuantileArgs') ?? op);
      out.quantiles = argText.split(',').slice(1).map((s) => Number(s.trim()));
      if (!out.quantiles.length || out.quantiles.some((q) => Number.isNaN(q))) this.fail(op, 'quantile_over_time(field, q…) needs quantiles such as 0.5, 0.99');
    }
    if (fn !== 'rate' && fn !== 'count_over_time' && !out.field) this.fail(op, `${fn} needs a field, e.g. ${fn}(duration)`);
    return out;
  }
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** A TraceQL duration literal (Go syntax) in milliseconds. */
function durationMs(s: string): number | undefined {
  let rest = s.trim();
  let total = 0;
  const re = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
  if (!rest) return undefined;
  while (rest) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}
