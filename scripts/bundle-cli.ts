// Build step: bundles the compiled CLI (dist/src/cli.js) and the decode worker into dist/bundle/cli/ with
// esbuild. A cold command otherwise resolves, reads and links ~250 ES modules (zod alone is ~95) plus
// pino's, yaml's and handlebars' CommonJS files one by one; the bundle is a few dozen files (one per lazily
// imported command or step), which takes ~0.15 s off every cold start. bin/queryless.js loads it only
// when it is at least as new as dist/src/cli.js (a later `tsc` makes it stale), else dist/ as before.
//
// The bundle sits two folders below dist/ like dist/src/<dir>/, so the paths modules compute from
// import.meta.url (../../hints-catalogue.json, ./decode-worker.js, the prompts/ folder found upwards)
// point at the same files.
import { build, type Plugin } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));

/** Where bin/queryless.js looks for the bundle. */
const BUNDLE_DIR = dist('bundle/cli');

/**
 * zod's `z` namespace re-exports every locale's error messages (`z.locales`, 340 kB of ~50 languages),
 * which a bundler cannot drop from a namespace used as a whole; every cold command parsed them. Queryless
 * never switches zod's locale (tool-argument errors are written in English for the model and the
 * user's language is handled by the report), so the bundle's `z.locales` holds English only.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/]/.test(a.importer) ? { path: path.resolve(path.dirname(a.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(a.path)};`,
      resolveDir: path.dirname(a.path),
    }));
  },
};

rmSync(BUNDLE_DIR, { recursive: true, force: true });
await build({
  entryPoints: { cli: dist('src/cli.js'), 'decode-worker': dist('src/sources/bundle/decode-worker.js'), 'early-decode': dist('src/sources/bundle/early-decode.js') },
  outdir: BUNDLE_DIR,
  chunkNames: '[name]-[hash]',
  bundle: true,
  // Lazy imports stay lazy: each `await import()` becomes a chunk loaded when reached.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A native addon (loaded only to draw PNGs) cannot be inlined; it is required from node_modules.
  external: ['@resvg/resvg-js'],
  // Function and class names stay as written (error names, log lines).
  keepNames: true,
  // The CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __qlCreateRequire } from 'node:module'; const require = __qlCreateRequire(import.meta.url);" },
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
});
