// Build step: bundles the compiled CLI (dist/src/cli.js) and the decode worker into dist/bundle/cli/ with
// esbuild. A cold command otherwise resolves, reads and links ~250 ES modules (zod alone is ~95) plus
// pino's, yaml's and handlebars' CommonJS files one by one; the bundle is a few dozen files (one per lazily
// imported command or step), which takes ~0.15 s off every cold start. bin/queryless.js loads it only
// when it is at least as new as dist/src/cli.js (a later `tsc` makes it stale), else dist/ as before.
//
// The bundle sits two folders below dist/ like dist/src/<dir>/, so the paths modules compute from
// import.meta.url (../../hints-catalogue.json, ./decode-worker.js, the prompts/ folder found upwards)
// point at the same files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));

/** Where bin/queryless.js looks for the bundle. */
const BUNDLE_DIR = dist('bundle/cli');

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
  logLevel: 'warning',
});
