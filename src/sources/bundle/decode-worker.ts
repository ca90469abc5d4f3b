// Worker entry: decodes a bundle's log files, then its trace files (the largest), then its metric files
// off the main thread, while the main thread decodes profiles and runs what needs none of them. Logs
// come first: they are the quickest to decode, and the main thread mines them (the longest piece of
// the ranking) while the traces decode here. One worker for all three: on two cores, the main thread and
// one worker keep both busy; a second worker would only add its start-up. Answers one message per
// signal, as soon as it is decoded: the packed store (its typed arrays transferred), or the log records
// (cloned), the files decoded and the problems found. Started on a bundle folder alone (by the launcher,
// early-decode.ts), it first finds the files as openBundle does.
import { parentPort, workerData } from 'node:worker_threads';
import type { Format } from './formats/detect.js';
import type { DecodeJob } from './decode-thread.js';
import type { WorkerAnswer } from './early-decode.js';
import { loadSpanStore } from './traces.js';
import { packSpanStore } from '../spanstore/transfer.js';
import { loadMetricStore } from './metrics-load.js';
import { packMetricStore } from './metrics-transfer.js';
import { loadLogRecords } from './logs.js';
import { decodableFiles, jobFiles } from './signal-files.js';

async function jobOf(data: DecodeJob): Promise<DecodeJob> {
  if (!data.bundleDir) return data;
  const found = await decodableFiles(data.bundleDir).catch(() => undefined);
  if (!found) return {};
  return { traces: jobFiles(found.traces), logs: jobFiles(found.logs), metrics: jobFiles(found.metrics) };
}

const job = await jobOf(workerData as DecodeJob);
const formats = (list: Array<[string, Format]>) => new Map(list);
const answer = (a: WorkerAnswer, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(a, transfer);
if (job.logs) {
  const problems: string[] = [];
  const records = await loadLogRecords(job.logs.files, problems, formats(job.logs.formats));
  answer({ signal: 'logs', files: job.logs.files, problems, payload: records });
}
if (job.traces) {
  const problems: string[] = [];
  const { packed, transfer } = packSpanStore(await loadSpanStore(job.traces.files, problems, formats(job.traces.formats)));
  answer({ signal: 'traces', files: job.traces.files, problems, payload: packed }, transfer);
}
if (job.metrics) {
  const problems: string[] = [];
  const { packed, transfer } = packMetricStore(await loadMetricStore(job.metrics.files, problems, formats(job.metrics.formats)));
  answer({ signal: 'metrics', files: job.metrics.files, problems, payload: packed }, transfer);
}
