// Traces from bundle files (OTLP/JSON TracesData, .json / .json.gz / JSON Lines), loaded once, queried in memory.
import { pushAll } from '../../util/stats.js';
import { yieldToLoop } from '../../util/yield.js';
import type { Span, SpanQuery, TimeRange, TraceSet, TraceSource } from '../types.js';
import { parseTracesData, looksLikeTracesData, type ParseStats } from '../otlp-traces.js';
import { BundleFileError, parseJsonDocuments, readMaybeGzip } from './files.js';
import { spanMatches } from '../../analysis/traces/match.js';
import { otlpJsonDocument } from './formats/otlp-json.js';
import { decodeTraceFile, isOtherTraceFormat } from './formats/trace-files.js';
import type { Format } from './formats/detect.js';

/** `formats` names the files in another format than OTLP/JSON (Jaeger, Zipkin, OTLP protobuf). */
export async function loadSpans(files: string[], problems: string[], formats?: Map<string, Format>): Promise<Span[]> {
  const spans: Span[] = [];
  for (const file of files) {
    try {
      const stats: ParseStats = { spans: 0, skipped: 0, reasons: new Map() };
      const format = formats?.get(file);
      if (isOtherTraceFormat(format)) {
        await decodeTraceFile(file, await readMaybeGzip(file), format!, spans, stats);
        if (stats.skipped) problems.push(`${file}: ${stats.skipped} span(s) skipped (${[...stats.reasons].map(([r, n]) => `${n}× ${r}`).join(', ')})`);
        continue;
      }
      const text = (await readMaybeGzip(file)).toString('utf8');
      const docs = parseJsonDocuments(file, text);
      for (let doc of docs) {
        // Loading tens of MB is synchronous work: yield between documents so other calls go on.
        await yieldToLoop();
        doc = otlpJsonDocument(doc); // snake_case field names, once per document
        if (!looksLikeTracesData(doc)) throw new BundleFileError(file, 'not OTLP/JSON TracesData (expected a top-level "resourceSpans" array)');
        parseTracesData(doc, spans, stats);
      }
      if (stats.skipped) problems.push(`${file}: ${stats.skipped} span(s) skipped (${[...stats.reasons].map(([r, n]) => `${n}× ${r}`).join(', ')})`);
    } catch (e) {
      problems.push(e instanceof BundleFileError ? e.message : `${file}: ${(e as Error).message}`);
    }
  }
  return spans;
}

export class BundleTraceSource implements TraceSource {
  readonly kind = 'bundle' as const;
  private loaded?: Promise<{ spans: Span[]; byTrace: Map<string, Span[]> }>;

  constructor(
    private readonly files: string[],
    private readonly problems: string[],
    private readonly formats?: Map<string, Format>,
  ) {}

  private load() {
    this.loaded ??= loadSpans(this.files, this.problems, this.formats).then((spans) => {
      spans.sort((a, b) => a.startMs - b.startMs);
      const byTrace = new Map<string, Span[]>();
      for (const s of spans) {
        let list = byTrace.get(s.traceId);
        if (!list) byTrace.set(s.traceId, (list = []));
        list.push(s);
      }
      return { spans, byTrace };
    });
    return this.loaded;
  }

  /** All spans (for analyses that scan everything, e.g. benchmarks). */
  async allSpans(): Promise<Span[]> {
    return (await this.load()).spans;
  }

  async findTraces(q: SpanQuery): Promise<TraceSet> {
    const { spans, byTrace } = await this.load();
    const hit = new Set<string>();
    for (const s of spans) {
      if (s.startMs >= q.range.end) break;
      if (!hit.has(s.traceId) && spanMatches(s, q)) hit.add(s.traceId);
    }
    let ids = [...hit];
    let partial = false;
    const notes: string[] = [];
    if (q.limitTraces !== undefined && ids.length > q.limitTraces) {
      ids = ids.slice(0, q.limitTraces);
      partial = true;
      notes.push(`kept the first ${q.limitTraces} of ${hit.size} matching traces`);
    }
    const out: Span[] = [];
    for (const id of ids) pushAll(out, byTrace.get(id)!);
    return { spans: out, partial, notes };
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    const { byTrace } = await this.load();
    return byTrace.get(traceId.toLowerCase().padStart(32, '0'));
  }

  async services(range: TimeRange): Promise<string[]> {
    const { spans } = await this.load();
    const set = new Set<string>();
    for (const s of spans) if (s.startMs < range.end && s.endMs >= range.start) set.add(s.service);
    return [...set].sort();
  }
}
