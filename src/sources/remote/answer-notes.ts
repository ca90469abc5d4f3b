// What the readers of backend answers left out: entries of a shape the API does not give (a series that
// is no object, a point without a time, a name that is no string), and lists cut at the item cap. The
// readers return what they could read; the count of what they could not goes here, to the tool call
// that asked (runTool puts it in the output's `problems`), so a damaged answer never passes as whole.
// Kept per call with AsyncLocalStorage: the readers' signatures stay as the tools use them.
import { AsyncLocalStorage } from 'node:async_hooks';

type Notes = Map<string, number>;
const current = new AsyncLocalStorage<Notes>();

/** Counts `n` entries of `what` that a `backend`'s answer (or a file of trace data) held and the reader left out. */
export function noteLeftOut(backend: string, what: string, n = 1): void {
  if (n <= 0) return;
  const notes = current.getStore();
  if (!notes) return;
  const key = `${backend}: ${what}`;
  notes.set(key, (notes.get(key) ?? 0) + n);
}

/** Marks a note that is a whole line (a part that failed), not a count. */
const LINE = '\u0000';
/** Marks a count of values read as their JSON text rather than left out. */
const AS_TEXT = '\u0001';

/** Counts `n` values of `what` of the wrong type that the reader kept as their JSON text. */
export function noteKeptAsText(source: string, what: string, n = 1): void {
  noteLeftOut(`${AS_TEXT}${source}`, what, n);
}

/**
 * A part of a tool's answer left out because its request failed (an optional section such as Loki's
 * detected fields): said with the backend's error, so the answer reads as partial.
 */
export function noteFailed(what: string, e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  current.getStore()?.set(`${LINE}${what} left out: ${msg.length > 300 ? `${msg.slice(0, 300)}…` : msg}`, 1);
}

/** A line saying what an answer left out, in the backend's words (GitHub's incomplete search results). */
export function noteLine(text: string): void {
  current.getStore()?.set(`${LINE}${text}`, 1);
}

/** A `.catch` handler for an optional part: notes the failure (noteFailed) and answers `fallback`. */
export const leftOutOnError =
  <T>(what: string, fallback: T) =>
  (e: unknown): T => {
    noteFailed(what, e);
    return fallback;
  };

/** The lines for the notes: "Loki: 3 × line or sample without a readable time, left out (the answer is partial)". */
function lines(notes: Notes): string[] {
  return [...notes].map(([key, n]) => {
    if (key.startsWith(LINE)) return key.slice(1);
    const at = key.indexOf(': ');
    if (key.startsWith(AS_TEXT)) return `${key.slice(1, at)}: ${n} × ${key.slice(at + 2)}, kept as its JSON text (the answer is partial)`;
    return `${key.slice(0, at)}: ${n} × ${key.slice(at + 2)}, left out (the answer is partial)`;
  });
}

/**
 * Runs `f` collecting what the readers left out on its way; the lines are also passed on to an
 * enclosing collection (a tool that runs tools), so none is lost.
 */
export async function collectLeftOut<T>(f: () => Promise<T>): Promise<{ result: T; leftOut: string[] }> {
  const outer = current.getStore();
  const notes: Notes = new Map();
  try {
    const result = await current.run(notes, f);
    return { result, leftOut: lines(notes) };
  } finally {
    if (outer) for (const [k, n] of notes) outer.set(k, (outer.get(k) ?? 0) + n);
  }
}
