// Trace files in the formats other than OTLP/JSON, decoded into the same spans (the OTLP/JSON path
// stays in ../traces.ts, untouched by these).
import type { Span } from '../../types.js';
import { parseTracesData, type ParseStats } from '../../otlp-traces.js';
import { BundleFileError, parseJsonDocuments } from '../files.js';
import { decodeOtlpProtoFile } from './otlp-proto.js';
import { looksLikeJaeger, parseJaeger } from './jaeger.js';
import { looksLikeZipkin, parseZipkin } from './zipkin.js';
import { yieldToLoop } from '../../../util/yield.js';
import type { Format } from './detect.js';
import { decodeCsvSpans } from './csv-files.js';
import { frameSpans, grafanaFrames } from './grafana-frames.js';

/** True when `format` is read here rather than by the OTLP/JSON loader. */
export function isOtherTraceFormat(format: Format | undefined): boolean {
  return format === 'otlp-proto' || format === 'jaeger-json' || format === 'zipkin-json' || format === 'csv-spans' || format === 'grafana-frames';
}

/** `problems`, when given, is told what of a file cut short or with bad lines was left out (parseJsonDocuments). */
export async function decodeTraceFile(file: string, bytes: Buffer, format: Format, out: Span[], stats: ParseStats, problems?: string[]): Promise<void> {
  if (format === 'otlp-proto') {
    const docs = decodeOtlpProtoFile(file, bytes, 'TracesData');
    for (const doc of docs) parseTracesData(doc, out, stats);
    return;
  }
  if (format === 'csv-spans') {
    const notes = decodeCsvSpans(file, bytes.toString('utf8'), out, stats);
    if (problems) problems.push(...notes);
    return;
  }
  const docs = parseJsonDocuments(file, bytes.toString('utf8'), problems);
  for (const doc of docs) {
    await yieldToLoop();
    if (format === 'grafana-frames') {
      const frames = grafanaFrames(doc);
      if (!frames) throw new BundleFileError(file, 'not Grafana data frames (expected {"results": {…: {"frames": […]}}}, a list of {schema, data} or {"series": [{fields}]})');
      const notes = frameSpans(file, frames, out, stats);
      if (problems) problems.push(...notes);
    } else if (format === 'jaeger-json') {
      if (!looksLikeJaeger(doc)) throw new BundleFileError(file, 'not Jaeger JSON (expected {"data": [{"traceID", "spans", "processes"}]})');
      parseJaeger(doc, out, stats);
    } else {
      if (!looksLikeZipkin(doc)) throw new BundleFileError(file, 'not Zipkin v2 JSON (expected an array of spans with "traceId" and "id")');
      parseZipkin(doc, out, stats);
    }
  }
}
