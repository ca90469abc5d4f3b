// A growable typed array: numbers pushed one by one into doubling storage, read back as one view.
// The pprof reader and the stack merger collect hundreds of thousands of numbers this way instead of
// in JS arrays (no boxing, one allocation per doubling).
export class Growable<T extends Float64Array | Int32Array> {
  a: T;
  n = 0;
  constructor(
    private readonly make: (size: number) => T,
    size = 1024,
  ) {
    this.a = make(size);
  }
  push(v: number): void {
    if (this.n === this.a.length) this.reserve(1);
    this.a[this.n++] = v;
  }
  /** Room for `more` numbers past the end. */
  reserve(more: number): void {
    if (this.n + more <= this.a.length) return;
    const b = this.make(Math.max(this.a.length * 2, this.n + more));
    b.set(this.a);
    this.a = b;
  }
  done(): T {
    return this.a.subarray(0, this.n) as T;
  }
}

export const doubles = (size?: number): Growable<Float64Array> => new Growable((n) => new Float64Array(n), size);
export const ints = (size?: number): Growable<Int32Array> => new Growable((n) => new Int32Array(n), size);
