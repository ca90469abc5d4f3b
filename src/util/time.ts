// Time arguments as people type them: ISO 8601, "now", "now-15m", epoch seconds/ms/ns, "10:04" (UTC, on the reference day).
import type { EpochMs, TimeRange } from '../sources/types.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parse a Go/Prometheus-style duration ("90s", "1h30m", "250ms") to milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  const s = text.trim();
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== s.length) throw new Error(`invalid duration "${text}" (examples: 30s, 5m, 1h30m)`);
  return total;
}

/**
 * Parse a time. `now` anchors relative times; `day` anchors bare clock times ("10:04") and defaults to `now`'s UTC day.
 */
export function parseTime(text: string, now: EpochMs = Date.now(), day: EpochMs = now): EpochMs {
  const s = text.trim();
  if (s === 'now') return now;
  const rel = /^now\s*([+-])\s*(.+)$/.exec(s);
  if (rel) return now + (rel[1] === '-' ? -1 : 1) * parseDuration(rel[2]!);
  if (/^\d+(\.\d+)?$/.test(s)) {
    const digits = s.split('.')[0]!.length;
    const n = Number(s);
    if (digits <= 10) return n * 1000; // seconds
    if (digits <= 13) return n; // milliseconds
    if (digits <= 16) return n / 1000; // microseconds
    return n / 1e6; // nanoseconds
  }
  const clock = /^(\d{1,2})[:h](\d{2})(?::(\d{2}))?$/.exec(s);
  if (clock) {
    const d = new Date(day);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0));
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`invalid time "${text}" (use RFC 3339 like 2024-05-01T10:04:00Z, epoch seconds, "now-1h", or "10:04")`);
  return t;
}

export function formatRange(r: TimeRange): string {
  return `${new Date(r.start).toISOString()} → ${new Date(r.end).toISOString()}`;
}

export function rangeSeconds(r: TimeRange): number {
  return Math.max(0, (r.end - r.start) / 1000);
}

/** The default baseline: the same length just before the window. */
export function precedingRange(r: TimeRange): TimeRange {
  return { start: r.start - (r.end - r.start), end: r.start };
}

export function inRange(t: EpochMs, r: TimeRange): boolean {
  return t >= r.start && t < r.end;
}
