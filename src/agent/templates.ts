// Handlebars templates from prompts/, precompiled at build time (scripts/precompile-templates.ts) into
// dist/templates/<name>.cjs. Compiling the report template cold takes ~0.1 s (Handlebars' compiler
// runs once, unoptimised), as much as a tenth of a cold `investigate`; the precompiled spec gives the
// same template function. It is used only when its digest (Handlebars version, options, template
// text) matches; otherwise (a run from source, an edited template) the template is compiled here.
// Only Handlebars' runtime is imported: its compiler (with source-map, ~200 KB of code to load) is
// required when a template has to be compiled here.
import HandlebarsRuntime from 'handlebars/runtime.js';
import type HandlebarsFull from 'handlebars';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readPrompt } from './assets.js';
import { lazyRequire } from '../util/lazy.js';

const compiler = lazyRequire<typeof HandlebarsFull>('handlebars');
/** The runtime's typings declare nothing; it is the same object as the full build minus the compiler. */
const Handlebars = HandlebarsRuntime as unknown as Pick<typeof HandlebarsFull, 'VERSION' | 'template'>;

export type CompileOptions = { noEscape?: boolean; strict?: boolean };

const requireHere = createRequire(import.meta.url);

/** Where the build writes the precompiled form of prompts/<name>. */
export function precompiledFile(name: string): string {
  return fileURLToPath(new URL(`../../templates/${name}.cjs`, import.meta.url));
}

export function templateDigest(source: string, options: CompileOptions): string {
  return createHash('sha256').update(`${Handlebars.VERSION}\u0000${JSON.stringify(options)}\u0000${source}`).digest('hex');
}

/** The module text the build writes: the digest and Handlebars' precompiled spec. */
export function precompiledModule(source: string, options: CompileOptions): string {
  return `module.exports = { digest: ${JSON.stringify(templateDigest(source, options))}, spec: ${compiler().precompile(source, { ...options })} };\n`; // a copy: precompile adds keys to its options
}

/** prompts/<name> as a template function: the build's precompiled spec when it matches, else compiled now. */
export function loadTemplate(name: string, options: CompileOptions): HandlebarsFull.TemplateDelegate {
  const source = readPrompt(name);
  let saved: { digest?: string; spec?: Parameters<typeof Handlebars.template>[0] } | undefined;
  try {
    saved = requireHere(precompiledFile(name)) as typeof saved;
  } catch {
    saved = undefined; // not built (a run from source)
  }
  if (saved?.spec && saved.digest === templateDigest(source, options)) return Handlebars.template(saved.spec);
  return compiler().compile(source, { ...options });
}
