// Values read out of a backend's JSON answer where the API promises strings: a list of names, a label
// set. A proxy, another version or a damaged answer can put a number, null or an object there, and the
// tools downstream call string methods on them ("n.endsWith is not a function"). What is not a string
// is left out of a list and written as text in a label set, here, where the answer is read.

/** The strings of a list (anything else left out); an empty list when it is no list. */
export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A label set: string values kept, numbers and booleans as text, other values and non-objects left out. */
export function labelSet(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

/** The entries of a list that are JSON objects (not null, not arrays); an empty list when it is no list. */
export function objectEntries(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** A list of label sets (entries that are no object left out). */
export function labelSets(v: unknown): Array<Record<string, string>> {
  return objectEntries(v).map(labelSet);
}
