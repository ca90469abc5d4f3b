// Operators the three query languages share: label matchers (`=`, `!=`, and RE2 `=~`/`!~`, fully anchored
// with `.` matching newlines, as Prometheus, Loki and Tempo anchor them) and number comparisons/arithmetic.
import { compileSafeRegex } from '../util/regex.js';

/** A label matcher as a test of one value; a bad regex throws PatternError (callers say in which language). */
export function compileLabelMatcher(m: { op: '=' | '!=' | '=~' | '!~'; value: string }): (v: string) => boolean {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~':
    case '!~': {
      const r = compileSafeRegex(m.value, { anchored: true, dotAll: true });
      return m.op === '=~' ? (v) => r.test(v) : (v) => !r.test(v);
    }
  }
}

/** `a op b` for a comparison; TraceQL's `=` is PromQL's and LogQL's `==`. */
export function compare(op: string, a: number | string, b: number | string): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
  throw new Error(`unknown comparison ${op}`);
}

/** A binary operator on two numbers; comparisons give 1 or 0 (PromQL's and LogQL's `bool` results). */
export function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case 'atan2':
      return Math.atan2(a, b);
  }
  return compare(op, a, b) ? 1 : 0;
}
