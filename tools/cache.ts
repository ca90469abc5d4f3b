// Answers kept between calls of a long-lived server (MCP), so a warm `list_services` does not re-read
// and re-group every span of the window on each call.
//
// What is kept is a handler's output (structured data and text sections), keyed by tool and validated
// arguments (the budget excluded: the text is fitted to each call's budget afterwards, and the
// sources' problems are appended afresh). Data that never changes (a recorded bundle) keeps its
// answers for the life of the process; live backends keep them `ttlMs` (late samples and new spans
// arrive), and so does any call whose arguments say "now", whatever the source. Failed, cancelled
// and timed-out calls are never kept. Entries are bounded (least recently used out first).
import type { ToolOutput } from './types.js';

/** A rendered answer (text fitted to a budget, secrets masked), as the runner returns it. */
export interface RenderedAnswer {
  isError: boolean;
  text: string;
  structured?: Record<string, unknown>;
}

export interface AnswerCacheOptions {
  /** How long an answer from live data stays valid; 0 disables caching of live answers. */
  ttlMs: number;
  /** Answers from immutable data (recorded bundles) never expire. */
  immutable: boolean;
  /** Most answers kept. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry {
  expires: number;
  value: ToolOutput<unknown>;
  /** The last rendering of the answer and what it depends on (budget, sources' problems). */
  rendered?: { variant: string; answer: RenderedAnswer };
}

/** Arguments as a key: object keys sorted so the same call always gives the same text. */
export function argumentsKey(tool: string, args: Record<string, unknown>): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) o[k] = norm((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  const { budget: _budget, ...rest } = args;
  return `${tool}\u0000${JSON.stringify(norm(rest))}`;
}

/** True when some string argument is relative to the current time ("now", "now-1h"). */
function mentionsNow(args: Record<string, unknown>): boolean {
  return Object.values(args).some((v) => typeof v === 'string' && /^\s*now\b/i.test(v));
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(private readonly opts: AnswerCacheOptions) {
    this.max = opts.maxEntries ?? 256;
    this.now = opts.now ?? Date.now;
  }

  /** How long an answer to these arguments may be kept (ms); 0 = not at all. */
  private lifetime(args: Record<string, unknown>): number {
    return this.opts.immutable && !mentionsNow(args) ? Infinity : this.opts.ttlMs;
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expires <= this.now()) this.entries.delete(key);
    else if (e) {
      // Re-inserted so the Map's order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, e);
      return e;
    }
    return undefined;
  }

  get(key: string): ToolOutput<unknown> | undefined {
    const e = this.live(key);
    if (e) this.hits++;
    else this.misses++;
    return e?.value;
  }

  /** The answer as last rendered, when it was rendered for the same `variant`. */
  rendered(key: string, variant: string): RenderedAnswer | undefined {
    const e = this.entries.has(key) ? this.live(key) : undefined;
    if (e?.rendered?.variant !== variant) return undefined;
    this.hits++;
    return e.rendered.answer;
  }

  /** Keeps the rendering of an answer already kept (none is kept for an answer that is not). */
  keepRendered(key: string, variant: string, answer: RenderedAnswer): void {
    const e = this.entries.get(key);
    if (e) e.rendered = { variant, answer };
  }

  set(key: string, args: Record<string, unknown>, value: ToolOutput<unknown>): void {
    const life = this.lifetime(args);
    if (!(life > 0)) return;
    this.entries.delete(key);
    this.entries.set(key, { expires: this.now() + life, value });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
