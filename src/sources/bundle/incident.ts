// incident.yaml: the bundle's metadata. Unknown keys are kept (real bundles carry coverage, notes…).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import YAML from 'yaml';
import { BundleFileError } from './files.js';

const timeString = z.union([z.string(), z.date(), z.number()]).transform((v, ctx) => {
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : Date.parse(v);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${String(v)}` });
    return z.NEVER;
  }
  return t;
});

const range = z.object({ start: timeString, end: timeString }).refine((r) => r.end > r.start, { message: 'end must be after start' });

export const incidentSchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().default(''),
  system: z.string().optional(),
  window: range,
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

export async function loadIncident(file: string): Promise<IncidentMeta> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new BundleFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a bundle needs an incident.yaml`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw new BundleFileError(file, `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err.message.split('\n')[0]}`);
  }
  const parsed = incidentSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleFileError(file, `invalid incident metadata: ${what}`);
  }
  return parsed.data;
}
