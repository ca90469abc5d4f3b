// Synchronous lazy loading of a dependency that only some commands need.
//
// Parsers and engines such as RE2 (re2js) and the PromQL grammar are called from synchronous code
// (matchers, filters), so `await import()` does not fit; yet loading them at start-up costs every
// command tens of milliseconds even when it never compiles a pattern. `require` of the package's
// CommonJS build on first use keeps the call sites synchronous and the start-up free of them.
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A getter that loads `id` on its first call and returns the same module ever after. */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireHere(id) as T);
}
