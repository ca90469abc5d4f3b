// eld's extra-small n-gram table, read from JSON written at build time (scripts/eld-ngrams.ts) when it
// was written for the installed eld. V8 parses that JSON in ~40 ms; eld's own module holds the same
// table as a 1 MB object literal that takes ~220 ms to compile and run, about a seventh of a cold
// `investigate`. Without the file (a run from source) or after an eld upgrade, eld's module is used.
import { readFileSync } from 'node:fs';

export type Eld = typeof import('eld/extrasmall').eld;

/** Where the build writes the table: dist/eld-ngrams-extrasmall.json. */
export const ELD_JSON = new URL('../../eld-ngrams-extrasmall.json', import.meta.url);

/** A file of the installed eld package, relative to its extra-small entry (src/entries/). */
export function eldFile(rel: string): URL {
  return new URL(rel, import.meta.resolve('eld/extrasmall'));
}

export function eldVersion(): string {
  return (JSON.parse(readFileSync(eldFile('../../package.json'), 'utf8')) as { version: string }).version;
}

/** An eld detector over an n-gram table, built the way eld's static entries build theirs. */
export async function eldFrom(ngrams: unknown): Promise<Eld> {
  const { createEld } = (await import(eldFile('../languageDetector.js').href)) as { createEld: () => { instance: Eld; loadData: (data: unknown) => void } };
  const { instance, loadData } = createEld();
  loadData(ngrams);
  return instance;
}

/** The detector: from the build's JSON when it matches the installed eld, else from eld's own module. */
export async function loadEld(): Promise<Eld> {
  let saved: { eld?: string; ngrams?: unknown } | undefined;
  try {
    saved = JSON.parse(readFileSync(ELD_JSON, 'utf8')) as { eld?: string; ngrams?: unknown };
  } catch {
    saved = undefined; // not built (a run from source): eld's module
  }
  if (saved?.ngrams && saved.eld === eldVersion()) {
    try {
      return await eldFrom(saved.ngrams);
    } catch {
      // eld's internals moved (another version): its public module still works
    }
  }
  return (await import('eld/extrasmall')).eld;
}
