// Interned strings: each distinct text is stored once and named by a small integer. Service names,
// span names, attribute keys and most attribute values repeat thousands of times in a trace file; the
// decoder looks them up by their bytes (a hash table in front of the canonical Map), so a repeated
// text costs a hash and a compare, and no new string.

const EMPTY = 0;

export class Interner {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  // Open addressing over ASCII texts met as bytes: slot → id + 1 (0 free), and the slot's hash.
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private used = 0;

  /** The interner whose ids are the positions of `strings` (distinct texts, e.g. another thread's table). */
  static of(strings: readonly string[]): Interner {
    const it = new Interner();
    for (const s of strings) it.id(s);
    return it;
  }

  /** Id of a text (the canonical lookup: the same text always gets the same id). */
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** Id of an existing text, or -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  /** Id of the ASCII text buf[a, b) (no escapes, no byte ≥ 0x80), without making a string when it is known. */
  idOfAscii(buf: Buffer, a: number, b: number): number {
    let h = 0x811c9dc5 | 0;
    for (let k = a; k < b; k++) h = Math.imul(h ^ buf[k]!, 0x01000193);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const v = this.slots[slot]!;
      if (v === EMPTY) break;
      if (this.hashes[slot] === h) {
        const s = this.strings[v - 1]!;
        if (s.length === b - a && sameAscii(s, buf, a)) return v - 1;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.id(latin1(buf, a, b));
    this.slots[slot] = id + 1;
    this.hashes[slot] = h;
    if (++this.used * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2);
    this.hashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const v = oldSlots[i]!;
      if (v === EMPTY) continue;
      let slot = oldHashes[i]! & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = v;
      this.hashes[slot] = oldHashes[i]!;
    }
  }
}

function sameAscii(s: string, buf: Buffer, a: number): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== buf[a + k]) return false;
  return true;
}

/**
 * Shares repeated texts without naming them: a fixed-size table from the bytes' hash to the last text
 * with that hash. Attribute values repeat (a route, a database name) or never do (a user id, a
 * statement with its literals); either way this costs a hash, and the repeats cost no new string.
 */
export class TextCache {
  private readonly texts: Array<string | undefined> = new Array<string | undefined>(1 << 16);
  private readonly hashes = new Int32Array(1 << 16);

  /** The ASCII text buf[a, b) (no escapes, no byte ≥ 0x80). */
  ascii(buf: Buffer, a: number, b: number): string {
    let h = 0x811c9dc5 | 0;
    for (let k = a; k < b; k++) h = Math.imul(h ^ buf[k]!, 0x01000193);
    const slot = h & 0xffff;
    const t = this.texts[slot];
    if (t !== undefined && this.hashes[slot] === h && t.length === b - a && sameAscii(t, buf, a)) return t;
    const s = latin1(buf, a, b);
    this.texts[slot] = s;
    this.hashes[slot] = h;
    return s;
  }
}

type Latin1Slicer = { latin1Slice(a: number, b: number): string };
/** buf[a, b) as Latin-1 text (ASCII included); Buffer's own slicer, without toString's argument checks. */
export const latin1: (buf: Buffer, a: number, b: number) => string =
  typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function'
    ? (buf, a, b) => (buf as unknown as Latin1Slicer).latin1Slice(a, b)
    : (buf, a, b) => buf.toString('latin1', a, b);
