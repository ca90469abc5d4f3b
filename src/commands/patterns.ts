// `queryless patterns [FILE…]`: mine log templates from plain log files (stdin when none), like a
// log-template miner on a dump. Text: patterns with counts; --json: one object per pattern with its
// count and the 1-based line numbers it covers (numbering runs across files, in the order given).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parseArgv, UsageError } from './args.js';
import { PatternMiner, OVERFLOW_ID } from '../analysis/logs/miner.js';
import { MAX_LINE_CHARS } from '../analysis/logs/tokenize.js';

export const PATTERNS_HELP = `Usage: queryless patterns [FILE…] [--json] [--top N] [--samples N]

Mines log templates (patterns) from plain log files, or from stdin when no FILE is given
(.gz files are decompressed). Variables (numbers, ids, ips, paths, key=value values…) become <*>.
  --json       one JSON object per line per pattern: {"pattern","template","count","lines":[1-based…],"samples"}
  --top N      only the N biggest patterns (default: all)
  --samples N  sample lines per pattern in --json (default 1)
Lines longer than ${MAX_LINE_CHARS} characters are mined on their first ${MAX_LINE_CHARS} (counted on stderr).`;

async function* readLines(files: string[]): AsyncGenerator<string> {
  const inputs: Array<() => Readable> = files.length
    ? files.map((f) => () => {
        const s = createReadStream(f);
        return f.endsWith('.gz') ? s.pipe(createGunzip()) : s;
      })
    : [() => process.stdin];
  for (const open of inputs) {
    const rl = createInterface({ input: open(), crlfDelay: Infinity });
    for await (const line of rl) yield line;
  }
}

export async function patternsCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(PATTERNS_HELP + '\n');
    return 0;
  }
  const top = a.flags.top !== undefined ? Number(a.flags.top) : Infinity;
  if (!(top > 0)) throw new UsageError(`patterns: --top must be a positive number, got "${a.flags.top}"`);
  const nSamples = a.flags.samples !== undefined ? Number(a.flags.samples) : 1;
  if (!(nSamples >= 0)) throw new UsageError(`patterns: --samples must be 0 or more, got "${a.flags.samples}"`);
  for (const f of a.positionals) if (!existsSync(f)) throw new UsageError(`patterns: file not found: ${f}`);
  const json = a.bools.has('json');
  const miner = new PatternMiner({ maxSamples: Math.max(1, nSamples) });
  // Leaf id per line (4 bytes a line) so line numbers can be listed after the final merge.
  let leafIds = new Int32Array(1 << 16);
  let n = 0;
  let cut = 0;
  let empty = 0;
  for await (const line of readLines(a.positionals)) {
    if (n === leafIds.length) {
      const bigger = new Int32Array(leafIds.length * 2);
      bigger.set(leafIds);
      leafIds = bigger;
    }
    if (line.length > MAX_LINE_CHARS) cut++;
    if (line.trim() === '') {
      empty++;
      leafIds[n++] = -2;
      continue;
    }
    leafIds[n++] = miner.add(line);
  }
  miner.finish();
  const clusters = miner.clusters().slice(0, Number.isFinite(top) ? top : undefined);
  if (cut || empty) process.stderr.write(`patterns: ${n} line(s); ${cut} longer than ${MAX_LINE_CHARS} chars (mined on their head); ${empty} empty line(s) skipped\n`);
  if (json) {
    const want = new Map<number, number[]>(clusters.map((c) => [c.id, []]));
    for (let i = 0; i < n; i++) {
      const leaf = leafIds[i]!;
      if (leaf === -2) continue;
      const cid = leaf === OVERFLOW_ID ? OVERFLOW_ID : miner.clusterOf(leaf);
      want.get(cid)?.push(i + 1);
    }
    const out: string[] = [];
    for (const c of clusters) out.push(JSON.stringify({ pattern: c.pattern, template: c.template, count: c.count, lines: want.get(c.id) ?? [], samples: c.samples.slice(0, nSamples) }));
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    return 0;
  }
  const width = String(clusters[0]?.count ?? 0).length;
  const lines = clusters.map((c) => `${String(c.count).padStart(width)}  ${c.template}`);
  process.stdout.write(`${miner.clusterCount} pattern(s) in ${n - empty} line(s)\n${lines.join('\n')}\n`);
  return 0;
}
