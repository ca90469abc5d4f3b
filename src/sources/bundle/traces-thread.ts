// Loads a bundle's span store in a worker thread (traces-worker.ts); undefined when no worker can run
// (from TypeScript sources, or starting one failed), and the caller loads in this thread.
import { runWorkerTask, workerFileExists } from '../../util/worker-task.js';
import type { Format } from './formats/detect.js';
import { unpackSpanStore, type PackedSpanStore } from '../spanstore/transfer.js';
import type { SpanStore } from '../spanstore/store.js';

const WORKER = new URL('./traces-worker.js', import.meta.url);

export async function loadSpanStoreInWorker(files: string[], formats?: Map<string, Format>): Promise<{ store: SpanStore; problems: string[] } | undefined> {
  if (!workerFileExists(WORKER)) return undefined;
  try {
    const answer = await runWorkerTask<{ packed: PackedSpanStore; problems: string[] }>(WORKER, { files, formats: [...(formats ?? [])] });
    return { store: unpackSpanStore(answer.packed), problems: answer.problems };
  } catch {
    return undefined;
  }
}
