// Values read out of a backend's JSON answer where the API promises strings: a list of names, a label
// set. A proxy, another version or a damaged answer can put a number, null or an object there, and the
// tools downstream call string methods on them ("n.endsWith is not a function"). What is not a string
// is left out of a list and written as text in a label set, here, where the answer is read; what is
// left out is counted for the call's problems (answer-notes.ts) when the reader names the backend.
import { noteLeftOut } from './answer-notes.js';

/** Where a value was read: the backend's title and what the list holds ("Prometheus", "label value"). */
export interface From {
  backend: string;
  what: string;
}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** The strings of a list (anything else left out, and counted); an empty list when it is no list. */
export function stringList(v: unknown, from?: From): string[] {
  if (!Array.isArray(v)) return [];
  const out = v.filter((x): x is string => typeof x === 'string');
  if (from) noteLeftOut(from.backend, `${from.what} that is no string`, v.length - out.length);
  return out;
}

/** A label set: string values kept, numbers and booleans as text, other values and non-objects left out (and counted). */
export function labelSet(v: unknown, from?: From): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) {
    if (from && v !== undefined) noteLeftOut(from.backend, `${from.what} label set that is no object`);
    return out;
  }
  let dropped = 0;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
    else dropped++;
  }
  if (from) noteLeftOut(from.backend, `${from.what} label value that is no text`, dropped);
  return out;
}

/** The entries of a list that are JSON objects (not null, not arrays; the others counted); an empty list when it is no list. */
export function objectEntries(v: unknown, from?: From): Array<Record<string, unknown>> {
  if (!Array.isArray(v)) return [];
  const out = v.filter(isRecord);
  if (from) noteLeftOut(from.backend, `${from.what} that is no object`, v.length - out.length);
  return out;
}

/** A list of label sets (entries that are no object left out, and counted). */
export function labelSets(v: unknown, from?: From): Array<Record<string, string>> {
  return objectEntries(v, from).map((x) => labelSet(x, from));
}
