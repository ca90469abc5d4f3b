// A merged profile's stacks as integers: the interned function id of every frame in one typed array.
// topFunctions reads each frame object once and fills this table as it goes; the user-code view and the
// call paths then walk the integers and a per-id kind array instead of reading ~500k frame objects
// again each (google-pprof's large.cpu: 20k stacks, 24 frames deep), which in a one-shot process runs
// as unoptimised code and was a third of hot_functions' analysis time.
import type { Frame, StackProfile } from '../../sources/types.js';
import { functionId } from './intern.js';

export interface StackTable {
  /** The stacks array the table was built from: a table only stands for these stacks. */
  readonly source: StackProfile['stacks'];
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
export function emptyTable(stacks: StackProfile['stacks']): StackTable {
  let frames = 0;
  let rows = 0;
  for (const s of stacks) {
    if (s.value === 0 || !s.frames.length) continue;
    frames += s.frames.length;
    rows++;
  }
  return { source: stacks, count: 0, from: new Int32Array(rows + 1), fids: new Int32Array(frames), values: new Float64Array(rows), firstFrame: [] };
}

/** Builds the table of stacks directly (when no topFunctions pass made it). */
export function stackTable(stacks: StackProfile['stacks']): StackTable {
  const t = emptyTable(stacks);
  let at = 0;
  for (const s of stacks) {
    const frames = s.frames;
    if (s.value === 0 || !frames.length) continue;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      const id = f.fid ?? (f.fid = functionId(f.function));
      t.fids[at + i] = id;
      if (t.firstFrame[id] === undefined) t.firstFrame[id] = f;
    }
    at += frames.length;
    t.values[t.count] = s.value;
    t.from[++t.count] = at;
  }
  return t;
}
