#!/usr/bin/env node
// The build's bundle of the CLI (scripts/bundle-cli.ts) starts faster than dist/'s ~250 modules; it is
// used only when built after the last `tsc` (same or newer mtime than dist/src/cli.js), else dist/.
// `investigate` on a bundle starts decoding it in a worker first (early-decode.ts): the CLI's modules
// load meanwhile instead of before.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

function bundleIsFresh() {
  try {
    return statSync(new URL('../dist/bundle/cli/cli.js', import.meta.url)).mtimeMs >= statSync(new URL('../dist/src/cli.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

const fresh = bundleIsFresh();
const argv = process.argv.slice(2);
// A one-shot command lives a second or two. With V8's default tier-up budget its background threads
// spend more CPU compiling optimised code than that code saves (cold demo: 2.46 → 2.05 s of CPU, 1.41 →
// 1.31 s wall on 2 cores); a larger budget optimises only what stays hot, at a cost of about 4% on a
// 4 s `call rank_suspects` over 500k spans. V8's flags are process-wide, so the decode worker gets it
// too. The MCP server lives long and keeps V8's default.
if (argv[0] !== 'mcp') setFlagsFromString('--interrupt-budget=1000000');
if (argv[0] === 'investigate') {
  const early = await import(fresh ? '../dist/bundle/cli/early-decode.js' : '../dist/src/sources/bundle/early-decode.js');
  const dir = early.investigatedBundle(argv, process.env);
  if (dir) early.startEarlyDecode(dir);
}
await import(fresh ? '../dist/bundle/cli/cli.js' : '../dist/src/cli.js');
