// What the readers of log exports (Elasticsearch hits, CloudWatch events, Cloud Logging entries) share:
// one entry → one record, and the count of entries that could not be read, with the first one's why.
import type { Attributes, LogRecord } from '../../types.js';

export interface EntryParts {
  timeMs?: number;
  body: string;
  service?: string;
  level?: string;
  traceId?: string;
  spanId?: string;
  attributes: Attributes;
}

/** Entries skipped, counted by reason; the first one named by its place in the file. */
export class SkippedEntries {
  private readonly reasons = new Map<string, number>();
  private first = '';
  constructor(private readonly what: string) {}

  skip(why: string, where: string): void {
    this.reasons.set(why, (this.reasons.get(why) ?? 0) + 1);
    this.first ||= where;
  }

  /** The problem to report, or nothing when every entry was read. */
  note(file: string): string[] {
    if (!this.reasons.size) return [];
    const n = [...this.reasons.values()].reduce((a, b) => a + b, 0);
    const why = [...this.reasons].map(([r, c]) => `${c}× ${r}`).join(', ');
    return [`${file}: ${n} ${this.what} skipped (${why}; first: ${this.first})`];
  }
}

/** The record of an entry whose time was read. */
export function entryRecord(p: EntryParts & { timeMs: number }, fallbackService: string): LogRecord {
  const service = p.service?.trim() || fallbackService;
  const r: LogRecord = { timeMs: p.timeMs, service, body: p.body, attributes: p.attributes, resource: { 'service.name': service } };
  if (p.level) r.severityText = p.level;
  if (p.traceId) r.traceId = p.traceId;
  if (p.spanId) r.spanId = p.spanId;
  return r;
}
