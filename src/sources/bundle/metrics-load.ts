// Building the metric store from a bundle's metric files (OpenMetrics text, saved Prometheus answers,
// OTLP, tables, raw series dumps).
// Kept apart from the source so the same code runs in the loading worker (decode-worker.ts) and, when
// no worker can be started, in the calling thread.
import { stat } from 'node:fs/promises';
import { pushAll } from '../../util/stats.js';
import { noteNothingRead, parseJsonDocuments, readMaybeGzip } from './files.js';
import { addPrometheusAnswer, looksLikePrometheusAnswer } from './formats/prometheus-json.js';
import type { Format } from './formats/detect.js';
import { MetricStoreBuilder, type MetricStore } from './openmetrics.js';
import { Accumulator, addOtlpMetrics, type OtlpMetricsStats } from './formats/otlp-metrics.js';
import { otlpJsonDocument } from './formats/otlp-json.js';
import { decodeOtlpProtoFile } from './formats/otlp-proto.js';
import { decodeCsvMetrics } from './formats/csv-files.js';
import { addTsdbDump, addVmExport } from './formats/series-dumps.js';
import { addFrameMetrics, grafanaFrames } from './formats/grafana-frames.js';
import { NOT_A_DATE } from '../../util/plausible-time.js';

/** Reads every file into one store; what goes wrong in a file is pushed to `problems`, naming it. */
export async function loadMetricStore(files: string[], problems: string[], formats?: Map<string, Format>): Promise<MetricStore> {
  const b = new MetricStoreBuilder();
  for (const file of files) {
    const [before, problemsBefore, nonDates, renamed] = [b.samples, problems.length, b.nonDates, b.renamed];
    try {
      const bytes = await readMaybeGzip(file, problems);
      const format = formats?.get(file);
      if (format === 'otlp-proto') addOtlpDocuments(b, file, decodeOtlpProtoFile(file, bytes, 'MetricsData'), problems);
      else if (format === 'otlp-json') addOtlpDocuments(b, file, parseJsonDocuments(file, bytes.toString('utf8'), problems).map(otlpJsonDocument), problems);
      else if (format === 'csv-metrics') pushAll(problems, decodeCsvMetrics(b, file, bytes.toString('utf8')));
      else if (format === 'tsdb-dump') pushAll(problems, addTsdbDump(b, file, bytes.toString('utf8')));
      else if (format === 'vm-export') pushAll(problems, addVmExport(b, file, parseJsonDocuments(file, bytes.toString('utf8'), problems)));
      else if (format === 'grafana-frames') {
        for (const doc of parseJsonDocuments(file, bytes.toString('utf8'), problems)) {
          const frames = grafanaFrames(doc);
          if (!frames) throw new Error('not Grafana data frames (expected {"results": {…: {"frames": […]}}}, a list of {schema, data} or {"series": [{fields}]})');
          pushAll(problems, addFrameMetrics(b, file, frames));
        }
      }
      else if (format === 'prometheus-json') {
        for (const doc of parseJsonDocuments(file, bytes.toString('utf8'), problems)) {
          if (!looksLikePrometheusAnswer(doc)) throw new Error('not a Prometheus query answer (expected {"data": {"resultType", "result"}})');
          pushAll(problems, addPrometheusAnswer(b, file, doc));
        }
      } else {
        const text = bytes.toString('utf8');
        const found = b.add(file, text);
        if (b.lastAdd.stored === 0 && b.lastAdd.missingTs > 0) {
          // A scrape saved as is (`curl …/metrics > x.prom`) has no timestamps: its samples were
          // true when the file was written.
          const mtime = Math.trunc((await stat(file)).mtimeMs);
          pushAll(problems, b.add(file, text, mtime).filter((p) => !p.includes('without a timestamp')));
          problems.push(`${file}: no timestamps (a scrape); its ${b.lastAdd.stored} sample(s) take the file's modification time (${new Date(mtime).toISOString()})`);
        } else pushAll(problems, found);
      }
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
    }
    if (b.nonDates > nonDates) problems.push(`${file}: ${b.nonDates - nonDates} sample(s) with a time ${NOT_A_DATE} skipped`);
    if (b.renamed > renamed) problems.push(`${file}: ${b.renamed - renamed} series named with characters PromQL cannot select; '_' stands for each`);
    if (b.samples === before) noteNothingRead(file, problems, problemsBefore, 'samples');
  }
  return b.finish();
}

/** OTLP MetricsData documents (from JSON or protobuf) into the store, and what was left out into `problems`. */
function addOtlpDocuments(b: MetricStoreBuilder, file: string, docs: unknown[], problems: string[]): void {
  const stats: OtlpMetricsStats = { skipped: 0, exponential: 0, delta: 0 };
  const acc = new Accumulator();
  for (const doc of docs) {
    if (!Array.isArray((doc as { resourceMetrics?: unknown } | null)?.resourceMetrics)) throw new Error('not OTLP MetricsData (expected a top-level "resourceMetrics" list)');
    addOtlpMetrics(b, doc, stats, acc);
  }
  if (stats.skipped) problems.push(`${file}: ${stats.skipped} data point(s) without a time or a value skipped`);
  if (stats.exponential) problems.push(`${file}: ${stats.exponential} exponential histogram point(s) read as classic buckets 2^(k/8) apart (Prometheus keeps them as native histograms): quantiles from them are within that bucket width`);
  if (stats.delta) problems.push(`${file}: ${stats.delta} delta point(s) summed into cumulative series, as Prometheus stores counters`);
}
