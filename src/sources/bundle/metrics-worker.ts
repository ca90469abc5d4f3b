// Worker entry: decodes a bundle's metric files off the main thread, so a command that needs every
// signal (investigate) parses metrics on the second core while the main thread decodes traces and logs.
// Answers one message: the packed store (its sample arrays transferred) and the problems found.
import { parentPort, workerData } from 'node:worker_threads';
import type { Format } from './formats/detect.js';
import { loadMetricStore } from './metrics-load.js';
import { packMetricStore } from './metrics-transfer.js';

const { files, formats } = workerData as { files: string[]; formats: Array<[string, Format]> };
const problems: string[] = [];
const store = await loadMetricStore(files, problems, new Map(formats));
const { packed, transfer } = packMetricStore(store);
parentPort!.postMessage({ packed, problems }, transfer);
