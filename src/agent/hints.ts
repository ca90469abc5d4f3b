// Optimisation hints: the catalogue (prompts/hints.yaml) is data; this module validates it and matches
// its triggers against findings. A finding can trigger several hints; the report lists each hint once
// with the findings that triggered it, in the report language.
// Texts: hints.yaml carries the triggers with the first four languages inline; every other language has
// its own file, prompts/hints/<lang>.yaml (hint id → title, explanation, fix), so adding or reviewing a
// language touches one file. After merging, every hint must have a text in every catalogue language.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { FINDING_KINDS, type Finding, type FindingKind, type Report } from './findings.js';
import { promptsDir, readPrompt } from './assets.js';
import { catalogueLang, SUPPORTED_LANGS, type Lang } from './language.js';

const text = z.object({ title: z.string().min(1), explanation: z.string().min(1), fix: z.string().min(1) });
const trigger = z.object({
  kinds: z.array(z.enum(FINDING_KINDS)).optional(),
  any: z.array(z.string()).optional(),
  all: z.array(z.string()).optional(),
  numbers: z.record(z.string(), z.object({ min: z.number().optional(), max: z.number().optional(), ifPresent: z.boolean().optional() })).optional(),
});
const hintSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  triggers: z.array(trigger).min(1),
  text: z.record(z.string(), text),
});
type HintText = z.infer<typeof text>;
export type HintDef = Omit<z.infer<typeof hintSchema>, 'text'> & { text: Record<Lang, HintText> };
const languageFile = z.record(z.string(), text);

interface CompiledTrigger {
  kinds?: FindingKind[];
  any?: RegExp[];
  all?: RegExp[];
  numbers?: Record<string, { min?: number; max?: number; ifPresent?: boolean }>;
}
export interface CompiledHint {
  def: HintDef;
  triggers: CompiledTrigger[];
}

let catalogue: CompiledHint[] | undefined;

/** The per-language hint files that exist (prompts/hints/<lang>.yaml), as YAML texts by language. */
export function languageFiles(): Partial<Record<Lang, string>> {
  const out: Partial<Record<Lang, string>> = {};
  for (const l of SUPPORTED_LANGS) {
    if (existsSync(path.join(promptsDir(), 'hints', `${l}.yaml`))) out[l] = readPrompt(`hints/${l}.yaml`);
  }
  return out;
}

/**
 * Parse and validate a catalogue (YAML list) with its per-language files; throws with the offending
 * entry named: an invalid field, a text for an unknown hint, or a hint missing a language.
 */
export function compileCatalogue(yamlText: string, langTexts: Partial<Record<Lang, string>> = {}): CompiledHint[] {
  return compileDefs(catalogueDefs(yamlText, langTexts));
}

/** The validated hint definitions of a catalogue and its language files (compileCatalogue without the regexes). */
export function catalogueDefs(yamlText: string, langTexts: Partial<Record<Lang, string>> = {}): HintDef[] {
  const parsed = z.array(hintSchema).safeParse(YAML.parse(yamlText));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`hint catalogue invalid at ${i.path.join('.')}: ${i.message}`);
  }
  const ids = new Set(parsed.data.map((d) => d.id));
  for (const [lang, yaml] of Object.entries(langTexts) as Array<[Lang, string]>) {
    const file = languageFile.safeParse(YAML.parse(yaml));
    if (!file.success) {
      const i = file.error.issues[0]!;
      throw new Error(`hint texts prompts/hints/${lang}.yaml invalid at ${i.path.join('.')}: ${i.message}`);
    }
    for (const [id, t] of Object.entries(file.data)) {
      if (!ids.has(id)) throw new Error(`hint texts prompts/hints/${lang}.yaml: no hint "${id}" in the catalogue`);
      const def = parsed.data.find((d) => d.id === id)!;
      def.text[lang] ??= t;
    }
  }
  for (const def of parsed.data) {
    const missing = SUPPORTED_LANGS.filter((l) => !def.text[l]);
    if (missing.length) throw new Error(`hint catalogue: "${def.id}" has no text in ${missing.join(', ')}`);
  }
  return parsed.data as HintDef[];
}

function compileDefs(defs: HintDef[]): CompiledHint[] {
  const re = (s: string) => new RegExp(s, 'i');
  return defs.map((def) => ({
    def,
    triggers: def.triggers.map((t) => ({ kinds: t.kinds, any: t.any?.map(re), all: t.all?.map(re), numbers: t.numbers })),
  }));
}

/**
 * Where the build writes the validated definitions (scripts/hints-json.ts): dist/hints-catalogue.json.
 * Parsing the YAML files and validating them takes ~100 ms of a cold `investigate` (the YAML parser is
 * cold); the JSON, under 10 ms. It is used only when written from the very texts found now (their digest).
 */
export const HINTS_JSON = new URL('../../hints-catalogue.json', import.meta.url);

/** Digest of the catalogue's texts: which YAML the saved definitions were made from. */
export function catalogueDigest(yamlText: string, langTexts: Partial<Record<Lang, string>>): string {
  const h = createHash('sha256').update(yamlText);
  for (const [lang, text] of Object.entries(langTexts)) h.update(`\u0000${lang}\u0000`).update(text!);
  return h.digest('hex');
}

function savedDefs(digest: string): HintDef[] | undefined {
  try {
    const saved = JSON.parse(readFileSync(HINTS_JSON, 'utf8')) as { digest?: string; defs?: HintDef[] };
    return saved.digest === digest && Array.isArray(saved.defs) ? saved.defs : undefined;
  } catch {
    return undefined; // not built (a run from source): the YAML is parsed
  }
}

export function loadCatalogue(): CompiledHint[] {
  if (!catalogue) {
    const main = readPrompt('hints.yaml');
    const langs = languageFiles();
    const defs = savedDefs(catalogueDigest(main, langs)) ?? catalogueDefs(main, langs);
    catalogue = compileDefs(defs);
  }
  return catalogue;
}

/** Everything a trigger may look at, as one text. */
function findingText(f: Finding): string {
  const parts = [f.title, ...Object.entries(f.details ?? {}).map(([k, v]) => `${k}=${v}`), ...(f.evidence.logLines ?? [])];
  if (f.source) parts.push(f.source.function ?? '', f.source.path, f.source.snippet ?? '');
  return parts.join('\n');
}

function triggerMatches(t: CompiledTrigger, f: Finding, text: string): boolean {
  // A suspect finding summarises every signal of its service, so it may trigger any kind's hint.
  if (t.kinds && f.kind !== 'suspect' && !t.kinds.includes(f.kind)) return false;
  if (t.any && !t.any.some((r) => r.test(text))) return false;
  if (t.all && !t.all.every((r) => r.test(text))) return false;
  if (t.numbers) {
    for (const [k, b] of Object.entries(t.numbers)) {
      const v = Number(f.numbers[k]);
      if (!Number.isFinite(v)) {
        if (b.ifPresent) continue; // a bound on an optional number (e.g. change vs baseline)
        return false;
      }
      if (b.min !== undefined && v < b.min) return false;
      if (b.max !== undefined && v > b.max) return false;
    }
  }
  return !!(t.any || t.all || t.numbers);
}

/** Ids of the hints a finding triggers, in catalogue order. */
export function hintsFor(f: Finding, cat: CompiledHint[] = loadCatalogue()): string[] {
  const text = findingText(f);
  return cat.filter((h) => h.triggers.some((t) => triggerMatches(t, f, text))).map((h) => h.def.id);
}

/**
 * Annotate findings with the hints they trigger and resolve the hints in the report language.
 * Hints are ordered by the best score among their findings.
 */
export function resolveHints(findings: Finding[], lang: string, cat: CompiledHint[] = loadCatalogue()): Report['hints'] {
  const byId = new Map<string, { findings: number[]; best: number }>();
  findings.forEach((f, i) => {
    const ids = [...new Set([...(f.hints ?? []), ...hintsFor(f, cat)])];
    f.hints = ids.length ? ids : undefined;
    for (const id of ids) {
      const e = byId.get(id) ?? { findings: [], best: -Infinity };
      e.findings.push(i);
      e.best = Math.max(e.best, f.score);
      byId.set(id, e);
    }
  });
  const l = catalogueLang(lang);
  return [...byId]
    .map(([id, e]) => ({ id, e, def: cat.find((h) => h.def.id === id)?.def }))
    .filter((x) => x.def)
    .sort((a, b) => b.e.best - a.e.best)
    .map(({ id, e, def }) => ({ id, ...def!.text[l], findings: e.findings }));
}
