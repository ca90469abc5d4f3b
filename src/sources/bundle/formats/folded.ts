// Collapsed ("folded") stacks: one line per distinct stack, frames root first joined by `;`, then a
// space and the sample count. Written by `perf script | stackcollapse-perf.pl` (first frame the
// command name), py-spy (`record --format raw`; frames `function (file.py:line)`) and async-profiler
// (`-o collapsed`; frames may end in `_[j]` jitted, `_[i]` inlined, `_[k]` kernel, `_[0]` interpreted).
// Read into the pprof model as a CPU sample-count profile with no time of its own.
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';

const FOLDED_LINE = /^(.*\S)\s+(\d+)$/;
const PY_SPY_FRAME = /^(.*) \(([^()]+):(\d+)\)$/;
const ASYNC_PROFILER_SUFFIX = /_\[[jik0]\]$/;

/** True when most of the first lines are `a;b;c 12` (at least one with a `;`, all ending in a count). */
export function looksFolded(lines: string[]): boolean {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 50);
  if (!sample.length) return false;
  let semis = 0;
  for (const l of sample) {
    const m = FOLDED_LINE.exec(l.trimEnd());
    if (!m) return false;
    if (m[1]!.includes(';')) semis++;
  }
  return semis > 0;
}

function frameOf(text: string, cache: Map<string, Frame>): Frame {
  let f = cache.get(text);
  if (f) return f;
  const name = text.replace(ASYNC_PROFILER_SUFFIX, '');
  const py = PY_SPY_FRAME.exec(name);
  if (py) f = { function: py[1]!, file: py[2]!, line: Number(py[3]), fid: functionId(py[1]!) };
  else f = { function: name, fid: functionId(name) };
  cache.set(text, f);
  return f;
}

export function parseFolded(text: string, file: string): { profile: ParsedProfile; badLines: number[] } {
  const samples: ParsedSample[] = [];
  const cache = new Map<string, Frame>();
  const badLines: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    const m = FOLDED_LINE.exec(line);
    if (!m) {
      badLines.push(i + 1);
      continue;
    }
    const count = Number(m[2]);
    if (count === 0) continue;
    samples.push({ frames: m[1]!.split(';').filter((s) => s !== '').map((s) => frameOf(s, cache)), values: [count] });
  }
  if (!samples.length) throw new Error(`${file}: no stacks (expected lines like "main;handler;parse 42")`);
  return { profile: { sampleTypes: [{ type: 'samples', unit: 'count' }], period: 0, samples, comments: [] }, badLines };
}
