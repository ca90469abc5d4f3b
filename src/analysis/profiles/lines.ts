// Per-line costs of one function: self (the line is the leaf) and total (the line is on the stack),
// from profiles that carry line numbers. This is what `pprof -list` shows, keyed by file:line.
import type { StackProfile } from '../../sources/types.js';

export interface LineCost {
  file: string;
  line: number;
  flat: number;
  cum: number;
}

/** Matches a profile function name against what the caller gave (exact, or suffix after a package path). */
export function functionMatches(profileName: string, wanted: string): boolean {
  if (profileName === wanted) return true;
  if (profileName.endsWith(wanted)) {
    const c = profileName[profileName.length - wanted.length - 1];
    return c === '.' || c === '/' || c === ':' || c === ' ' || c === '\\';
  }
  return false;
}

/** Line costs of the functions matching `fn` (or every line of `file` when fn is undefined). */
export function lineCosts(p: Pick<StackProfile, 'stacks'>, sel: { fn?: string; file?: string }): LineCost[] {
  const acc = new Map<string, LineCost & { stamp: number }>();
  const match = new Map<string, boolean>();
  let stamp = 0;
  for (const s of p.stacks) {
    stamp++;
    const frames = s.frames;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.line === undefined || !f.file) continue;
      let ok = match.get(f.function + '\u0000' + f.file);
      if (ok === undefined) {
        ok = (sel.fn === undefined || functionMatches(f.function, sel.fn)) && (sel.file === undefined || pathSuffixMatch(f.file, sel.file));
        match.set(f.function + '\u0000' + f.file, ok);
      }
      if (!ok) continue;
      const key = `${f.file}:${f.line}`;
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { file: f.file, line: f.line, flat: 0, cum: 0, stamp: 0 }));
      if (i === frames.length - 1) a.flat += s.value;
      if (a.stamp !== stamp) {
        a.stamp = stamp;
        a.cum += s.value;
      }
    }
  }
  return [...acc.values()].map(({ stamp: _s, ...l }) => l).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** True when one path ends with the other on a segment boundary (`internal/x.go` vs `/src/app/internal/x.go`). */
export function pathSuffixMatch(a: string, b: string): boolean {
  const x = a.replace(/\\/g, '/');
  const y = b.replace(/\\/g, '/').replace(/^\.\//, '');
  if (x === y) return true;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  return long.endsWith(short) && (long[long.length - short.length - 1] === '/' || short.startsWith('/'));
}
