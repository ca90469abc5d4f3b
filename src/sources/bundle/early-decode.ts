// The decode worker, started and answered. The launcher (bin/queryless.js) starts it for
// `investigate --bundle DIR` before the CLI's modules load (~0.25 s of a cold run): decoding the bundle
// is the longest chain of a cold `investigate`, so it begins at once. Started that way, the worker finds
// the bundle's files itself (the cataloguing openBundle does); openBundle takes it over and uses an
// answer only when the worker decoded the very files it found. This module imports nothing else of
// Queryless but the argument parser, so the launcher can load it in a few milliseconds.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseArgv } from '../../commands/args.js';

export const DECODE_WORKER = new URL('./decode-worker.js', import.meta.url);

export type DecodedSignal = 'traces' | 'logs' | 'metrics';

/** One answer of the worker: a signal's payload (typed by decode-thread.ts), the files it decoded, the problems found. */
export interface WorkerAnswer {
  signal: DecodedSignal;
  files: string[];
  problems: string[];
  payload: unknown;
}

/** A running worker: one answer per signal, undefined when it did not decode that signal (failure, exit). */
export interface DecodeRun {
  answers: Record<DecodedSignal, Promise<WorkerAnswer | undefined>>;
  /** When the run was started: from the process start, in ms (for the debug log). */
  startedAt: number;
  /** Keeps the process alive until the answers come (an early run does not, until it is taken). */
  keep(): void;
  /** Stops the worker (an early run on another folder than the one opened). */
  stop(): void;
}

/** Starts the worker on `workerData`; undefined when there is no compiled worker (a run from TypeScript sources). */
export function runDecodeWorker(workerData: unknown, keepAlive = true): DecodeRun | undefined {
  if (!existsSync(fileURLToPath(DECODE_WORKER))) return undefined;
  const resolvers = {} as Record<DecodedSignal, (a: WorkerAnswer | undefined) => void>;
  const promise = (s: DecodedSignal) => new Promise<WorkerAnswer | undefined>((r) => (resolvers[s] = r));
  const answers = { traces: promise('traces'), logs: promise('logs'), metrics: promise('metrics') };
  // Whatever has not answered yet is loaded by the caller (resolving twice is a no-op).
  const giveUp = () => {
    for (const r of Object.values(resolvers)) r(undefined);
  };
  let w: Worker;
  try {
    w = new Worker(DECODE_WORKER, { workerData });
  } catch {
    return undefined;
  }
  w.on('message', (m: WorkerAnswer) => resolvers[m.signal]?.(m));
  w.once('error', giveUp);
  w.once('exit', giveUp);
  if (!keepAlive) w.unref();
  return { answers, startedAt: performance.now(), keep: () => w.ref(), stop: () => void w.terminate() };
}

let early: { dir: string; run: DecodeRun } | undefined;

/** Starts the worker on a bundle folder (or one file) given on the command line, before anything else loads. */
export function startEarlyDecode(dir: string): void {
  const run = runDecodeWorker({ bundleDir: dir }, false);
  if (run) early = { dir: path.resolve(dir), run };
}

/** The run started early on this bundle, once (the caller then owns it), or undefined. */
export function takeEarlyDecode(dir: string): DecodeRun | undefined {
  if (!early) return undefined;
  const { run } = early;
  const same = early.dir === path.resolve(dir);
  early = undefined;
  if (!same) {
    run.stop();
    return undefined;
  }
  run.keep();
  return run;
}

/**
 * The bundle `investigate` will open, read from its arguments as the command reads them (`--bundle DIR`,
 * `--bundle=DIR`, else QUERYLESS_BUNDLE), or undefined for any other command or arguments it would refuse.
 */
export function investigatedBundle(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  if (argv[0] !== 'investigate') return undefined;
  try {
    const a = parseArgv(argv.slice(1));
    if (a.bools.has('help') || a.bools.has('h')) return undefined;
    return a.flags.bundle || env.QUERYLESS_BUNDLE || undefined;
  } catch {
    return undefined; // a usage error, which the command reports
  }
}
