// Regular expressions that come from a user or a model run on RE2 (re2js): matching time is linear
// in the input, whatever the pattern, so `(.*a){20}` cannot freeze the event loop the way a
// backtracking engine (JavaScript's RegExp) does. RE2 is also the dialect of Loki, Tempo and
// Prometheus, so a pattern behaves the same on a bundle as on the live backend.
import type { RE2JS } from 're2js';
import { lazyRequire } from './lazy.js';

// Loaded on the first pattern compiled (most commands compile none).
const re2 = lazyRequire<typeof import('re2js')>('re2js');

/** Longest pattern accepted: a pattern is a filter, not a program (and RE2 compiles it to an automaton). */
export const MAX_PATTERN_CHARS = 1000;

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/** A compiled pattern with the one operation Queryless needs. */
export interface SafeRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in `text` (or the whole text when compiled `anchored`). */
  test(text: string): boolean;
}

export interface SafeRegexOptions {
  caseInsensitive?: boolean;
  /** Match the whole value (PromQL / TraceQL label matchers are anchored). */
  anchored?: boolean;
  /** `.` also matches a newline (PromQL's `(?s)` default). */
  dotAll?: boolean;
}

/** Compiles `pattern` with RE2 semantics; throws PatternError (readable, with the cause) when it is not valid RE2. */
export function compileSafeRegex(pattern: string, opts: SafeRegexOptions = {}): SafeRegex {
  if (pattern.length > MAX_PATTERN_CHARS) {
    throw new PatternError(`regex too long (${pattern.length} characters, at most ${MAX_PATTERN_CHARS})`);
  }
  const { RE2JS: Engine } = re2();
  let flags = 0;
  if (opts.caseInsensitive) flags |= Engine.CASE_INSENSITIVE;
  if (opts.dotAll) flags |= Engine.DOTALL;
  let re: RE2JS;
  try {
    re = Engine.compile(pattern, flags);
  } catch (e) {
    // RE2 refuses what it cannot run in linear time (look-arounds, back-references): say so.
    throw new PatternError(`invalid regex ${JSON.stringify(pattern.slice(0, 200))} (RE2 syntax, as Loki/Tempo/Prometheus use): ${(e as Error).message}`);
  }
  return opts.anchored ? { source: pattern, test: (t) => re.testExact(t) } : { source: pattern, test: (t) => re.test(t) };
}
