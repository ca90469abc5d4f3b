// The files of each signal a bundle holds, as openBundle finds them; the decode worker finds them the
// same way when the launcher starts it on a folder name alone (early-decode.ts).
import { bundleTarget, containmentOf } from './files.js';
import { catalogBundle, type CatalogEntry } from './formats/catalog.js';
import type { Format, Signal } from './formats/detect.js';

export interface SignalFiles {
  files: string[];
  /** The format of each file (those that are not the signal's default are read by their own reader). */
  formats: Map<string, Format>;
}

/** One signal's part of the decode worker's job: the formats as entries (a message holds no Map). */
export interface JobFiles {
  files: string[];
  formats: Array<[string, Format]>;
}

/** One signal's files as the worker's job carries them, or undefined when it has none. */
export function jobFiles(f: { files: string[]; formats?: Map<string, Format> } | undefined): JobFiles | undefined {
  return f && f.files.length ? { files: f.files, formats: [...(f.formats ?? [])] } : undefined;
}

/** The readable files of one signal, and their formats. */
export function filesOf(catalog: CatalogEntry[], signal: Signal): SignalFiles {
  const files: string[] = [];
  const formats = new Map<string, Format>();
  for (const e of catalog) {
    if (e.signal !== signal || e.problem) continue;
    files.push(e.file);
    formats.set(e.file, e.format);
  }
  return { files, formats };
}

/** The trace, log and metric files of a bundle folder (or of one file), or undefined when there is no such path. */
export async function decodableFiles(dir: string): Promise<{ traces: SignalFiles; logs: SignalFiles; metrics: SignalFiles } | undefined> {
  const target = await bundleTarget(dir);
  if (!target) return undefined;
  const catalog = await catalogBundle(target.root, await containmentOf(target.root, []), target.only);
  return { traces: filesOf(catalog, 'traces'), logs: filesOf(catalog, 'logs'), metrics: filesOf(catalog, 'metrics') };
}
