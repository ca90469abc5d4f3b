// Opens an incident bundle directory as a set of sources. Each signal loads lazily on first use;
// a corrupt file becomes a problem naming the file, and the rest of the bundle stays usable.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Sources } from '../types.js';
import { containmentOf, isDirectory, listFiles, resolveInside } from './files.js';
import { loadIncident, type IncidentMeta } from './incident.js';
import { BundleTraceSource } from './traces.js';
import { BundleLogSource } from './logs.js';
import { createBundleMetricSource } from './metrics.js';
import { createBundleProfileSource } from './profiles.js';
import { createBundleCodeSource } from './source.js';

export interface BundleSources extends Sources {
  incident: IncidentMeta;
  dir: string;
}

const JSON_FILES = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const OM_FILES = /\.(om|txt|prom|openmetrics)(\.gz)?$/i;

export async function openBundle(dir: string): Promise<BundleSources> {
  const root = path.resolve(dir);
  if (!(await isDirectory(root))) throw new Error(`bundle directory not found: ${dir}`);
  const problems: string[] = [];
  // Every read stays inside the bundle's real path (links out, loops and dangling links are skipped and reported).
  const c = await containmentOf(root, problems);
  const incidentFile = path.join(root, 'incident.yaml');
  if (!(await resolveInside({ root: c.root }, incidentFile).catch(() => undefined)) && (await isLink(incidentFile))) {
    throw new Error(`${incidentFile} is a symbolic link that is dangling, loops or points outside the bundle: replace it with the file itself`);
  }
  const incident = await loadIncident(incidentFile);
  const traceFiles = await listFiles(path.join(root, 'traces'), JSON_FILES, c);
  const logFiles = await listFiles(path.join(root, 'logs'), JSON_FILES, c);
  const metricFiles = await listFiles(path.join(root, 'metrics'), OM_FILES, c);
  const hasProfiles = (await isDirectory(path.join(root, 'profiles'))) && (await resolveInside(c, path.join(root, 'profiles'))) !== undefined;
  const hasSource = (await isDirectory(path.join(root, 'source'))) && (await resolveInside(c, path.join(root, 'source'))) !== undefined;
  return {
    dir: root,
    incident,
    traces: traceFiles.length ? new BundleTraceSource(traceFiles, problems) : undefined,
    logs: logFiles.length ? new BundleLogSource(logFiles, problems) : undefined,
    metrics: metricFiles.length ? createBundleMetricSource(metricFiles, problems) : undefined,
    profiles: hasProfiles ? createBundleProfileSource(path.join(root, 'profiles'), problems, c) : undefined,
    code: hasSource ? createBundleCodeSource(path.join(root, 'source'), incident.repositories, c) : undefined,
    defaults: { window: incident.window, baseline: incident.baseline, incident: incident.incident },
    problems,
    describe: `bundle ${incident.id} (${root})`,
    immutable: true,
  };
}

async function isLink(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined))?.isSymbolicLink() === true;
}
