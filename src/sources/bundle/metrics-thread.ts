// Loads a bundle's metric store in a worker thread (metrics-worker.ts); undefined when no worker can run
// (from TypeScript sources, or starting one failed), and the caller loads in this thread.
import { runWorkerTask, workerFileExists } from '../../util/worker-task.js';
import type { Format } from './formats/detect.js';
import { unpackMetricStore, type PackedMetricStore } from './metrics-transfer.js';
import type { MetricStore } from './openmetrics.js';

const WORKER = new URL('./metrics-worker.js', import.meta.url);

export async function loadMetricStoreInWorker(files: string[], formats?: Map<string, Format>): Promise<{ store: MetricStore; problems: string[] } | undefined> {
  if (!workerFileExists(WORKER)) return undefined;
  try {
    const answer = await runWorkerTask<{ packed: PackedMetricStore; problems: string[] }>(WORKER, { files, formats: [...(formats ?? [])] });
    return { store: unpackMetricStore(answer.packed), problems: answer.problems };
  } catch {
    return undefined;
  }
}
