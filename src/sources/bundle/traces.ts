// Traces from bundle files (OTLP/JSON TracesData, .json / .json.gz / JSON Lines), loaded once into the
// compact span store (src/sources/spanstore), queried in memory.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { yieldToLoop } from '../../util/yield.js';
import { isGzip } from '../../util/gzip.js';
import type { Span, SpanQuery, TimeRange, TraceSet, TraceSource } from '../types.js';
import { parseTracesData, looksLikeTracesData, type ParseStats } from '../otlp-traces.js';
import { BundleFileError, noteNothingRead, parseJsonDocuments, readMaybeGzip } from './files.js';
import { otlpJsonDocument } from './formats/otlp-json.js';
import { decodeTraceFile, isOtherTraceFormat } from './formats/trace-files.js';
import type { Format } from './formats/detect.js';
import { SpanStoreBuilder, type SpanStore } from '../spanstore/store.js';
import { breakParentLoops, parentLoopProblem } from '../spanstore/parent-loops.js';
import { decodeOtlpJson } from '../spanstore/otlp-json.js';
import { matchingTraces, servicesIn } from '../spanstore/query.js';
import { decodedOr, type Decoded } from './decode-thread.js';

/**
 * One file's spans into the builder: files in another format (Jaeger, Zipkin, OTLP protobuf; `format`)
 * through their readers, plain OTLP/JSON through the byte decoder, anything else through the general
 * decoder (snake_case keys, links, wrappers).
 */
async function loadFile(file: string, into: SpanStoreBuilder, problems: string[], format?: Format): Promise<void> {
  const stats: ParseStats = { spans: 0, skipped: 0, reasons: new Map() };
  const [before, problemsBefore] = [into.length, problems.length];
  try {
    if (isOtherTraceFormat(format)) {
      const spans: Span[] = [];
      try {
        await decodeTraceFile(file, await readMaybeGzip(file, problems), format!, spans, stats, problems);
      } finally {
        for (const s of spans) into.addSpan(s);
      }
    } else {
      try {
        await streamFile(file, into, stats);
      } catch {
        // Not plain OTLP/JSON, or unreadable: the general decoder reads the whole file and says what is wrong.
        const docs = parseJsonDocuments(file, (await readMaybeGzip(file, problems)).toString('utf8'), problems);
        // What was decoded before a failure stays (a later bad document does not undo the earlier ones).
        const spans: Span[] = [];
        try {
          for (let doc of docs) {
            await yieldToLoop();
            doc = otlpJsonDocument(doc); // snake_case field names, once per document
            if (!looksLikeTracesData(doc)) throw new BundleFileError(file, 'not OTLP/JSON TracesData (expected a top-level "resourceSpans" array)');
            parseTracesData(doc, spans, stats);
          }
        } finally {
          for (const s of spans) into.addSpan(s);
        }
      }
    }
    if (stats.skipped) problems.push(`${file}: ${stats.skipped} span(s) skipped (${[...stats.reasons].map(([r, n]) => `${n}× ${r}`).join(', ')})`);
    if (stats.endBeforeStart) problems.push(`${file}: ${stats.endBeforeStart} span(s) end before they start: read with zero duration`);
  } catch (e) {
    problems.push(e instanceof BundleFileError ? e.message : `${file}: ${(e as Error).message}`);
  }
  if (into.length === before) noteNothingRead(file, problems, problemsBefore, 'spans');
}

/**
 * The byte decoder fed from a stream of the file (gunzipped when it starts with gzip's magic bytes), so
 * only a window of it is in memory. Decoding is synchronous work: it pauses every few thousand spans so
 * other calls go on.
 */
async function streamFile(file: string, into: SpanStoreBuilder, stats: ParseStats): Promise<void> {
  const head = Buffer.alloc(2);
  const fh = await open(file);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const input: Readable = isGzip(head) ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  raw.on('error', (e) => input.destroy(e));
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const steps = decodeOtlpJson(into, stats);
  try {
    for (let r = steps.next(); !r.done; ) {
      if (r.value === 'pause') {
        await yieldToLoop();
        r = steps.next();
        continue;
      }
      let chunk: IteratorResult<Buffer>;
      try {
        chunk = await chunks.next();
      } catch (e) {
        steps.throw(e); // rolls the builder back, then rethrows
        throw e;
      }
      r = steps.next(chunk.done ? null : chunk.value);
    }
  } finally {
    input.destroy();
    raw.destroy();
  }
}

export async function loadSpanStore(files: string[], problems: string[], formats?: Map<string, Format>): Promise<SpanStore> {
  const builder = new SpanStoreBuilder();
  for (const file of files) await loadFile(file, builder, problems, formats?.get(file));
  const store = builder.build();
  const loops = breakParentLoops(store);
  if (loops.length) problems.push(parentLoopProblem(files.length === 1 ? files[0]! : `the ${files.length} trace files`, loops));
  return store;
}

/** Every span of the files, as span records (for `inspect` and small checks; queries use the store). */
export async function loadSpans(files: string[], problems: string[], formats?: Map<string, Format>): Promise<Span[]> {
  const store = await loadSpanStore(files, problems, formats);
  const out: Span[] = [];
  for (let i = 0; i < store.size; i++) out.push(store.shared(i));
  return out;
}

export class BundleTraceSource implements TraceSource {
  readonly kind = 'bundle' as const;
  private loaded?: Promise<SpanStore>;
  private inWorker?: Promise<Decoded<SpanStore>>;

  constructor(
    private readonly files: string[],
    private readonly problems: string[],
    private readonly formats?: Map<string, Format>,
  ) {}

  /**
   * The store as decoded by a worker thread (openBundle's offThread), taken instead of loading here;
   * undefined from it means load here after all. Its problems are reported when store() is first
   * called, as a load in this thread reports them.
   */
  decodedElsewhere(d: Promise<Decoded<SpanStore>>): void {
    this.inWorker ??= d;
  }

  /** The span store, loaded on first use. */
  store(): Promise<SpanStore> {
    this.loaded ??= decodedOr(this.inWorker, this.problems, () => loadSpanStore(this.files, this.problems, this.formats));
    return this.loaded;
  }

  /** All spans (for analyses that scan everything, e.g. benchmarks). */
  async allSpans(): Promise<Span[]> {
    const store = await this.store();
    const out: Span[] = [];
    for (let i = 0; i < store.size; i++) out.push(store.shared(i));
    return out;
  }

  async findTraces(q: SpanQuery): Promise<TraceSet> {
    const store = await this.store();
    let ids = matchingTraces(store, q);
    let partial = false;
    const notes: string[] = [];
    if (q.limitTraces !== undefined && ids.length > q.limitTraces) {
      notes.push(`kept the first ${q.limitTraces} of ${ids.length} matching traces`);
      ids = ids.slice(0, q.limitTraces);
      partial = true;
    }
    const out: Span[] = [];
    for (const t of ids) store.traceSpans(t, out);
    return { spans: out, partial, notes };
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    const store = await this.store();
    const t = store.traceNumber(traceId.toLowerCase().padStart(32, '0'));
    return t < 0 ? undefined : store.traceSpans(t);
  }

  async services(range: TimeRange): Promise<string[]> {
    return servicesIn(await this.store(), range);
  }
}
