// Turning `queryless eval PATH…` into cases: a bundle, a folder of bundles, or a suite file.
// A suite file (evals/suites/*.yaml) names bundles (relative to the suite file, else to the repo/cwd),
// the question languages, the modes, the cassette folder for replay, and pass thresholds.
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { CHECKS, type Check } from './score.js';

export type EvalMode = 'playbook' | 'agent';

export interface Thresholds {
  top1?: number;
  top3?: number;
  kind?: number;
  lang?: number;
  pass?: number;
}

/** One bundle × question language × mode to run (the question itself is read when the case runs). */
export interface CaseSpec {
  id: string;
  bundleDir: string;
  /** Question languages to use; empty = the bundle's first question; ['*'] = all. */
  langs: string[];
  mode: EvalMode;
  suite?: string;
  /** Cassette folder for agent replay (from the suite or --replay). */
  replay?: string;
  /** Checks a case must pass (suite `require`); default DEFAULT_REQUIRE. */
  require?: Check[];
}

export interface Plan {
  cases: CaseSpec[];
  thresholds: Thresholds;
  /** Paths or suite entries that were skipped as a whole, with the reason (e.g. opt-in data missing). */
  skipped: Array<{ path: string; reason: string }>;
  suites: string[];
}

const suiteSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  bundles: z.array(z.string().min(1)).min(1),
  /** Question languages; "all" or ["*"] for every question of each bundle. */
  langs: z.union([z.literal('all'), z.array(z.string().min(1))]).optional(),
  modes: z.array(z.enum(['playbook', 'agent'])).default(['playbook']),
  replay: z.string().optional(),
  thresholds: z
    .object({ top1: z.number().min(0).max(1).optional(), top3: z.number().min(0).max(1).optional(), kind: z.number().min(0).max(1).optional(), lang: z.number().min(0).max(1).optional(), pass: z.number().min(0).max(1).optional() })
    .default({}),
  /** Checks a case must pass (the others are still scored and reported). */
  require: z.array(z.enum(CHECKS)).optional(),
  /** Opt-in data (e.g. ../shared/datasets): missing bundles skip the suite cleanly instead of failing. */
  optional: z.boolean().default(false),
});

export type SuiteFile = z.infer<typeof suiteSchema>;

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteError';
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Bundles under a path: itself when it has incident.yaml, else its sub-folders that have one (sorted). */
export async function findBundles(p: string): Promise<string[]> {
  const abs = path.resolve(p);
  if (existsSync(path.join(abs, 'incident.yaml'))) return [abs];
  if (!(await isDir(abs))) return [];
  const out: string[] = [];
  for (const name of (await readdir(abs)).sort()) {
    const sub = path.join(abs, name);
    // A sub-folder is a bundle candidate when it looks like one (incident.yaml or signal folders):
    // a candidate with a broken or missing incident.yaml still becomes a (failing) case.
    if (!(await isDir(sub))) continue;
    const looksLike = ['incident.yaml', 'traces', 'logs', 'metrics', 'profiles'].some((f) => existsSync(path.join(sub, f)));
    if (looksLike) out.push(sub);
  }
  return out;
}

export function isSuiteFile(p: string): boolean {
  return /\.ya?ml$/i.test(p) && !p.endsWith('incident.yaml');
}

function caseId(bundleDir: string): string {
  return path.basename(bundleDir);
}

export async function loadSuite(file: string): Promise<SuiteFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SuiteError(`suite ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new SuiteError(`suite ${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = suiteSchema.safeParse(doc);
  if (!parsed.success) {
    throw new SuiteError(`suite ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}. Expected keys: bundles (list), langs, modes, replay, thresholds, require, optional.`);
  }
  return parsed.data;
}

/** Resolves a suite-relative path: relative to the suite file first, then to the working directory. */
export function resolveFromSuite(suiteFile: string, p: string): string {
  if (path.isAbsolute(p)) return p;
  const fromSuite = path.resolve(path.dirname(suiteFile), p);
  if (existsSync(fromSuite)) return fromSuite;
  return path.resolve(process.cwd(), p);
}

export interface PlanOptions {
  /** --mode: overrides the suite modes. */
  mode?: EvalMode;
  /** --lang: which question language(s) to use. */
  langs?: string[];
  replay?: string;
}

export async function planEval(paths: string[], opts: PlanOptions = {}): Promise<Plan> {
  const plan: Plan = { cases: [], thresholds: {}, skipped: [], suites: [] };
  for (const p of paths) {
    if (isSuiteFile(p)) {
      const suite = await loadSuite(p);
      const name = suite.name ?? path.basename(p).replace(/\.ya?ml$/i, '');
      plan.suites.push(name);
      Object.assign(plan.thresholds, suite.thresholds);
      const langs = opts.langs ?? (suite.langs === 'all' ? ['*'] : (suite.langs ?? []));
      const modes = opts.mode ? [opts.mode] : suite.modes;
      const replay = opts.replay ?? (suite.replay ? resolveFromSuite(p, suite.replay) : undefined);
      for (const entry of suite.bundles) {
        const dir = resolveFromSuite(p, entry);
        const bundles = await findBundles(dir);
        if (bundles.length === 0) {
          if (suite.optional) {
            plan.skipped.push({ path: dir, reason: `suite ${name}: no bundle at ${dir} (opt-in data not present)` });
            continue;
          }
          throw new SuiteError(`suite ${p}: bundle path "${entry}" (resolved to ${dir}) holds no bundle (no incident.yaml)`);
        }
        for (const b of bundles) for (const mode of modes) plan.cases.push({ id: caseId(b), bundleDir: b, langs, mode, suite: name, replay: mode === 'agent' ? replay : undefined, require: suite.require });
      }
      continue;
    }
    const bundles = await findBundles(p);
    if (bundles.length === 0) {
      if (!existsSync(p)) throw new SuiteError(`${p}: no such file or folder; give a bundle, a folder of bundles, or a suite .yaml`);
      throw new SuiteError(`${p}: not a bundle (no incident.yaml) and no bundle folders inside`);
    }
    for (const b of bundles) plan.cases.push({ id: caseId(b), bundleDir: b, langs: opts.langs ?? [], mode: opts.mode ?? 'playbook', replay: opts.mode === 'agent' ? opts.replay : undefined });
  }
  return plan;
}
