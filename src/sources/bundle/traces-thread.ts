// Loads a bundle's span store in a worker thread (traces-worker.ts); undefined when no worker can run
// (from TypeScript sources, or starting one failed), and the caller loads in this thread.
import { runWorkerTask, workerFileExists } from '../../util/worker-task.js';
import type { Format } from './formats/detect.js';
import { unpackSpanStore, type PackedSpanStore } from '../spanstore/transfer.js';
import type { SpanStore } from '../spanstore/store.js';

const WORKER = new URL('./traces-worker.js', import.meta.url);

export async function loadSpanStoreInWorker(files: string[], problems: string[], formats?: Map<string, Format>): Promise<SpanStore | undefined> {
  if (!workerFileExists(WORKER)) return undefined;
  let answer: { packed: PackedSpanStore; problems: string[] };
  try {
    answer = await runWorkerTask(WORKER, { files, formats: [...(formats ?? [])] });
  } catch {
    return undefined;
  }
  problems.push(...answer.problems);
  return unpackSpanStore(answer.packed);
}
