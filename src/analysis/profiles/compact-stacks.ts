// A merged profile's stacks as integers: a table of distinct frames and, per stack, the indices of its
// frames in one typed array. The bundle's merger builds this straight from the pprof sample table
// (location ids), so hot_functions' analysis never makes the ~500k-slot frame arrays of a profile such
// as google-pprof's large.cpu (20k stacks, 24 frames deep). A profile built this way still answers
// `stacks` (the array of frame arrays every other reader uses): made on first read and kept.
import type { Frame, StackProfile } from '../../sources/types.js';

export interface CompactStacks {
  /** The frames the stacks refer to by index. */
  frames: Frame[];
  count: number;
  /** Stack k's frame indices are ids[from[k], from[k + 1]), root first; its value values[k]. */
  from: Int32Array;
  ids: Int32Array;
  values: Float64Array;
}

/** Profiles made by withCompactStacks, with their table (a copy made by spreading is not one of them). */
const compactOfProfile = new WeakMap<object, CompactStacks>();

/** A StackProfile whose `stacks` are made from `c` when first read. */
export function withCompactStacks(head: Omit<StackProfile, 'stacks'>, c: CompactStacks): StackProfile {
  let stacks: StackProfile['stacks'] | undefined;
  const p: StackProfile = {
    ...head,
    get stacks() {
      return (stacks ??= materialise(c));
    },
    set stacks(s) {
      // Replaced stacks no longer match the table.
      compactOfProfile.delete(p);
      stacks = s;
    },
  };
  compactOfProfile.set(p, c);
  return p;
}

function materialise(c: CompactStacks): StackProfile['stacks'] {
  const out: StackProfile['stacks'] = new Array(c.count);
  for (let k = 0; k < c.count; k++) {
    const frames: Frame[] = new Array(c.from[k + 1]! - c.from[k]!);
    for (let i = c.from[k]!, j = 0; i < c.from[k + 1]!; i++, j++) frames[j] = c.frames[c.ids[i]!]!;
    out[k] = { frames, value: c.values[k]! };
  }
  return out;
}

/** How many stacks `p` has, without making them. */
export function stackCount(p: Pick<StackProfile, 'stacks'>): number {
  return compactOfProfile.get(p)?.count ?? p.stacks.length;
}

/**
 * What identifies the stacks of `p` for tables computed from them: the compact table when `p` has one,
 * else its stacks array.
 */
export function stacksKey(p: Pick<StackProfile, 'stacks'>): object {
  return compactOfProfile.get(p) ?? p.stacks;
}

/**
 * The stacks of `p` as a compact table: its own when it has one, else one whose frame table is every
 * frame of every stack in order (no lookups: the analyses read frames by content, not by identity).
 */
export function compactStacks(p: Pick<StackProfile, 'stacks'>): CompactStacks {
  const own = compactOfProfile.get(p);
  if (own) return own;
  const stacks = p.stacks;
  let n = 0;
  for (const s of stacks) n += s.frames.length;
  const frames: Frame[] = new Array(n);
  const ids = new Int32Array(n);
  const from = new Int32Array(stacks.length + 1);
  const values = new Float64Array(stacks.length);
  let at = 0;
  for (let k = 0; k < stacks.length; k++) {
    const s = stacks[k]!;
    for (const f of s.frames) {
      frames[at] = f;
      ids[at] = at;
      at++;
    }
    from[k + 1] = at;
    values[k] = s.value;
  }
  return { frames, count: stacks.length, from, ids, values };
}
