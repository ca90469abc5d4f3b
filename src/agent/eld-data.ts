// eld's extra-small n-gram table, read from a file written at build time (scripts/eld-ngrams.ts) when it
// was written for the installed eld. eld's own module holds the table as a 1 MB object literal that
// takes ~220 ms to compile and run, about a seventh of a cold `investigate`; the build's file keeps the
// n-grams as two strings and the scores of an n-gram are parsed when a question asks for it (loading
// it ~45 ms cold, against ~95 ms for the table as a JSON object). Without the file (a run from source) or after an eld
// upgrade, eld's module is used.
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

/** eld's n-gram table as its modules hold it. */
export interface EldTable {
  type: string;
  languages: unknown;
  isSubset?: unknown;
  ngrams: Record<string, unknown>;
}

/** eld's table with its n-grams as two strings (scripts/eld-ngrams.ts). */
export interface PackedNgrams {
  type: string;
  languages: unknown;
  isSubset?: unknown;
  /** The n-grams, joined by NUL. */
  keys: string;
  /** Each n-gram's scores by language index, as JSON, joined by NUL in the same order. */
  values: string;
}

const SEP = '\u0000';

export function packNgrams(data: EldTable): PackedNgrams {
  const keys = Object.keys(data.ngrams);
  if (keys.some((k) => k.includes(SEP))) throw new Error('an eld n-gram holds NUL: the packed table cannot be written');
  return { type: data.type, languages: data.languages, isSubset: data.isSubset, keys: keys.join(SEP), values: keys.map((k) => JSON.stringify(data.ngrams[k])).join(SEP) };
}

/**
 * The table eld reads (`ngrams[key]` for each of a text's n-grams), with each n-gram's scores parsed
 * when first asked for. Enumerating it (eld's subsets, which we do not use) lists every key.
 */
export function unpackNgrams(p: PackedNgrams): EldTable {
  const keys = p.keys.split(SEP);
  const at = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) at.set(keys[i]!, i);
  let values: string[] | undefined;
  const parsed = new Map<number, unknown>();
  const get = (k: string | symbol): unknown => {
    const i = typeof k === 'string' ? at.get(k) : undefined;
    if (i === undefined) return undefined;
    let v = parsed.get(i);
    if (v === undefined) {
      values ??= p.values.split(SEP);
      parsed.set(i, (v = JSON.parse(values[i]!) as unknown));
    }
    return v;
  };
  const ngrams = new Proxy({} as Record<string, unknown>, {
    get: (_, k) => get(k),
    has: (_, k) => typeof k === 'string' && at.has(k),
    ownKeys: () => keys,
    getOwnPropertyDescriptor: (_, k) => (typeof k === 'string' && at.has(k) ? { value: get(k), enumerable: true, configurable: true, writable: false } : undefined),
  });
  return { type: p.type, languages: p.languages, isSubset: p.isSubset, ngrams };
}

/** The detector: from the build's table when it matches the installed eld, else from eld's own module. */
export async function loadEld(): Promise<Eld> {
  let saved: { eld?: string; packed?: PackedNgrams } | undefined;
  try {
    saved = JSON.parse(readFileSync(ELD_JSON, 'utf8')) as { eld?: string; packed?: PackedNgrams };
  } catch {
    saved = undefined; // not built (a run from source): eld's module
  }
  if (saved?.packed && saved.eld === eldVersion()) {
    try {
      return await eldFrom(unpackNgrams(saved.packed));
    } catch {
      // eld's internals moved (another version): its public module still works
    }
  }
  return (await import('eld/extrasmall')).eld;
}
