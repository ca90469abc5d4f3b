// Cooperative yielding for CPU-bound loops. Queryless serves many sessions from one event loop: a
// scan over a few million records must let pings, cancellations and other calls through, and
// must stop when its call's deadline or cancellation fires.

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Counts work items and yields every `every` of them (about a few milliseconds of work), throwing
 * the signal's reason once it is aborted. Usage: `for (...) { if (t.due()) await t.pause(); ... }`
 * keeps the hot loop free of promises between pauses.
 */
export class Ticker {
  private n = 0;
  constructor(
    private readonly every: number,
    private readonly signal?: AbortSignal,
  ) {}

  due(): boolean {
    return ++this.n % this.every === 0;
  }

  async pause(): Promise<void> {
    await yieldToLoop();
    this.signal?.throwIfAborted();
  }
}
