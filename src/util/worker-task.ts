// One task in a worker thread: start the compiled worker module with its input, await its one answer.
// Callers keep an in-thread path for when this rejects or the worker file is absent (TypeScript sources
// under the test runner have no compiled worker next to them).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** True when the worker module exists as a file (compiled), so a Worker can load it. */
export function workerFileExists(url: URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url));
}

export function runWorkerTask<T>(url: URL, input: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(url, { workerData: input });
    w.once('message', (m: T) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker ${url.pathname} exited with code ${code} before answering`)));
  });
}
