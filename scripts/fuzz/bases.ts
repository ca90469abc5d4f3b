// The real bundles a fuzz case starts from: the demo incident (with a few profiles per service, so a case
// costs seconds, not the full investigation), the MCP tests' mini bundle, and each format sample folder
// the format tests open as a bundle of its own.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Base {
  name: string;
  dir: string;
  /** How often it is drawn, relative to the others. */
  weight: number;
}

/** Profiles kept per service folder when the demo is copied. */
const DEMO_PROFILES_PER_SERVICE = 3;

export function fuzzBases(repo: string): Base[] {
  const bases: Base[] = [
    { name: 'demo-checkout', dir: path.join(repo, 'evals/incidents/demo-checkout'), weight: 1 },
    { name: 'mini-bundle', dir: path.join(repo, 'test/fixtures/mini-bundle'), weight: 3 },
  ];
  const formats = path.join(repo, 'test/fixtures/formats');
  for (const f of readdirSync(formats).sort()) bases.push({ name: `formats/${f}`, dir: path.join(formats, f), weight: 1 });
  return bases;
}

/** Copies a base into `out`; the demo loses most of its profiles (see DEMO_PROFILES_PER_SERVICE). */
export function copyBase(base: Base, out: string): void {
  cpSync(base.dir, out, { recursive: true, filter: (src) => !src.endsWith('.pb.gz') || !statSync(src).isFile() || isKeptProfile(src) });
}

const keptByFolder = new Map<string, Set<string>>();

/** Whether copyBase keeps this profile: the first few of its folder by name. */
export function isKeptProfile(file: string): boolean {
  const folder = path.dirname(file);
  let kept = keptByFolder.get(folder);
  if (!kept) keptByFolder.set(folder, (kept = new Set(readdirSync(folder).filter((n) => n.endsWith('.pb.gz')).sort().slice(0, DEMO_PROFILES_PER_SERVICE))));
  return kept.has(path.basename(file));
}

/** Every file under `dir`, '/'-separated and sorted (so a seed picks the same file every time). */
export function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...listFiles(dir, r));
    else if (d.isFile()) out.push(r);
  }
  return out;
}
