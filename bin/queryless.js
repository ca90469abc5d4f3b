#!/usr/bin/env node
// The build's bundle of the CLI (scripts/bundle-cli.ts) starts faster than dist/'s ~250 modules; it is
// used only when built after the last `tsc` (same or newer mtime than dist/src/cli.js), else dist/.
import { statSync } from 'node:fs';

function bundleIsFresh() {
  try {
    return statSync(new URL('../dist/bundle/cli/cli.js', import.meta.url)).mtimeMs >= statSync(new URL('../dist/src/cli.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

await import(bundleIsFresh() ? '../dist/bundle/cli/cli.js' : '../dist/src/cli.js');
