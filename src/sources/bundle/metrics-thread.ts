// Loads a bundle's metric store in a worker thread (metrics-worker.ts), or in this thread when no worker
// can run: from TypeScript sources (tests), or when starting one fails.
import { runWorkerTask, workerFileExists } from '../../util/worker-task.js';
import type { Format } from './formats/detect.js';
import { loadMetricStore } from './metrics-load.js';
import { unpackMetricStore, type PackedMetricStore } from './metrics-transfer.js';
import type { MetricStore } from './openmetrics.js';

const WORKER = new URL('./metrics-worker.js', import.meta.url);

export async function loadMetricStoreOffThread(files: string[], problems: string[], formats?: Map<string, Format>): Promise<MetricStore> {
  if (!workerFileExists(WORKER)) return loadMetricStore(files, problems, formats);
  let answer: { packed: PackedMetricStore; problems: string[] };
  try {
    answer = await runWorkerTask(WORKER, { files, formats: [...(formats ?? [])] });
  } catch {
    // A worker that cannot start (resource limits, a sandbox) must not cost the metrics: load here.
    return loadMetricStore(files, problems, formats);
  }
  problems.push(...answer.problems);
  return unpackMetricStore(answer.packed);
}
