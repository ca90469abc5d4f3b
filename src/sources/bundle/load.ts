// Opens a folder of telemetry as a set of sources. Files are recognised by content wherever they are
// (formats/catalog.ts); incident.yaml is optional, and the window it does not give comes from the data.
// Each signal loads lazily on first use (or at open, when the window must be read from the data); a
// corrupt or unsupported file becomes a problem naming the file, and the rest of the bundle stays usable.
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Sources, TimeRange } from '../types.js';
import { bundleTarget, containmentOf, isDirectory, resolveInside } from './files.js';
import { emptyIncident, loadIncident, type IncidentMeta } from './incident.js';
import { BundleTraceSource } from './traces.js';
import { startDecodeWorker } from './decode-thread.js';
import { BundleLogSource } from './logs.js';
import { createBundleMetricSource, type BundleMetricSource } from './metrics.js';
import { createBundleProfileSource, type BundleProfileSource, type ProfileFile } from './profiles.js';
import { createBundleCodeSource } from './source.js';
import { catalogBundle, type CatalogEntry } from './formats/catalog.js';
import { profileServiceHint } from './formats/services.js';
import { filesOf } from './signal-files.js';
import { isPlausibleTimeMs, PLAUSIBLE_YEARS } from '../../util/plausible-time.js';

export interface BundleSources extends Sources {
  incident: IncidentMeta & { id: string; window: TimeRange };
  dir: string;
  /** Every file found and what it was recognised as (`queryless inspect` prints it). */
  catalog: CatalogEntry[];
}

export interface BundleOptions {
  /**
   * Decode traces, logs and metrics in a worker thread (on the second core), starting at open. Worth it when
   * the command reads every signal, so the main thread has the other files to decode meanwhile
   * (investigate); a command that reads one signal would only pay the worker's start.
   */
  offThread?: boolean;
}

export async function openBundle(dir: string, opts: BundleOptions = {}): Promise<BundleSources> {
  const target = await bundleTarget(dir);
  if (!target) throw new Error(`bundle not found: ${dir} (give a folder of telemetry files, or one file)`);
  const { root, only } = target;
  const problems: string[] = [];
  // Every read stays inside the bundle's real path (links out, loops and dangling links are skipped and reported).
  const c = await containmentOf(root, problems);
  const incidentFile = path.join(root, 'incident.yaml');
  if (!only && !(await resolveInside({ root: c.root }, incidentFile).catch(() => undefined)) && (await isLink(incidentFile))) {
    throw new Error(`${incidentFile} is a symbolic link that is dangling, loops or points outside the bundle: replace it with the file itself`);
  }
  // One file is read on its own: its folder's incident.yaml describes other files.
  const meta = only ? emptyIncident() : await loadIncident(incidentFile);
  const catalog = await catalogBundle(root, c, only);
  for (const e of catalog) if (e.problem) problems.push(`${e.file}: ${e.problem}; skipped`);
  const traces = filesOf(catalog, 'traces');
  const logs = filesOf(catalog, 'logs');
  const metrics = filesOf(catalog, 'metrics');
  const profileFiles: ProfileFile[] = catalog
    .filter((e) => e.signal === 'profiles' && !e.problem)
    .map((e) => ({ file: e.file, format: e.format, service: profileServiceHint(e.rel, path.basename(root)) }));
  const hasSource = !only && (await isDirectory(path.join(root, 'source'))) && (await resolveInside(c, path.join(root, 'source'))) !== undefined;
  const sources = {
    traces: traces.files.length ? new BundleTraceSource(traces.files, problems, traces.formats) : undefined,
    logs: logs.files.length ? new BundleLogSource(logs.files, problems, logs.formats) : undefined,
    metrics: metrics.files.length ? createBundleMetricSource(metrics.files, problems, undefined, metrics.formats) : undefined,
    profiles: profileFiles.length ? createBundleProfileSource(path.join(root, 'profiles'), problems, c, profileFiles) : undefined,
  };
  if (opts.offThread && (sources.traces || sources.logs || sources.metrics)) {
    // Starts now: the worker decodes while the main thread goes on (see BundleOptions.offThread).
    const w = startDecodeWorker({ traces: sources.traces ? traces : undefined, logs: sources.logs ? logs : undefined, metrics: sources.metrics ? metrics : undefined }, dir);
    sources.traces?.decodedElsewhere(w.traces);
    sources.logs?.decodedElsewhere(w.logs);
    sources.metrics?.decodedElsewhere(w.metrics);
  }
  const id = meta.id ?? only ?? path.basename(root);
  let window: TimeRange;
  if (meta.window?.start !== undefined && meta.window.end !== undefined) window = { start: meta.window.start, end: meta.window.end };
  else {
    const seen = await dataRange(sources);
    let data = seen.range;
    if (seen.outside) problems.push(`${dir}: ${seen.outside.toLocaleString('en')} span(s), record(s), sample(s) or profile(s) have times outside the years ${PLAUSIBLE_YEARS}; the window read from the data leaves them out (give window {start, end} in incident.yaml to choose it)`);
    if (!data && (sources.profiles || sources.logs)) {
      // Only untimed data (collapsed stacks, logs without times): it counts in every window, so the
      // hour before the newest file's modification is as good as any, and says when it was taken.
      data = await mtimeRange(catalog.filter((e) => !e.problem && e.signal).map((e) => e.file));
      if (data) problems.push(`${dir}: no time in the data; the window is the hour before the newest file was written (${new Date(data.end).toISOString()}); give window {start, end} in incident.yaml to set it`);
    }
    const start = meta.window?.start ?? data?.start;
    const end = meta.window?.end ?? data?.end;
    if (start === undefined || end === undefined || end <= start) {
      const why = problems.length ? `; problems: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}` : '';
      throw new Error(
        `${dir}: no window: ${catalog.length ? 'no file with times was recognised' : 'no telemetry file was found'} (run \`queryless inspect ${dir}\` to see what ${only ? 'it' : 'each file'} is)${only ? '' : ', and incident.yaml gives no window {start, end}'}${why}`,
      );
    }
    window = { start, end };
  }
  const incident = { ...meta, id, window };
  return {
    dir: root,
    incident,
    catalog,
    ...sources,
    code: hasSource ? createBundleCodeSource(path.join(root, 'source'), incident.repositories, c) : undefined,
    defaults: { window, baseline: incident.baseline, incident: incident.incident },
    problems,
    describe: `bundle ${id} (${root})`,
    immutable: true,
  };
}

/**
 * The time range the data covers (whole seconds around the first and last time), loading what has
 * times, and how many times outside PLAUSIBLE_YEARS were left out of it (a zero, the year 9999).
 */
export async function dataRange(s: { traces?: BundleTraceSource; logs?: BundleLogSource; metrics?: BundleMetricSource; profiles?: BundleProfileSource }): Promise<{ range?: TimeRange; outside: number }> {
  let min = Infinity;
  let max = -Infinity;
  let outside = 0;
  const see = (a: number, b = a) => {
    if (!isPlausibleTimeMs(a) || !isPlausibleTimeMs(b)) {
      outside++;
      return;
    }
    if (a < min) min = a;
    if (b > max) max = b;
  };
  if (s.traces) for (const sp of await s.traces.allSpans()) see(sp.startMs, sp.endMs);
  if (s.logs) for (const r of await s.logs.allRecords()) see(r.timeMs);
  if (s.metrics) {
    const st = await s.metrics.store();
    if (st.sampleCount && isPlausibleTimeMs(st.minT) && isPlausibleTimeMs(st.maxT)) see(st.minT, st.maxT);
    else if (st.sampleCount) for (const series of st.series) for (const t of series.t) see(t);
  }
  // A profile's duration only when plausible (some converters write nonsense there).
  if (s.profiles) for (const p of await s.profiles.profiles()) if (p.timeMs !== undefined) see(p.timeMs, p.timeMs + (p.durationMs !== undefined && p.durationMs < 86_400_000 ? p.durationMs : 0));
  if (!Number.isFinite(min)) return { outside };
  // Ranges end exclusive: the last record must fall inside.
  return { range: { start: Math.floor(min / 1000) * 1000, end: Math.floor(max / 1000) * 1000 + 1000 }, outside };
}

async function mtimeRange(files: string[]): Promise<TimeRange | undefined> {
  let newest = -Infinity;
  for (const f of files) newest = Math.max(newest, (await stat(f).catch(() => undefined))?.mtimeMs ?? -Infinity);
  if (!Number.isFinite(newest)) return undefined;
  const end = Math.ceil(newest / 1000) * 1000;
  return { start: end - 3_600_000, end };
}

async function isLink(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined))?.isSymbolicLink() === true;
}
