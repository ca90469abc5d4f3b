// TraceQL validation with Grafana's grammar: the positions of error nodes (none = valid).
import { parser } from '@grafana/lezer-traceql';

export function traceqlErrors(q: string): number[] {
  const errs: number[] = [];
  parser.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) errs.push(n.from);
    },
  });
  return errs;
}
