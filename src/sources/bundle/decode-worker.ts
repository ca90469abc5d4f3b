// Worker entry: decodes a bundle's log files, then its trace files (the largest), then its metric files
// off the main thread, while the main thread decodes profiles and runs what needs none of them. Logs
// come first: they are the quickest to decode, and the main thread mines them (the longest piece of
// the ranking) while the traces decode here. One worker for all three: on two cores, the main thread and
// one worker keep both busy; a second worker would only add its start-up. Answers one message per
// signal, as soon as it is decoded: the packed store (its typed arrays transferred), or the log records
// (cloned), and the problems found.
import { parentPort, workerData } from 'node:worker_threads';
import type { Format } from './formats/detect.js';
import type { DecodeJob } from './decode-thread.js';
import { loadSpanStore } from './traces.js';
import { packSpanStore } from '../spanstore/transfer.js';
import { loadMetricStore } from './metrics-load.js';
import { packMetricStore } from './metrics-transfer.js';
import { loadLogRecords } from './logs.js';

const job = workerData as DecodeJob;
const formats = (list: Array<[string, Format]>) => new Map(list);
if (job.logs) {
  const problems: string[] = [];
  const records = await loadLogRecords(job.logs.files, problems, formats(job.logs.formats));
  parentPort!.postMessage({ signal: 'logs', records, problems });
}
if (job.traces) {
  const problems: string[] = [];
  const { packed, transfer } = packSpanStore(await loadSpanStore(job.traces.files, problems, formats(job.traces.formats)));
  parentPort!.postMessage({ signal: 'traces', packed, problems }, transfer);
}
if (job.metrics) {
  const problems: string[] = [];
  const { packed, transfer } = packMetricStore(await loadMetricStore(job.metrics.files, problems, formats(job.metrics.formats)));
  parentPort!.postMessage({ signal: 'metrics', packed, problems }, transfer);
}
