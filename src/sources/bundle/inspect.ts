// What a folder of telemetry holds, file by file: the format recognised, the signal, the services,
// the time range, counts and problems. Each file is read on its own with the same readers the sources
// use, so what `inspect` says is what an investigation will see.
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { bundleTarget, containmentOf } from './files.js';
import { loadIncident } from './incident.js';
import { loadSpans } from './traces.js';
import { loadLogRecords } from './logs.js';
import { BundleMetricSource } from './metrics.js';
import { createBundleProfileSource } from './profiles.js';
import { catalogBundle, type CatalogEntry } from './formats/catalog.js';
import { FORMAT_NAMES, type Signal } from './formats/detect.js';
import { profileServiceHint } from './formats/services.js';
import type { TimeRange } from '../types.js';

export interface FileReport {
  file: string;
  format: string;
  signal?: Signal;
  bytes: number;
  services: string[];
  range?: TimeRange;
  /** What the file holds: spans and traces, records, series and samples, stacks and samples. */
  counts: Record<string, number>;
  problems: string[];
}

export interface InspectReport {
  dir: string;
  incidentYaml: boolean;
  files: FileReport[];
  problems: string[];
}

class RangeAcc {
  min = Infinity;
  max = -Infinity;
  see(a: number, b = a): void {
    if (a < this.min) this.min = a;
    if (b > this.max) this.max = b;
  }
  get range(): TimeRange | undefined {
    return Number.isFinite(this.min) ? { start: this.min, end: this.max } : undefined;
  }
}

const METRIC_SERVICE_LABELS = ['service_name', 'service', 'job', 'app', 'container', 'pod'];

async function inspectEntry(root: string, e: CatalogEntry): Promise<FileReport> {
  const problems: string[] = e.problem ? [e.problem] : [];
  const report: FileReport = { file: e.rel, format: FORMAT_NAMES[e.format], signal: e.signal, bytes: (await stat(e.file).catch(() => undefined))?.size ?? 0, services: [], counts: {}, problems };
  if (e.problem || !e.signal) return report;
  const formats = new Map([[e.file, e.format]]);
  const acc = new RangeAcc();
  const services = new Set<string>();
  if (e.signal === 'traces') {
    const spans = await loadSpans([e.file], problems, formats);
    const traces = new Set<string>();
    for (const s of spans) {
      acc.see(s.startMs, s.endMs);
      services.add(s.service);
      traces.add(s.traceId);
    }
    report.counts = { spans: spans.length, traces: traces.size, errors: spans.filter((s) => s.status === 'error').length };
  } else if (e.signal === 'logs') {
    const records = await loadLogRecords([e.file], problems, formats);
    for (const r of records) {
      acc.see(r.timeMs);
      services.add(r.service);
    }
    report.counts = { records: records.length };
  } else if (e.signal === 'metrics') {
    const store = await new BundleMetricSource([e.file], problems, undefined, undefined, formats).store();
    for (const s of store.series) {
      const svc = METRIC_SERVICE_LABELS.map((k) => s.labels[k]).find((v) => v);
      if (svc) services.add(svc);
    }
    if (store.sampleCount) acc.see(store.minT, store.maxT);
    report.counts = { series: store.series.length, samples: store.sampleCount, metrics: store.byName.size };
  } else {
    const c = await containmentOf(root);
    const src = createBundleProfileSource(path.join(root, 'profiles'), problems, c, [{ file: e.file, format: e.format, service: profileServiceHint(e.rel, path.basename(root)) }]);
    let stacks = 0;
    const types = new Set<string>();
    for (const p of await src.profiles()) {
      if (p.timeMs !== undefined) acc.see(p.timeMs, p.timeMs + (p.durationMs ?? 0));
      for (const s of p.labelServices.size ? p.labelServices : [p.service]) services.add(s);
      stacks += p.parsed.samples.length;
      for (const t of p.typeIds) types.add(t);
    }
    report.counts.types = types.size;
    report.counts.samples = stacks;
  }
  report.services = [...services].sort();
  report.range = acc.range;
  // Problems name the file; the report already does.
  report.problems = problems.map((p) => (p.startsWith(`${e.file}: `) ? p.slice(e.file.length + 2) : p));
  return report;
}

export async function inspectBundle(dir: string): Promise<InspectReport> {
  const target = await bundleTarget(dir);
  if (!target) throw new Error(`not found: ${dir} (give a folder of telemetry files, or one file)`);
  const { root, only } = target;
  const problems: string[] = [];
  const c = await containmentOf(root, problems);
  let incidentYaml = !only;
  if (!only) {
    try {
      await stat(path.join(root, 'incident.yaml'));
      await loadIncident(path.join(root, 'incident.yaml'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') incidentYaml = false;
      else problems.push((e as Error).message);
    }
  }
  const files: FileReport[] = [];
  for (const e of await catalogBundle(root, c, only)) files.push(await inspectEntry(root, e));
  return { dir: root, incidentYaml, files, problems };
}
