// LogQL text → the engine's AST, through Grafana's official grammar (@grafana/lezer-logql, loaded on the
// first parse). A syntax error names its column; a construct the bundle engine does not run is refused by
// name (LogQLUnsupportedError), so the caller knows to send that query to a live Loki.
import type { SyntaxNode } from '@lezer/common';
import { lazyRequire } from '../../util/lazy.js';
import { compileSafeRegex } from '../../util/regex.js';
import { firstErrorAt, kids, unexpectedAt } from '../lezer.js';
import { LogQLParseError, LogQLUnsupportedError } from './errors.js';

export { LogQLParseError, LogQLUnsupportedError };
import type { BinaryExpr, BinaryOp, CmpOp, Grouping, LabelFilterExpr, LabelMatcher, LineFilter, LogQLExpr, LogSelectorExpr, MetricExpr, RangeAggregation, RangeOp, Stage, Unwrap, VectorOp } from './ast.js';

const grammar = lazyRequire<typeof import('@grafana/lezer-logql')>('@grafana/lezer-logql');

const child = (n: SyntaxNode, name: string) => kids(n).find((c) => c.name === name);

export function parseLogQL(text: string): LogQLExpr {
  if (!text.trim()) throw new LogQLParseError(text, 0, 'empty query');
  const tree = grammar().parser.parse(text);
  const err = firstErrorAt(tree);
  if (err >= 0) throw new LogQLParseError(text, err, unexpectedAt(text, err));
  const p = new Parser(text);
  const expr = tree.topNode.firstChild;
  if (!expr) throw new LogQLParseError(text, 0, 'empty query');
  return p.expr(expr);
}

const RANGE_OPS = new Set<string>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time', 'sum_over_time', 'avg_over_time', 'max_over_time', 'min_over_time', 'stdvar_over_time', 'stddev_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time', 'rate_counter']);
const VECTOR_OPS = new Set<string>(['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc']);
const BIN_OPS: Record<string, BinaryOp> = { Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', CmpEq: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=', And: 'and', Or: 'or', Unless: 'unless' };
// Loki's precedence (as Prometheus'): the grammar nests every chain to the left, so chains are rebuilt.
const PREC: Record<BinaryOp, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6 };
const CMP: Record<string, CmpOp> = { Eq: '==', CmpEq: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=' };

class Parser {
  constructor(private readonly q: string) {}

  private txt(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  private fail(n: SyntaxNode, detail: string): never {
    throw new LogQLParseError(this.q, n.from, detail);
  }

  expr(n: SyntaxNode): LogQLExpr {
    if (n.name === 'Expr') return this.expr(n.firstChild!);
    if (n.name === 'LogExpr') return this.logExpr(n);
    if (n.name === 'MetricExpr') return this.metric(n);
    return this.fail(n, `unexpected ${n.name}`);
  }

  private string(n: SyntaxNode): string {
    const s = this.txt(n);
    if (s.startsWith('`')) return s.slice(1, -1);
    try {
      return JSON.parse(s) as string;
    } catch {
      // Go escapes JSON lacks (\a, \v, \x…): keep the text between the quotes.
      return s.slice(1, -1).replace(/\\(["\\])/g, '$1');
    }
  }

  private matcher(n: SyntaxNode): LabelMatcher {
    const c = kids(n);
    const op = ({ Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' } as const)[c[1]!.name as 'Eq'];
    if (!op) this.fail(n, `unexpected matcher operator ${this.txt(c[1]!)}`);
    return { name: this.txt(c[0]!), op, value: this.string(c[2]!) };
  }

  private selector(n: SyntaxNode): LabelMatcher[] {
    const out: LabelMatcher[] = [];
    const walk = (m: SyntaxNode) => {
      for (const c of kids(m)) {
        if (c.name === 'Matcher') out.push(this.matcher(c));
        else if (c.name === 'Matchers') walk(c);
      }
    };
    walk(n);
    if (!out.some((m) => !matchesEmpty(m))) this.fail(n, 'a stream selector needs at least one matcher that does not match the empty string, e.g. {service_name="checkout"}');
    return out;
  }

  private logExpr(n: SyntaxNode): LogSelectorExpr {
    const sel = child(n, 'Selector');
    if (!sel) {
      const inner = child(n, 'LogExpr');
      if (inner) return this.logExpr(inner);
      this.fail(n, 'a log query starts with a stream selector such as {service_name="checkout"}');
    }
    const stages: Stage[] = [];
    for (const c of kids(n)) if (c.name === 'PipelineExpr') this.pipeline(c, stages);
    return { type: 'log', matchers: this.selector(sel), stages };
  }

  private pipeline(n: SyntaxNode, out: Stage[]): void {
    for (const c of kids(n)) {
      if (c.name === 'PipelineExpr') this.pipeline(c, out);
      else if (c.name === 'PipelineStage') this.stage(c, out);
    }
  }

  private stage(n: SyntaxNode, out: Stage[]): void {
    const c = kids(n).find((x) => x.name !== 'Pipe')!;
    switch (c.name) {
      case 'LineFilters':
        this.lineFilters(c, out);
        return;
      case 'LabelParser': {
        const kind = c.firstChild!.name;
        const arg = child(c, 'String');
        if (kind === 'Json') out.push({ kind: 'json' });
        else if (kind === 'Logfmt') out.push({ kind: 'logfmt', strict: false, keepEmpty: false });
        else if (kind === 'Regexp') out.push({ kind: 'regexp', regex: this.string(arg!) });
        else if (kind === 'Pattern') out.push({ kind: 'pattern', pattern: this.string(arg!) });
        else throw new LogQLUnsupportedError(`the ${this.txt(c.firstChild!)} parser`);
        return;
      }
      case 'JsonExpressionParser':
        out.push({ kind: 'json', params: this.extractions(c) });
        return;
      case 'LogfmtParser':
      case 'LogfmtExpressionParser': {
        const flags = this.txt(child(c, 'LogfmtParserFlags') ?? c.firstChild!);
        out.push({ kind: 'logfmt', strict: flags.includes('--strict'), keepEmpty: flags.includes('--keep-empty'), params: c.name === 'LogfmtExpressionParser' ? this.extractions(c) : undefined });
        return;
      }
      case 'LabelFilter':
        out.push({ kind: 'labels', filter: this.labelFilter(c) });
        return;
      case 'LineFormatExpr':
        out.push({ kind: 'line_format', template: this.string(child(c, 'String')!) });
        return;
      case 'DropLabelsExpr':
      case 'KeepLabelsExpr': {
        const names: string[] = [];
        const matchers: LabelMatcher[] = [];
        const walk = (x: SyntaxNode) => {
          for (const k of kids(x)) {
            if (k.name !== 'DropLabel' && k.name !== 'KeepLabel') walk(k);
            else if (k.firstChild!.name === 'Matcher') matchers.push(this.matcher(k.firstChild!));
            else names.push(this.txt(k.firstChild!));
          }
        };
        walk(c);
        out.push({ kind: c.name === 'DropLabelsExpr' ? 'drop' : 'keep', names, matchers });
        return;
      }
      case 'DecolorizeExpr':
        out.push({ kind: 'decolorize' });
        return;
      case 'LabelFormatExpr':
        throw new LogQLUnsupportedError('label_format');
      default:
        throw new LogQLUnsupportedError(`the pipeline stage "${this.txt(c).slice(0, 40)}"`);
    }
  }

  private extractions(n: SyntaxNode): Array<{ label: string; path: string }> {
    const out: Array<{ label: string; path: string }> = [];
    const walk = (x: SyntaxNode) => {
      for (const k of kids(x)) {
        if (k.name === 'LabelExtractionExpression') {
          const id = this.txt(child(k, 'Identifier')!);
          const s = child(k, 'String');
          out.push({ label: id, path: s ? this.string(s) : id });
        } else if (k.name === 'LabelExtractionExpressionList') walk(k);
      }
    };
    walk(n);
    return out;
  }

  private lineFilters(n: SyntaxNode, out: Stage[]): void {
    for (const c of kids(n)) {
      if (c.name === 'LineFilters') this.lineFilters(c, out);
      else if (c.name === 'LineFilter') out.push({ kind: 'line', filter: this.lineFilter(c) });
    }
  }

  private lineFilter(n: SyntaxNode): LineFilter {
    const f = child(n, 'Filter')!;
    const op = ({ PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~', PipePattern: '|>', Npa: '!>' } as const)[f.firstChild!.name as 'PipeExact'];
    if (!op) throw new LogQLUnsupportedError(`the line filter ${this.txt(f)}`);
    const values: string[] = [];
    const first = child(n, 'String');
    if (!first) throw new LogQLUnsupportedError(`the line filter "${this.txt(n).slice(0, 40)}" (only string arguments are supported, not ip())`);
    values.push(this.string(first));
    const walk = (x: SyntaxNode) => {
      for (const k of kids(x)) {
        if (k.name === 'OrFilter') {
          const s = child(k, 'String');
          if (!s) throw new LogQLUnsupportedError(`the line filter "${this.txt(k)}"`);
          values.push(this.string(s));
          walk(k);
        }
      }
    };
    walk(n);
    return { op, values };
  }

  private labelFilter(n: SyntaxNode): LabelFilterExpr {
    const c = kids(n);
    const parts: LabelFilterExpr[] = [];
    let joiner: 'and' | 'or' = 'and';
    for (const k of c) {
      if (k.name === 'And') joiner = 'and';
      else if (k.name === 'Or') joiner = 'or';
      else if (k.name === 'LabelFilter') parts.push(this.labelFilter(k));
      else if (k.name === 'Matcher') parts.push({ kind: 'match', matcher: this.matcher(k) });
      else if (k.name === 'NumberFilter') parts.push(this.compare(k, 'number'));
      else if (k.name === 'UnitFilter') {
        const u = k.firstChild!;
        parts.push(this.compare(u, u.name === 'DurationFilter' ? 'duration' : 'bytes'));
      } else if (k.name === 'IpLabelFilter') throw new LogQLUnsupportedError('the ip() label filter');
    }
    if (parts.length === 1) return parts[0]!;
    if (parts.length === 2) return { kind: joiner, left: parts[0]!, right: parts[1]! };
    return this.fail(n, 'unexpected label filter');
  }

  private compare(n: SyntaxNode, unit: 'number' | 'duration' | 'bytes'): LabelFilterExpr {
    const c = kids(n);
    const name = this.txt(c[0]!);
    const op = CMP[c[1]!.name];
    if (!op) this.fail(c[1]!, `unexpected comparison ${this.txt(c[1]!)}`);
    const raw = this.txt(c[2]!).trim();
    const value = unit === 'duration' ? goDurationSeconds(raw) : unit === 'bytes' ? parseBytes(raw) : Number(raw);
    if (value === undefined || Number.isNaN(value)) this.fail(c[2]!, `cannot read "${raw}" as a ${unit}`);
    return { kind: 'compare', name, op, value, unit };
  }

  private metric(n: SyntaxNode): MetricExpr {
    if (n.name === 'Expr' || n.name === 'MetricExpr') {
      const c = kids(n).filter((x) => x.name !== '(' && x.name !== ')');
      if (c.length === 1) return this.metric(c[0]!);
      return this.fail(n, 'unexpected expression');
    }
    switch (n.name) {
      case 'RangeAggregationExpr':
        return this.rangeAgg(n);
      case 'VectorAggregationExpr':
        return this.vectorAgg(n);
      case 'BinOpExpr':
        return this.binary(n);
      case 'LiteralExpr': {
        const neg = kids(n).some((x) => x.name === 'Sub');
        const v = Number(this.txt(child(n, 'Number')!));
        return { type: 'literal', value: neg ? -v : v };
      }
      case 'VectorExpr':
        return { type: 'vector_literal', value: Number(this.txt(child(n, 'Number')!)) };
      case 'LabelReplaceExpr':
        throw new LogQLUnsupportedError('label_replace');
      case 'LogExpr':
        this.fail(n, 'a log query cannot be used where a metric is expected; wrap it in a range aggregation such as count_over_time({…}[5m])');
      // falls through (fail never returns)
      default:
        throw new LogQLUnsupportedError(`"${this.txt(n).slice(0, 40)}"`);
    }
  }

  private grouping(n: SyntaxNode | undefined): Grouping | undefined {
    if (!n) return undefined;
    const labels: string[] = [];
    const walk = (x: SyntaxNode) => {
      for (const k of kids(x)) {
        if (k.name === 'Identifier') labels.push(this.txt(k));
        else walk(k);
      }
    };
    walk(n);
    return child(n, 'Without') ? { without: labels } : { by: labels };
  }

  private rangeAgg(n: SyntaxNode): RangeAggregation {
    const opText = this.txt(child(n, 'RangeOp')!);
    if (!RANGE_OPS.has(opText)) throw new LogQLUnsupportedError(`the range aggregation ${opText}`);
    const op = opText as RangeOp;
    const numNode = child(n, 'Number');
    const lr = child(n, 'LogRangeExpr');
    if (!lr) return this.fail(n, `${op} needs a log range such as {service_name="checkout"}[5m]`);
    const sel = child(lr, 'Selector') ?? this.fail(lr, 'a log range needs a stream selector');
    const stages: Stage[] = [];
    let unwrap: Unwrap | undefined;
    let rangeMs = 0;
    let offsetMs = 0;
    for (const c of kids(lr)) {
      if (c.name === 'PipelineExpr') this.pipeline(c, stages);
      else if (c.name === 'UnwrapExpr') unwrap = this.unwrap(c);
      else if (c.name === 'Range') rangeMs = goDurationSeconds(this.txt(child(c, 'Duration')!))! * 1000;
      else if (c.name === 'OffsetExpr') offsetMs = goDurationSeconds(this.txt(child(c, 'Duration')!))! * 1000;
    }
    if (!(rangeMs > 0)) this.fail(lr, 'the range must be a positive duration, e.g. [5m]');
    const needsUnwrap = !['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time'].includes(op);
    if (needsUnwrap && !unwrap) this.fail(n, `${op} needs an unwrapped label: … | unwrap <label> [range]`);
    if (!needsUnwrap && unwrap && op !== 'rate') this.fail(n, `${op} counts lines: it takes no unwrap`);
    if (op === 'quantile_over_time' && !numNode) this.fail(n, 'quantile_over_time needs a quantile first: quantile_over_time(0.99, … | unwrap x [5m])');
    const grouping = this.grouping(child(n, 'Grouping'));
    return { type: 'range', op: unwrap && op === 'rate' ? 'rate' : op, param: numNode ? Number(this.txt(numNode)) : undefined, log: { type: 'log', matchers: this.selector(sel), stages }, rangeMs, offsetMs, unwrap, grouping };
  }

  private unwrap(n: SyntaxNode): Unwrap {
    const inner = child(n, 'UnwrapExpr');
    const base: Unwrap = inner ? this.unwrap(inner) : { label: '', post: [] };
    if (!inner) {
      base.label = this.txt(child(n, 'Identifier')!);
      const conv = child(n, 'ConvOp');
      if (conv) base.conv = ({ DurationConv: 'duration', DurationSecondsConv: 'duration_seconds', BytesConv: 'bytes' } as const)[conv.firstChild!.name as 'BytesConv'];
    }
    const f = child(n, 'LabelFilter');
    if (f && inner) base.post.push(this.labelFilter(f));
    return base;
  }

  private vectorAgg(n: SyntaxNode): MetricExpr {
    const opText = this.txt(child(n, 'VectorOp')!).toLowerCase();
    if (!VECTOR_OPS.has(opText)) throw new LogQLUnsupportedError(`the aggregation ${opText}`);
    const num = child(n, 'Number');
    const inner = child(n, 'MetricExpr') ?? this.fail(n, `${opText} needs a metric expression`);
    if ((opText === 'topk' || opText === 'bottomk') && !num) this.fail(n, `${opText} needs k first: ${opText}(5, …)`);
    return { type: 'vector', op: opText as VectorOp, param: num ? Number(this.txt(num)) : undefined, grouping: this.grouping(child(n, 'Grouping')), expr: this.metric(inner) };
  }

  private binary(n: SyntaxNode): MetricExpr {
    // Flatten the left-nested chain, then rebuild it by precedence (^ is right-associative).
    const operands: MetricExpr[] = [];
    const ops: Array<{ op: BinaryOp; bool: boolean; on?: string[]; ignoring?: string[] }> = [];
    // An operand that is itself an unparenthesised binary expression belongs to the same chain.
    const chained = (side: SyntaxNode) => {
      const inner = side.name === 'Expr' ? side.firstChild : side;
      return inner?.name === 'MetricExpr' && inner.firstChild?.name === 'BinOpExpr' ? inner.firstChild : undefined;
    };
    const collect = (x: SyntaxNode) => {
      const c = kids(x);
      const lhs = c[0]!;
      const lhsBin = chained(lhs);
      if (lhsBin) collect(lhsBin);
      else operands.push(this.metric(lhs));
      const opNode = c.find((k) => BIN_OPS[k.name] !== undefined)!;
      const mod = child(x, 'BinOpModifier');
      const modText = mod ? this.txt(mod) : '';
      const labels = (kw: string) => {
        const m = new RegExp(`\\b${kw}\\s*\\(([^)]*)\\)`).exec(modText);
        return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      };
      if (/\bgroup_(left|right)\b/.test(modText)) throw new LogQLUnsupportedError('group_left/group_right');
      ops.push({ op: BIN_OPS[opNode.name]!, bool: /\bbool\b/.test(modText), on: labels('on'), ignoring: labels('ignoring') });
      const rhs = c[c.length - 1]!;
      const rhsBin = chained(rhs);
      if (rhsBin) collect(rhsBin);
      else operands.push(this.metric(rhs));
    };
    collect(n);
    let i = 0;
    const climb = (lhs: MetricExpr, minPrec: number): MetricExpr => {
      while (i < ops.length && PREC[ops[i]!.op] >= minPrec) {
        const o = ops[i]!;
        i++;
        let rhs = operands[i]!;
        while (i < ops.length && (PREC[ops[i]!.op] > PREC[o.op] || (ops[i]!.op === '^' && o.op === '^'))) rhs = climb(rhs, PREC[ops[i]!.op] > PREC[o.op] ? PREC[o.op] + 1 : PREC[o.op]);
        lhs = { type: 'binary', op: o.op, lhs, rhs, bool: o.bool, on: o.on, ignoring: o.ignoring } satisfies BinaryExpr;
      }
      return lhs;
    };
    return climb(operands[0]!, 0);
  }
}

function matchesEmpty(m: LabelMatcher): boolean {
  if (m.op === '=') return m.value === '';
  if (m.op === '!=') return m.value !== '';
  const re = compileSafeRegex(m.value, { anchored: true, dotAll: true });
  return m.op === '=~' ? re.test('') : !re.test('');
}

const DUR_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
/** Go's time.ParseDuration (plus Prometheus' d/w/y), in seconds; undefined when not a duration. */
export function goDurationSeconds(s: string): number | undefined {
  const t = s.trim();
  const m0 = /^([-+]?)(.*)$/.exec(t)!;
  let rest = m0[2]!;
  if (rest === '0') return 0;
  if (!rest) return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * DUR_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return m0[1] === '-' ? -total : total;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, pib: 1024 ** 5, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };
/** Byte sizes as Loki reads them (humanize.ParseBytes: "2KB", "1.5 MiB", "42"). */
export function parseBytes(s: string): number | undefined {
  const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(s);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (unit && BYTE_UNITS[unit] === undefined) return undefined;
  return Number(m[1]) * (unit ? BYTE_UNITS[unit]! : 1);
}
