// Caps on what a caller can send. Every tool call comes from a user or a model, and one oversized
// argument must not cost the other sessions minutes of CPU: past these sizes the call is refused
// with a readable error naming the argument and the cap (documented in the README).

/** An incident question: a sentence or a paragraph, not a log dump. */
export const MAX_QUESTION_CHARS = 2000;
/** Any other string argument (service names, filters, patterns, times). */
export const MAX_STRING_ARG_CHARS = 4096;
/** Items in one array argument (contains, level, include_patterns…). */
export const MAX_ARRAY_ARG_ITEMS = 100;
/** Keys in one object argument (fields) and nesting depth. */
export const MAX_OBJECT_ARG_KEYS = 100;
export const MAX_ARG_DEPTH = 6;
/** The whole `arguments` object, serialised. */
export const MAX_ARGUMENTS_BYTES = 64 * 1024;
/** Lines, series, streams, traces, services, samples parsed from one backend answer (see sources/remote). */
export const MAX_ITEMS_PER_ANSWER = 50_000;
/** Characters of a backend's error text quoted in an error message. */
export const MAX_ERROR_TEXT_CHARS = 500;

export class ArgumentLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentLimitError';
  }
}

/**
 * Checks the shape and size of a call's arguments before any schema work: an object (or nothing),
 * within the caps above. Throws ArgumentLimitError with the path of the first offending value.
 */
export function checkArguments(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const kind = Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
    throw new ArgumentLimitError(`arguments must be a JSON object such as {"service":"checkout"}, not ${kind}`);
  }
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(raw), 'utf8');
  } catch {
    throw new ArgumentLimitError('arguments must be plain JSON');
  }
  if (size > MAX_ARGUMENTS_BYTES) throw new ArgumentLimitError(`arguments too large (${size} bytes, at most ${MAX_ARGUMENTS_BYTES})`);
  walk(raw, '', 0);
  return raw as Record<string, unknown>;
}

function walk(v: unknown, path: string, depth: number): void {
  const at = path || '(arguments)';
  if (depth > MAX_ARG_DEPTH) throw new ArgumentLimitError(`${at}: nested too deep (at most ${MAX_ARG_DEPTH} levels)`);
  if (typeof v === 'string') {
    // The question has its own, smaller cap: a paragraph is plenty, and language detection and time
    // parsing run over all of it.
    const max = path === 'question' ? MAX_QUESTION_CHARS : MAX_STRING_ARG_CHARS;
    if (v.length > max) throw new ArgumentLimitError(`${at}: text too long (${v.length} characters, at most ${max})`);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length > MAX_ARRAY_ARG_ITEMS) throw new ArgumentLimitError(`${at}: too many items (${v.length}, at most ${MAX_ARRAY_ARG_ITEMS})`);
    v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    return;
  }
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length > MAX_OBJECT_ARG_KEYS) throw new ArgumentLimitError(`${at}: too many keys (${keys.length}, at most ${MAX_OBJECT_ARG_KEYS})`);
    for (const k of keys) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
  }
}
