// Parent links that loop (A's parent is B, B's parent is A; a span its own parent) make every walk up
// or down a trace endless. Real exporters do not write them, but a damaged file or a buggy converter
// can: they are cut once, when the store is built, so no analysis has to guard against them.
import type { SpanStore } from './store.js';

export interface ParentLoop {
  traceId: string;
  /** The span ids of the loop, in parent order, the first repeated at the end. */
  spans: string[];
}

/**
 * Cuts each loop at its earliest-starting span, which becomes a root (the likeliest real root), and
 * returns the loops found. A parent id used by several spans (duplicate ids) links to all of them, so
 * a loop through any of them is cut whichever the analyses pick. Iterative: traces can be deep.
 */
export function breakParentLoops(store: SpanStore): ParentLoop[] {
  const { cols, members, traceOff } = store;
  const loops: ParentLoop[] = [];
  // 0 unseen, 1 on the current path, 2 done.
  const state = new Uint8Array(store.size);
  for (let t = 0; t < store.traces; t++) {
    const from = traceOff[t]!;
    const to = traceOff[t + 1]!;
    // A span id names one span, or a list when ids repeat: no array per span for the usual case
    // (a million one-element arrays on a large store).
    const byId = new Map<string, number | number[]>();
    for (let k = from; k < to; k++) {
      const i = members[k]!;
      const id = cols.spanId[i]!;
      const had = byId.get(id);
      if (had === undefined) byId.set(id, i);
      else if (typeof had === 'number') byId.set(id, [had, i]);
      else had.push(i);
    }
    // Spans set back to unseen by a cut are walked again by a later pass.
    for (let again = true; again; ) {
      again = false;
      for (let k = from; k < to; k++) {
        const root = members[k]!;
        if (state[root]) continue;
        again = true;
        // Depth-first along parent links; each frame is a span and the next parent candidate to try.
        const path: number[] = [root];
        const next: number[] = [0];
        state[root] = 1;
        while (path.length) {
          const s = path[path.length - 1]!;
          const parent = cols.parentSpanId[s];
          const candidates = parent === undefined ? undefined : byId.get(parent);
          const count = candidates === undefined ? 0 : typeof candidates === 'number' ? 1 : candidates.length;
          const c = next[next.length - 1]!;
          if (c >= count) {
            state[s] = 2;
            path.pop();
            next.pop();
            continue;
          }
          next[next.length - 1] = c + 1;
          const p = typeof candidates === 'number' ? candidates : candidates![c]!;
          if (state[p] === 2) continue;
          if (state[p] === 0) {
            state[p] = 1;
            path.push(p);
            next.push(0);
            continue;
          }
          // p is on the path: path[p … s] is a loop.
          const loop = path.slice(path.indexOf(p));
          const earliest = loop.reduce((a, b) => (cols.start[b]! < cols.start[a]! ? b : a));
          loops.push({ traceId: store.strings[cols.traceId[s]!]!, spans: [...loop.map((i) => cols.spanId[i]!), cols.spanId[p]!] });
          cols.parentSpanId[earliest] = undefined;
          // The path above the cut span is no longer its ancestry: unwind to it and go on from there.
          const at = path.indexOf(earliest);
          for (let j = path.length - 1; j > at; j--) state[path[j]!] = 0;
          path.length = at + 1;
          next.length = at + 1;
        }
      }
    }
  }
  return loops;
}

/** The problem line for the loops cut in `where` (a file, or a count of files). */
export function parentLoopProblem(where: string, loops: ParentLoop[]): string {
  const first = loops[0]!;
  const shown = first.spans.length > 6 ? [...first.spans.slice(0, 5), '…', first.spans[first.spans.length - 1]!] : first.spans;
  return `${where}: ${loops.length} loop(s) of parent links between spans (first: trace ${first.traceId}, ${shown.join(' → ')}); the earliest span of each loop is read as a root`;
}
