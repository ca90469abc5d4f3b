// What can go wrong with a LogQL query on a bundle: bad syntax (with the column), a construct the bundle
// engine does not run (named, so the query can go to a live Loki instead), or a query that cannot be
// evaluated as written (a bad regex, a pipeline error in a metric query).

import { QuerySyntaxError, UnsupportedConstructError } from '../lezer.js';

export class LogQLParseError extends QuerySyntaxError {
  constructor(query: string, position: number, detail: string) {
    super('LogQL', query, position, detail);
    this.name = 'LogQLParseError';
  }
}

export class LogQLUnsupportedError extends UnsupportedConstructError {
  constructor(construct: string) {
    super(construct, 'LogQL', 'Loki (LOKI_URL)');
    this.name = 'LogQLUnsupportedError';
  }
}

export class LogQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogQLError';
  }
}
