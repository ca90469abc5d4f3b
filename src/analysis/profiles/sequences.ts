// Distinct sequences of integers (a stack's frame indices, a call path's function ids), each stored once
// in one pool: a candidate is written past the end of the pool, hashed as it is written, and kept only
// when no equal sequence is there yet. An open-addressing table of sequence index + 1 (0: free), found
// by the hash and verified item by item: no map entry or array per sequence, on profiles of 20k stacks.
import { ints } from './growable.js';

export class SequenceTable {
  /** Sequence k's items are items.a[from.a[k], from.a[k + 1]); a candidate goes past items.n. */
  readonly items = ints(1 << 14);
  readonly from = ints(1024);
  private readonly hashes = ints(1024);
  private slots = new Int32Array(1 << 12);

  constructor() {
    this.from.push(0);
  }

  get count(): number {
    return this.hashes.n;
  }

  /** Room for `n` more candidate items past the end; returns the pool to write them into (at items.n + i). */
  room(n: number): Int32Array {
    this.items.reserve(n);
    return this.items.a;
  }

  /**
   * The index of the sequence whose n items were just written past the end of the pool (`h`: a hash of
   * them): an earlier equal sequence, else the candidate kept as a new sequence (index `count − 1`).
   */
  intern(n: number, h: number): number {
    h = (Math.imul(h, 31) + n) | 0;
    const from = this.from.a;
    const items = this.items.a;
    const at = this.items.n;
    const hashes = this.hashes.a;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (let k1 = this.slots[slot]!; k1 !== 0; slot = (slot + 1) & mask, k1 = this.slots[slot]!) {
      const k = k1 - 1;
      if (hashes[k] !== h) continue;
      const start = from[k]!;
      if (from[k + 1]! - start !== n) continue;
      let same = true;
      for (let i = 0; i < n; i++)
        if (items[start + i] !== items[at + i]) {
          same = false;
          break;
        }
      if (same) return k;
    }
    const k = this.hashes.n;
    this.slots[slot] = k + 1;
    this.hashes.push(h);
    this.items.n += n;
    this.from.push(this.items.n);
    // At most half full, so probes stay short.
    if (2 * (k + 1) > this.slots.length) this.rehash();
    return k;
  }

  /** Sequence k's items (a view into the pool). */
  get(k: number): Int32Array {
    return this.items.a.subarray(this.from.a[k]!, this.from.a[k + 1]!);
  }

  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    const hashes = this.hashes.a;
    for (let k = 0; k < this.hashes.n; k++) {
      let slot = hashes[k]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = k + 1;
    }
    this.slots = slots;
  }
}
