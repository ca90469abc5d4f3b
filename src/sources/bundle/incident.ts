// incident.yaml: the bundle's metadata, optional. Unknown keys are kept (real bundles carry coverage,
// notes…); every key may be missing: the id defaults to the folder's name, the window (or the part of it
// not given) comes from the data (load.ts).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import YAML from 'yaml';
import { BundleFileError } from './files.js';
import { isPlausibleTimeMs } from '../../util/plausible-time.js';

const timeString = z.union([z.string(), z.date(), z.number()]).transform((v, ctx) => {
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : Date.parse(v);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${String(v)} (write an ISO 8601 time such as 2025-06-03T10:00:00Z)` });
    return z.NEVER;
  }
  // Outside these years it is a typo or a wrong unit (`start: 12` is 1970 as epoch seconds), not an incident.
  if (!isPlausibleTimeMs(t)) {
    ctx.addIssue({ code: 'custom', message: `not a plausible time: ${String(v instanceof Date ? v.toISOString() : v)} is ${new Date(t).toISOString().slice(0, 4)} (write an ISO 8601 time such as 2025-06-03T10:00:00Z; a number is read as epoch seconds, or milliseconds past 1e11)` });
    return z.NEVER;
  }
  return t;
});

const range = z.object({ start: timeString, end: timeString }).refine((r) => r.end > r.start, { message: 'end must be after start' });
/** The window may give only one end; the other comes from the data. */
const partialRange = z
  .object({ start: timeString.optional(), end: timeString.optional() })
  .refine((r) => r.start === undefined || r.end === undefined || r.end > r.start, { message: 'end must be after start' });

export const incidentSchema = z.looseObject({
  id: z.coerce.string().min(1).optional(),
  title: z.coerce.string().default(''),
  system: z.string().optional(),
  window: partialRange.optional(),
  baseline: range.optional(),
  incident: range.optional(),
  questions: z.array(z.looseObject({ lang: z.string().min(2), text: z.string().min(1) })).default([]),
  truth: z
    .looseObject({
      service: z.string(),
      fault: z.string(),
      span: z.string().optional(),
      function: z.string().optional(),
      file: z.string().optional(),
    })
    .optional(),
  repositories: z.record(z.string(), z.string()).optional(),
});

export type IncidentMeta = z.infer<typeof incidentSchema>;

/** The description of a bundle that has none: every key has a default or comes from the data. */
export function emptyIncident(): IncidentMeta {
  return incidentSchema.parse({});
}

/** Reads incident.yaml; a missing file is an empty description (every key has a default or comes from the data). */
export async function loadIncident(file: string): Promise<IncidentMeta> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyIncident();
    throw new BundleFileError(file, `cannot read (${code ?? (e as Error).message})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw new BundleFileError(file, `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err.message.split('\n')[0]}`);
  }
  // An empty file (or only comments) is an empty description. Aliases that expand past the yaml
  // library's cap (a "billion laughs" file) throw here rather than in the parse.
  let raw: Record<string, unknown>;
  try {
    raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new BundleFileError(file, `invalid YAML: ${(e as Error).message} (its aliases (*name) expand too far); write the values out instead of repeating aliases`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new BundleFileError(file, `expected a mapping of keys (id, title, window: {start, end}, …), found ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`);
  // A key written with no value (`window:`) is a key not given.
  for (const k of Object.keys(raw)) if (raw[k] === null) delete raw[k];
  const parsed = incidentSchema.safeParse(raw);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleFileError(file, `invalid incident metadata: ${what}. Fix these keys or remove them (every key of incident.yaml is optional)`);
  }
  return parsed.data;
}
