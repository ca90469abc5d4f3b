// Validates LogQL with Grafana's own Lezer grammar: no error nodes anywhere in the tree.
import { parser } from '@grafana/lezer-logql';

export function logqlErrors(q: string): string[] {
  const errs: string[] = [];
  parser.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) errs.push(`error node at ${n.from}: ${q.slice(Math.max(0, n.from - 10), n.to + 10)}`);
    },
  });
  return errs;
}
