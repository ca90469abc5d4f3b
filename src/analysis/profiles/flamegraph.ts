// Pyroscope flame graphs (SelectMergeStacktraces `{names, levels:[{values:[…]}]}` and the /render
// flamebearer `{names, levels:[[…]]}`) back into stacks. Each level is a flat list of 4-tuples
// [xOffsetDelta, total, self, nameIndex]; x is absolute after accumulating deltas, and a node's parent
// is the node one level up whose [x, x+total) contains it.
import type { Frame } from '../../sources/types.js';
import { functionId } from './intern.js';

interface Node {
  x: number;
  total: number;
  self: number;
  name: string;
  parent?: Node;
}

/**
 * Frames materialised at most (all stacks together). Each node with self time becomes a stack of
 * its depth, so a wide and deep graph costs nodes × depth: a hostile 50 MB answer once took minutes
 * and GBs. Past the budget the remaining nodes are left out (the heaviest are usually shallow).
 */
export const MAX_FLAME_FRAMES = 1_000_000;
/** Parent search by a full scan (only for out-of-order levels) is skipped past this many candidates. */
const MAX_PARENT_SCAN = 10_000;

export function flamegraphStacks(
  names: string[],
  levels: Array<Array<number | string> | { values?: Array<number | string> }>,
  maxFrames = MAX_FLAME_FRAMES,
): Array<{ frames: Frame[]; value: number }> {
  const stacks: Array<{ frames: Frame[]; value: number }> = [];
  let framesLeft = maxFrames;
  let prev: Node[] = [];
  const framesOf = (n: Node): Frame[] => {
    const out: Frame[] = [];
    for (let c: Node | undefined = n; c; c = c.parent) out.push({ function: c.name, fid: functionId(c.name) });
    out.reverse();
    return out;
  };
  for (let depth = 0; depth < levels.length; depth++) {
    const lvl = levels[depth]!;
    const vals = (Array.isArray(lvl) ? lvl : lvl.values ?? []).map(Number);
    const cur: Node[] = [];
    let prevEnd = 0;
    let p = 0; // parents are sorted by x, and so are children: one forward scan finds each parent
    for (let i = 0; i + 3 < vals.length; i += 4) {
      const x = prevEnd + vals[i]!;
      const total = vals[i + 1]!;
      const self = vals[i + 2]!;
      prevEnd = x + total;
      let parent: Node | undefined;
      if (depth > 0) {
        while (p < prev.length && prev[p]!.x + prev[p]!.total <= x && !(prev[p]!.total === 0 && prev[p]!.x === x)) p++;
        parent = prev[p];
        if (parent && !(parent.x <= x && x + total <= parent.x + parent.total)) parent = prev.length <= MAX_PARENT_SCAN ? prev.find((q) => q.x <= x && x + total <= q.x + q.total) : undefined;
      }
      // Depth 0 is the synthetic "total" root: its children have no parent frame.
      const node: Node = { x, total, self, name: names[vals[i + 3]!] ?? '(unknown)', parent: depth > 1 ? parent : undefined };
      cur.push(node);
      if (depth > 0 && self > 0) {
        if (framesLeft < depth) return stacks;
        framesLeft -= depth;
        stacks.push({ frames: framesOf(node), value: self });
      }
    }
    prev = cur;
  }
  return stacks;
}
