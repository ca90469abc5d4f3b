// A merged profile's stacks as function ids: the interned function id of every frame in one typed array.
// topFunctions fills this table in its pass over the stacks; the user-code view and the call paths then
// walk the integers and a per-id kind array instead of reading the frames again each (google-pprof's
// large.cpu: 20k stacks, 24 frames deep).
import type { Frame } from '../../sources/types.js';
import type { CompactStacks } from './compact-stacks.js';
import { functionId } from './intern.js';

export interface StackTable {
  /** What the table was built from (stacksKey of the profile): a table only stands for those stacks. */
  readonly source: object;
  /** Stacks that have a non-zero value and at least one frame, in their order. */
  count: number;
  /** Stack k's function ids are fids[from[k], from[k + 1]), root first (as its frames). */
  from: Int32Array;
  fids: Int32Array;
  values: Float64Array;
  /** The first frame seen for each function id (leaf to root, stack by stack), for ids the table holds. */
  firstFrame: Array<Frame | undefined>;
}

/** An empty table with room for the stacks' frames; its rows are filled by stackTable or by topFunctions' pass. */
export function emptyTable(c: CompactStacks, source: object): StackTable {
  let frames = 0;
  let rows = 0;
  for (let k = 0; k < c.count; k++) {
    const n = c.from[k + 1]! - c.from[k]!;
    if (c.values[k] === 0 || !n) continue;
    frames += n;
    rows++;
  }
  return { source, count: 0, from: new Int32Array(rows + 1), fids: new Int32Array(frames), values: new Float64Array(rows), firstFrame: [] };
}

/** Builds the table of stacks directly (when no topFunctions pass made it). */
export function stackTable(c: CompactStacks, source: object): StackTable {
  const t = emptyTable(c, source);
  let at = 0;
  for (let k = 0; k < c.count; k++) {
    const start = c.from[k]!;
    const n = c.from[k + 1]! - start;
    if (c.values[k] === 0 || !n) continue;
    for (let i = n - 1; i >= 0; i--) {
      const f = c.frames[c.ids[start + i]!]!;
      const id = f.fid ?? (f.fid = functionId(f.function));
      t.fids[at + i] = id;
      if (t.firstFrame[id] === undefined) t.firstFrame[id] = f;
    }
    at += n;
    t.values[t.count] = c.values[k]!;
    t.from[++t.count] = at;
  }
  return t;
}
