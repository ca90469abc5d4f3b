// `perf script` output (Linux perf, also what `perf script` prints from a perf.data of eBPF and JIT
// maps): one block per sample, a header line `comm pid[/tid] [cpu] time: [period] event:` then its
// stack, one frame per indented line `address symbol+offset (dso)`, leaf first, blocks separated by
// a blank line. The text the FlameGraph scripts fold (samples of pid 0, the idle task, left out); read here directly as a CPU sample-count profile
// (each sample one count under its command's name, as stackcollapse-perf folds them). perf's times are seconds since boot,
// not dates: the profile has no time of its own.
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';

/** `comm pid/tid [cpu] 1234.567890:` … `event:` (comm may hold spaces; cpu and the tid are optional). */
const HEADER = /^(\S.*?)\s+(\d+)(?:\/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s+(?:\d+\s+)?[\w:.-]+:?\s*$/;
/** `\t ffffffff8107d1f6 native_safe_halt+0x6 ([kernel.kallsyms])` — the address, the symbol, the object. */
const FRAME = /^\s+([0-9a-f]+)\s+(.*?)\s*(?:\(([^()]*)\))?\s*$/;

/** Whether a text's first lines read as perf script samples: a header, then indented frames. */
export function looksLikePerfScript(lines: string[]): boolean {
  let headers = 0;
  let frames = 0;
  for (const l of lines.slice(0, 200)) {
    if (l.trim() === '' || l.startsWith('#')) continue;
    if (/^\s/.test(l)) {
      if (!FRAME.test(l)) return false;
      frames++;
    } else if (HEADER.test(l)) headers++;
    else return false;
  }
  return headers > 0 && frames > 0;
}

function frameOf(symbol: string, dso: string | undefined, cache: Map<string, Frame>): Frame {
  const key = `${symbol}\0${dso ?? ''}`;
  let f = cache.get(key);
  if (f) return f;
  // `func+0x1e` → func; an unknown symbol keeps the object it was in, as stackcollapse-perf does.
  const name = symbol === '[unknown]' || symbol === '' ? `[unknown] (${dso ? dso.split('/').pop() : '?'})` : symbol.replace(/\+0x[0-9a-f]+$/, '');
  f = { function: name, fid: functionId(name) };
  cache.set(key, f);
  return f;
}

export function parsePerfScript(text: string, file: string): { profile: ParsedProfile; problems: string[] } {
  const counts = new Map<string, { frames: Frame[]; n: number }>();
  const cache = new Map<string, Frame>();
  const problems: string[] = [];
  let stack: Frame[] | undefined;
  let comm = '';
  let unreadable = 0;
  let idle = 0;
  const flush = () => {
    if (stack) {
      // perf writes the leaf first; the command is the root, as stackcollapse-perf writes it.
      const frames = [frameOf(comm, undefined, cache), ...stack.reverse()];
      const k = frames.map((f) => f.function).join('\0');
      const e = counts.get(k);
      if (e) e.n++;
      else counts.set(k, { frames, n: 1 });
    }
    stack = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) {
      flush();
      continue;
    }
    if (/^\s/.test(line)) {
      const m = FRAME.exec(line);
      if (!m) unreadable++;
      if (!m || !stack) continue;
      stack.push(frameOf(m[2]!, m[3], cache));
      continue;
    }
    flush();
    const h = HEADER.exec(line);
    if (!h) {
      unreadable++;
      continue;
    }
    comm = h[1]!;
    // pid 0 is the kernel's idle task (swapper): a CPU doing nothing, not anyone's work.
    stack = h[2] === '0' ? undefined : [];
    if (!stack) idle++;
  }
  flush();
  if (unreadable) problems.push(`${file}: ${unreadable} line(s) are neither a sample header nor a stack frame; left out`);
  const samples: ParsedSample[] = [...counts.values()].map((e) => ({ frames: e.frames, values: [e.n] }));
  if (!samples.length) throw new Error(`${file}: no perf samples${idle ? ' but idle ones (pid 0)' : ''} (expected "comm pid [cpu] time: event:" lines followed by indented frames)`);
  return { profile: { sampleTypes: [{ type: 'samples', unit: 'count' }], period: 0, samples, comments: [] }, problems };
}
