// Logs from bundle files (OTLP/JSON LogsData), loaded once, filtered in memory like a LogQL line filter would.
import type { LogQuery, LogRecord, LogSet, LogSource, TimeRange } from '../types.js';
import { looksLikeLogsData, parseLogsData } from '../otlp-logs.js';
import { BundleFileError, noteNothingRead, parseJsonDocuments, readMaybeGzip } from './files.js';
import { compileSafeRegex, type SafeRegex } from '../../util/regex.js';
import { Ticker, yieldToLoop } from '../../util/yield.js';
import { pushAll } from '../../util/stats.js';
import { otlpJsonDocument } from './formats/otlp-json.js';
import { decodeLogFile, isOtherLogFormat } from './formats/log-files.js';
import type { Format } from './formats/detect.js';
import { decodedOr, type Decoded } from './decode-thread.js';
import { isDateMs, NOT_A_DATE } from '../../util/plausible-time.js';

/** `formats` names the files in another format than OTLP/JSON (OTLP protobuf, logcli JSON Lines, plain text). */
export async function loadLogRecords(files: string[], problems: string[], formats?: Map<string, Format>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const file of files) {
    const [before, problemsBefore] = [out.length, problems.length];
    try {
      const format = formats?.get(file);
      if (isOtherLogFormat(format)) {
        pushAll(problems, await decodeLogFile(file, await readMaybeGzip(file, problems), format!, out));
      } else {
        const text = (await readMaybeGzip(file, problems)).toString('utf8');
        let skipped = 0;
        for (let doc of parseJsonDocuments(file, text, problems)) {
          // Loading tens of MB is synchronous work: yield between documents so other calls go on.
          await yieldToLoop();
          doc = otlpJsonDocument(doc);
          if (!looksLikeLogsData(doc)) throw new BundleFileError(file, 'not OTLP/JSON LogsData (expected a top-level "resourceLogs" array)');
          skipped += parseLogsData(doc, out).skipped;
        }
        if (skipped) problems.push(`${file}: ${skipped} log record(s) without a timestamp skipped`);
      }
    } catch (e) {
      problems.push(e instanceof BundleFileError ? e.message : `${file}: ${(e as Error).message}`);
    }
    const dropped = dropNonDates(out, before);
    if (dropped) problems.push(`${file}: ${dropped} log record(s) with a time ${NOT_A_DATE} skipped`);
    if (out.length === before) noteNothingRead(file, problems, problemsBefore, 'log records');
  }
  out.sort((a, b) => a.timeMs - b.timeMs);
  return out;
}

/** Removes the records from `from` on whose time is no date (see util/plausible-time.ts); returns how many. */
function dropNonDates(records: LogRecord[], from: number): number {
  let kept = from;
  for (let i = from; i < records.length; i++) if (isDateMs(records[i]!.timeMs)) records[kept++] = records[i]!;
  const dropped = records.length - kept;
  records.length = kept;
  return dropped;
}

export class BundleLogSource implements LogSource {
  readonly kind = 'bundle' as const;
  private loaded?: Promise<LogRecord[]>;
  private inWorker?: Promise<Decoded<LogRecord[]>>;

  constructor(
    private readonly files: string[],
    private readonly problems: string[],
    private readonly formats?: Map<string, Format>,
  ) {}

  /** The records as decoded by a worker thread (openBundle's offThread), taken instead of loading here;
   * undefined from it means load here after all. */
  decodedElsewhere(d: Promise<Decoded<LogRecord[]>>): void {
    this.inWorker ??= d;
  }

  allRecords(): Promise<LogRecord[]> {
    this.loaded ??= decodedOr(this.inWorker, this.problems, () => loadLogRecords(this.files, this.problems, this.formats));
    return this.loaded;
  }

  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogSet> {
    const all = await this.allRecords();
    // RE2, linear time: the pattern is a LogQL line filter from a user or a model.
    const re: SafeRegex | undefined = q.regex !== undefined ? compileSafeRegex(q.regex, { caseInsensitive: q.caseInsensitive }) : undefined;
    const ci = q.caseInsensitive === true;
    const contains = (q.contains ?? []).map((s) => (ci ? s.toLowerCase() : s));
    const notContains = (q.notContains ?? []).map((s) => (ci ? s.toLowerCase() : s));
    const traceId = q.traceId?.toLowerCase().padStart(32, '0');
    const matched: LogRecord[] = [];
    // A scan of millions of records yields now and then: other sessions (and pings) go on, and the
    // call's deadline or cancellation stops it.
    const tick = new Ticker(20_000, signal);
    for (const r of all) {
      if (tick.due()) await tick.pause();
      if (r.timeMs < q.range.start || r.timeMs >= q.range.end) continue;
      if (q.service !== undefined && r.service !== q.service) continue;
      if (traceId !== undefined && r.traceId !== traceId) continue;
      if (q.labels && !Object.entries(q.labels).every(([k, v]) => String(r.resource[k] ?? r.attributes[k] ?? '') === v)) continue;
      const body = ci ? r.body.toLowerCase() : r.body;
      if (!contains.every((s) => body.includes(s))) continue;
      if (notContains.some((s) => body.includes(s))) continue;
      if (re && !re.test(r.body)) continue;
      matched.push(r);
    }
    if (q.direction !== 'forward') matched.reverse();
    const limit = q.limit ?? matched.length;
    return { records: matched.slice(0, limit), truncated: matched.length > limit, notes: [] };
  }

  async services(range: TimeRange): Promise<string[]> {
    const set = new Set<string>();
    for (const r of await this.allRecords()) if (r.timeMs >= range.start && r.timeMs < range.end) set.add(r.service);
    return [...set].sort();
  }
}
