// Hands each signal the bundle's decoding worker (decode-worker.ts) answered: the worker the launcher
// started early on this bundle (early-decode.ts), or one started now. An answer is used only when the
// worker decoded the files openBundle found; a signal without one (no compiled worker next to this
// module, as when running from TypeScript sources; a worker that failed to start or stopped; other
// files) is loaded in the calling thread by its source instead.
import type { Format } from './formats/detect.js';
import { unpackSpanStore, type PackedSpanStore } from '../spanstore/transfer.js';
import type { SpanStore } from '../spanstore/store.js';
import { unpackMetricStore, type PackedMetricStore } from './metrics-transfer.js';
import type { MetricStore } from './openmetrics.js';
import type { LogRecord } from '../types.js';
import { log } from '../../log.js';
import { runDecodeWorker, takeEarlyDecode, type WorkerAnswer } from './early-decode.js';
import { jobFiles, type JobFiles as Files } from './signal-files.js';

/** The worker's job: the files of each signal, or a bundle folder whose files it finds itself. */
export interface DecodeJob {
  traces?: Files;
  logs?: Files;
  metrics?: Files;
  bundleDir?: string;
}
export type Decoded<T> = { store: T; problems: string[] } | undefined;

type SignalFiles = { files: string[]; formats?: Map<string, Format> };

function sameFiles(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

/**
 * The decoded signals, from the worker started early on `dir` when there is one, else from a worker
 * started now on these files.
 */
export function startDecodeWorker(
  job: { traces?: SignalFiles; logs?: SignalFiles; metrics?: SignalFiles },
  dir?: string,
): { traces: Promise<Decoded<SpanStore>>; logs: Promise<Decoded<LogRecord[]>>; metrics: Promise<Decoded<MetricStore>> } {
  const data: DecodeJob = { traces: jobFiles(job.traces), logs: jobFiles(job.logs), metrics: jobFiles(job.metrics) };
  const none = Promise.resolve(undefined);
  if (!data.traces && !data.logs && !data.metrics) return { traces: none, logs: none, metrics: none };
  const run = (dir !== undefined ? takeEarlyDecode(dir) : undefined) ?? runDecodeWorker(data);
  if (!run) return { traces: none, logs: none, metrics: none };
  log.debug({ at: Math.round(run.startedAt) }, 'decode worker started');
  const take = <T>(a: WorkerAnswer | undefined, want: Files | undefined, open: (payload: unknown) => T): Decoded<T> => {
    // When each signal arrives, from the process start: the decode chain is what a cold run waits for.
    if (a) log.debug({ signal: a.signal, at: Math.round(performance.now()) }, 'decoded by the worker');
    if (!a || !want || !sameFiles(a.files, want.files)) return undefined;
    try {
      return { store: open(a.payload), problems: a.problems };
    } catch {
      return undefined;
    }
  };
  return {
    traces: run.answers.traces.then((a) => take(a, data.traces, (p) => unpackSpanStore(p as PackedSpanStore))),
    // Log records are plain objects: they arrive as a structured clone, which costs the main thread a
    // fraction of parsing the JSON.
    logs: run.answers.logs.then((a) => take(a, data.logs, (p) => p as LogRecord[])),
    metrics: run.answers.metrics.then((a) => take(a, data.metrics, (p) => unpackMetricStore(p as PackedMetricStore))),
  };
}

/** The store a worker decoded (its problems added to `problems`), or, when there is no worker answer,
 * the store loaded in this thread by `load`. */
export function decodedOr<T>(inWorker: Promise<Decoded<T>> | undefined, problems: string[], load: () => Promise<T>): Promise<T> {
  if (!inWorker) return load();
  return inWorker.then((r) => {
    if (!r) return load();
    problems.push(...r.problems);
    return r.store;
  });
}
