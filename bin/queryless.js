#!/usr/bin/env node
// The build's bundle of the CLI (scripts/bundle-cli.ts) starts faster than dist/'s ~250 modules; it is
// used only when built after the last `tsc` (same or newer mtime than dist/src/cli.js), else dist/.
// `investigate` on a bundle starts decoding it in a worker first (early-decode.ts): the CLI's modules
// load meanwhile instead of before.
import { statSync } from 'node:fs';

function bundleIsFresh() {
  try {
    return statSync(new URL('../dist/bundle/cli/cli.js', import.meta.url)).mtimeMs >= statSync(new URL('../dist/src/cli.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

const fresh = bundleIsFresh();
const argv = process.argv.slice(2);
if (argv[0] === 'investigate') {
  const early = await import(fresh ? '../dist/bundle/cli/early-decode.js' : '../dist/src/sources/bundle/early-decode.js');
  const dir = early.investigatedBundle(argv, process.env);
  if (dir) early.startEarlyDecode(dir);
}
await import(fresh ? '../dist/bundle/cli/cli.js' : '../dist/src/cli.js');
