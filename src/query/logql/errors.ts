// What can go wrong with a LogQL query on a bundle: bad syntax (with the column), a construct the bundle
// engine does not run (named, so the query can go to a live Loki instead), or a query that cannot be
// evaluated as written (a bad regex, a pipeline error in a metric query).

export class LogQLParseError extends Error {
  constructor(
    readonly query: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid LogQL at column ${position + 1}: ${detail}\n  ${query}\n  ${' '.repeat(position)}^`);
    this.name = 'LogQLParseError';
  }
}

/** A valid LogQL construct that the bundle engine does not evaluate. */
export class LogQLUnsupportedError extends Error {
  constructor(readonly construct: string) {
    super(`${construct} is not supported by the bundle LogQL engine; run this query against a live Loki (LOKI_URL)`);
    this.name = 'LogQLUnsupportedError';
  }
}

export class LogQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogQLError';
  }
}
