// Worker entry: decodes a bundle's trace files into the span store off the main thread (the largest
// files of a bundle), while the main thread decodes logs and profiles and runs what needs no traces.
// Answers one message: the packed store (its columns transferred) and the problems found.
import { parentPort, workerData } from 'node:worker_threads';
import type { Format } from './formats/detect.js';
import { loadSpanStore } from './traces.js';
import { packSpanStore } from '../spanstore/transfer.js';

const { files, formats } = workerData as { files: string[]; formats: Array<[string, Format]> };
const problems: string[] = [];
const store = await loadSpanStore(files, problems, new Map(formats));
const { packed, transfer } = packSpanStore(store);
parentPort!.postMessage({ packed, problems }, transfer);
