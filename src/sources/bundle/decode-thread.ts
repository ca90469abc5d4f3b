// Starts the bundle's decoding worker (decode-worker.ts) and hands each signal its answer. A signal whose
// answer is undefined (no compiled worker next to this module, as when running from TypeScript sources;
// a worker that failed to start or stopped) is loaded in the calling thread by its source instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Format } from './formats/detect.js';
import { unpackSpanStore, type PackedSpanStore } from '../spanstore/transfer.js';
import type { SpanStore } from '../spanstore/store.js';
import { unpackMetricStore, type PackedMetricStore } from './metrics-transfer.js';
import type { MetricStore } from './openmetrics.js';
import type { LogRecord } from '../types.js';

const WORKER = new URL('./decode-worker.js', import.meta.url);

interface Files {
  files: string[];
  formats: Array<[string, Format]>;
}
export interface DecodeJob {
  traces?: Files;
  logs?: Files;
  metrics?: Files;
}
export type Decoded<T> = { store: T; problems: string[] } | undefined;

function files(f: { files: string[]; formats?: Map<string, Format> } | undefined): Files | undefined {
  return f && f.files.length ? { files: f.files, formats: [...(f.formats ?? [])] } : undefined;
}

type Message =
  | { signal: 'traces'; packed: PackedSpanStore; problems: string[] }
  | { signal: 'logs'; records: LogRecord[]; problems: string[] }
  | { signal: 'metrics'; packed: PackedMetricStore; problems: string[] };

export function startDecodeWorker(job: {
  traces?: { files: string[]; formats?: Map<string, Format> };
  logs?: { files: string[]; formats?: Map<string, Format> };
  metrics?: { files: string[]; formats?: Map<string, Format> };
}): { traces: Promise<Decoded<SpanStore>>; logs: Promise<Decoded<LogRecord[]>>; metrics: Promise<Decoded<MetricStore>> } {
  const data: DecodeJob = { traces: files(job.traces), logs: files(job.logs), metrics: files(job.metrics) };
  let answerTraces!: (d: Decoded<SpanStore>) => void;
  let answerLogs!: (d: Decoded<LogRecord[]>) => void;
  let answerMetrics!: (d: Decoded<MetricStore>) => void;
  const traces = new Promise<Decoded<SpanStore>>((r) => (answerTraces = r));
  const logs = new Promise<Decoded<LogRecord[]>>((r) => (answerLogs = r));
  const metrics = new Promise<Decoded<MetricStore>>((r) => (answerMetrics = r));
  const giveUp = () => {
    // Whatever has not answered yet loads in the calling thread (resolving twice is a no-op).
    answerTraces(undefined);
    answerLogs(undefined);
    answerMetrics(undefined);
  };
  if (!existsSync(fileURLToPath(WORKER)) || (!data.traces && !data.logs && !data.metrics)) {
    giveUp();
    return { traces, logs, metrics };
  }
  try {
    const w = new Worker(WORKER, { workerData: data });
    w.on('message', (m: Message) => {
      try {
        if (m.signal === 'traces') answerTraces({ store: unpackSpanStore(m.packed), problems: m.problems });
        // Log records are plain objects: they arrive as a structured clone, which costs the main
        // thread a fraction of parsing the JSON.
        else if (m.signal === 'logs') answerLogs({ store: m.records, problems: m.problems });
        else answerMetrics({ store: unpackMetricStore(m.packed), problems: m.problems });
      } catch {
        giveUp();
      }
    });
    w.once('error', giveUp);
    w.once('exit', giveUp);
  } catch {
    giveUp();
  }
  return { traces, logs, metrics };
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
