// What the three grammar-based parsers share: walking a lezer tree, finding the first error node, and the
// syntax error that names its column.
import type { SyntaxNode, Tree } from '@lezer/common';

export function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Position of the first error node (lezer recovers from errors by inserting them), or -1. */
export function firstErrorAt(tree: Tree): number {
  let at = -1;
  tree.iterate({
    enter(n) {
      if (at >= 0) return false;
      if (n.type.isError) at = n.from;
      return at < 0 ? undefined : false;
    },
  });
  return at;
}

/** A query that does not parse: the language, the column, and a caret under it. */
export class QuerySyntaxError extends Error {
  constructor(
    language: string,
    readonly query: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid ${language} at column ${position + 1}: ${detail}\n  ${query}\n  ${' '.repeat(position)}^`);
  }
}

/** A valid construct that a bundle engine does not evaluate: named, with where to run it instead. */
export class UnsupportedConstructError extends Error {
  constructor(
    readonly construct: string,
    language: string,
    live: string,
  ) {
    super(`${construct} is not supported by the bundle ${language} engine; run this query against a live ${live}`);
  }
}

/** "unexpected …" for the text at an error position. */
export function unexpectedAt(q: string, at: number): string {
  const near = q.slice(at, at + 20);
  return near ? `unexpected "${near}"` : 'unexpected end of query';
}
