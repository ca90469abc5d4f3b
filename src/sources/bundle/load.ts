// Opens an incident bundle directory as a set of sources. Each signal loads lazily on first use;
// a corrupt file becomes a problem naming the file, and the rest of the bundle stays usable.
import path from 'node:path';
import type { Sources } from '../types.js';
import { isDirectory, listFiles } from './files.js';
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
  const incident = await loadIncident(path.join(root, 'incident.yaml'));
  const problems: string[] = [];
  const traceFiles = await listFiles(path.join(root, 'traces'), JSON_FILES);
  const logFiles = await listFiles(path.join(root, 'logs'), JSON_FILES);
  const metricFiles = await listFiles(path.join(root, 'metrics'), OM_FILES);
  const hasProfiles = await isDirectory(path.join(root, 'profiles'));
  const hasSource = await isDirectory(path.join(root, 'source'));
  return {
    dir: root,
    incident,
    traces: traceFiles.length ? new BundleTraceSource(traceFiles, problems) : undefined,
    logs: logFiles.length ? new BundleLogSource(logFiles, problems) : undefined,
    metrics: metricFiles.length ? createBundleMetricSource(metricFiles, problems) : undefined,
    profiles: hasProfiles ? createBundleProfileSource(path.join(root, 'profiles'), problems) : undefined,
    code: hasSource ? createBundleCodeSource(path.join(root, 'source'), incident.repositories) : undefined,
    defaults: { window: incident.window, baseline: incident.baseline, incident: incident.incident },
    problems,
    describe: `bundle ${incident.id} (${root})`,
  };
}
