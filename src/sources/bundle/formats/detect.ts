// Recognises a telemetry file by its content (the first 16 KiB read, after gunzip), with the folder and
// the name as hints only where content alone is ambiguous (a protobuf message does not say its type).
import { isSnakeCaseOtlp, unwrapResult } from './otlp-json.js';
import { looksLikeJaeger } from './jaeger.js';
import { looksLikeZipkin } from './zipkin.js';
import { isLogcliEntry, isLokiStreamsAnswer } from './logcli.js';
import { looksLikePrometheusAnswer } from './prometheus-json.js';
import { looksFolded } from './folded.js';
import { looksLikeV8CpuProfile } from './v8-cpuprofile.js';
import { looksLikeSpeedscope } from './speedscope.js';
import { isJfr } from './jfr.js';
import { looksLikePerfScript } from './perf-script.js';
import { isVmExportLine, looksLikeTsdbDump } from './series-dumps.js';
import { framesSignal, grafanaFrames } from './grafana-frames.js';
import { looksLikeFlamebearer } from './flamebearer.js';
import { detectCsvTable } from './csv-files.js';
import { looksLikeElasticHits } from './elastic-hits.js';
import { isCloudWatchEvents, isInsightsResults } from './cloudwatch-logs.js';
import { looksLikeCloudLogging } from './cloud-logging.js';
import { looksLikeLogAnalytics } from './azure-log-analytics.js';
import { salvageCutJson } from '../files.js';
import { legacyPprofKind, legacyPprofMessage } from './legacy-pprof.js';
import { looksLikeTracesData } from '../../otlp-traces.js';
import { looksLikeLogsData } from '../../otlp-logs.js';

export type Signal = 'traces' | 'logs' | 'metrics' | 'profiles';
export type Format =
  | 'otlp-json'
  | 'tempo-json'
  | 'otlp-proto'
  | 'jaeger-json'
  | 'zipkin-json'
  | 'logcli-jsonl'
  | 'loki-json'
  | 'json-log'
  | 'elastic-json'
  | 'cloudwatch-json'
  | 'cloud-logging-json'
  | 'log-analytics-json'
  | 'text-log'
  | 'csv-logs'
  | 'csv-spans'
  | 'csv-metrics'
  | 'openmetrics'
  | 'prometheus-json'
  | 'pprof'
  | 'folded'
  | 'v8-cpuprofile'
  | 'speedscope'
  | 'jfr'
  | 'perf-script'
  | 'tsdb-dump'
  | 'vm-export'
  | 'grafana-frames'
  | 'flamebearer'
  | 'legacy-pprof'
  | 'protobuf'
  | 'unknown';

export interface Detected {
  format: Format;
  signal?: Signal;
  /** Why the file cannot be read (legacy or unsupported formats); the file is then skipped. */
  problem?: string;
  /** The catch-all answer (plain text, unrecognised JSON): a signal folder the file sits in overrides it. */
  weak?: boolean;
}

export const FORMAT_NAMES: Record<Format, string> = {
  'otlp-json': 'OTLP/JSON',
  'tempo-json': 'Tempo / Grafana trace download (OTLP/JSON)',
  'otlp-proto': 'OTLP protobuf',
  'jaeger-json': 'Jaeger JSON',
  'zipkin-json': 'Zipkin v2 JSON',
  'logcli-jsonl': 'logcli JSON Lines',
  'loki-json': 'Loki query answer (JSON streams)',
  'json-log': 'JSON log lines',
  'elastic-json': 'Elasticsearch / OpenSearch search answer or hits',
  'cloudwatch-json': 'CloudWatch Logs events or Logs Insights results (AWS CLI JSON)',
  'cloud-logging-json': 'Google Cloud Logging entries (LogEntry JSON)',
  'log-analytics-json': 'Azure Monitor Log Analytics query results (JSON)',
  'text-log': 'plain text log',
  'csv-logs': 'log table (CSV/TSV)',
  'csv-spans': 'span table (CSV/TSV)',
  'csv-metrics': 'metric table (CSV/TSV)',
  openmetrics: 'OpenMetrics / Prometheus text',
  'prometheus-json': 'Prometheus query answer (JSON)',
  pprof: 'pprof',
  folded: 'collapsed stacks',
  'v8-cpuprofile': 'V8 CPU profile (.cpuprofile)',
  speedscope: 'speedscope profile',
  jfr: 'Java Flight Recorder (.jfr)',
  'perf-script': 'perf script output',
  'tsdb-dump': 'promtool tsdb dump',
  'vm-export': 'VictoriaMetrics export (JSON Lines)',
  'grafana-frames': 'Grafana data frames (query inspector)',
  flamebearer: 'Pyroscope flame graph export (JSON)',
  'legacy-pprof': 'legacy pprof',
  protobuf: 'protobuf (undetermined)',
  unknown: 'unknown',
};

/** Hint from the path: the signal folder at the top of the bundle, or words and extensions of the name. */
export function signalHint(rel: string): Signal | undefined {
  const segs = rel.split(/[\\/]/);
  const top = segs.length > 1 ? segs[0]!.toLowerCase() : '';
  if (top === 'traces' || top === 'logs' || top === 'metrics' || top === 'profiles') return top;
  const name = segs[segs.length - 1]!.toLowerCase();
  if (/\.(pprof|prof|folded|collapsed|cpuprofile|speedscope(\.json)?|jfr|flamebearer(\.json)?)(\.gz)?$/.test(name) || /(^|[-_.])(cpu|heap|alloc|profile|flame)/.test(name)) return 'profiles';
  if (/(^|[-_.])(traces?|spans?)([-_.]|$)/.test(name)) return 'traces';
  if (/(^|[-_.])logs?([-_.]|$)|\.log(\.\d+)?(\.gz)?$/.test(name)) return 'logs';
  if (/\.(om|prom|openmetrics)(\.gz)?$/.test(name) || /(^|[-_.])metrics?([-_.]|$)/.test(name)) return 'metrics';
  return undefined;
}

/** Tempo's search answer (`/api/search`, TraceQL in Grafana's Explore): trace summaries, not traces. */
const TEMPO_SEARCH: Detected = {
  format: 'unknown',
  signal: 'traces',
  problem: "a Tempo search answer: it lists traces (ids, root service, duration, matched spans) without their spans; download the traces themselves (Grafana's \"Download trace\", or `curl $TEMPO/api/traces/<id>`) into the bundle",
};

function isTempoSearch(doc: unknown): boolean {
  const t = (doc as { traces?: unknown } | null)?.traces;
  return Array.isArray(t) && t.length > 0 && t.every((x) => x && typeof x === 'object' && 'traceID' in x && ('rootServiceName' in x || 'spanSets' in x || 'spanSet' in x));
}

/** A parsed JSON document's format. */
export function detectJsonDoc(raw: unknown): Detected | undefined {
  const doc = unwrapResult(raw);
  if (isTempoSearch(doc)) return TEMPO_SEARCH;
  // Tempo's /api/traces answer and Grafana's "Download trace": OTLP/JSON under `batches` or `trace`.
  if (doc && typeof doc === 'object' && !Array.isArray((doc as Record<string, unknown>).resourceSpans) && looksLikeTracesData(doc)) return { format: 'tempo-json', signal: 'traces' };
  if (looksLikeTracesData(doc) || (isSnakeCaseOtlp(doc) && Array.isArray((doc as Record<string, unknown>).resource_spans))) return { format: 'otlp-json', signal: 'traces' };
  if (looksLikeLogsData(doc) || (isSnakeCaseOtlp(doc) && Array.isArray((doc as Record<string, unknown>).resource_logs))) return { format: 'otlp-json', signal: 'logs' };
  const d = doc as Record<string, unknown>;
  if (d && typeof d === 'object' && (Array.isArray(d.resourceMetrics) || Array.isArray(d.resource_metrics))) return { format: 'otlp-json', signal: 'metrics' };
  if (looksLikeJaeger(doc)) return { format: 'jaeger-json', signal: 'traces' };
  if (looksLikeZipkin(doc)) return { format: 'zipkin-json', signal: 'traces' };
  if (isLokiStreamsAnswer(doc)) return { format: 'loki-json', signal: 'logs' };
  if (looksLikePrometheusAnswer(doc)) return { format: 'prometheus-json', signal: 'metrics' };
  if (isVmExportLine(doc)) return { format: 'vm-export', signal: 'metrics' };
  if (isLogcliEntry(doc)) return { format: 'logcli-jsonl', signal: 'logs' };
  if (d && typeof d === 'object' && Array.isArray(d.stringTable)) return { format: 'pprof', signal: 'profiles' };
  if (looksLikeFlamebearer(doc)) return { format: 'flamebearer', signal: 'profiles' };
  const frames = grafanaFrames(doc);
  const frameSignal = frames && framesSignal(frames);
  if (frameSignal) return { format: 'grafana-frames', signal: frameSignal };
  if (looksLikeV8CpuProfile(doc)) return { format: 'v8-cpuprofile', signal: 'profiles' };
  if (looksLikeSpeedscope(doc)) return { format: 'speedscope', signal: 'profiles' };
  return detectLogExport(doc);
}

/** The log exports of other stacks: Elasticsearch/OpenSearch, CloudWatch Logs, Google Cloud Logging, Azure Log Analytics. */
function detectLogExport(doc: unknown): Detected | undefined {
  if (looksLikeElasticHits(doc)) return { format: 'elastic-json', signal: 'logs' };
  if (isCloudWatchEvents(doc) || isInsightsResults(doc)) return { format: 'cloudwatch-json', signal: 'logs' };
  if (looksLikeCloudLogging(doc)) return { format: 'cloud-logging-json', signal: 'logs' };
  if (looksLikeLogAnalytics(doc)) return { format: 'log-analytics-json', signal: 'logs' };
  return undefined;
}

/**
 * A document longer than the head, closed after its last complete array element (salvageCutJson), read
 * as a log export: the AWS and gcloud CLIs indent their JSON, and a search answer's or an export's first
 * entries fit in the head.
 */
function detectCutLogExport(text: string): Detected | undefined {
  const doc = salvageCutJson(text)?.value;
  return doc === undefined ? undefined : detectLogExport(doc);
}

// When the first document is longer than the head: its first key, else distinctive keys in the head.
const FIRST_KEY: Record<string, Detected> = {
  resourceSpans: { format: 'otlp-json', signal: 'traces' },
  resource_spans: { format: 'otlp-json', signal: 'traces' },
  batches: { format: 'tempo-json', signal: 'traces' },
  trace: { format: 'tempo-json', signal: 'traces' },
  resourceLogs: { format: 'otlp-json', signal: 'logs' },
  resource_logs: { format: 'otlp-json', signal: 'logs' },
  resourceMetrics: { format: 'otlp-json', signal: 'metrics' },
  resource_metrics: { format: 'otlp-json', signal: 'metrics' },
};

function detectJsonHead(text: string): Detected | undefined {
  const nl = text.indexOf('\n');
  const firstLine = (nl >= 0 ? text.slice(0, nl) : text).trim();
  // Whether the head parsed as one document (then the log exports were looked for in it already).
  let whole = false;
  try {
    const doc = JSON.parse(firstLine) as unknown;
    whole = nl < 0;
    const d = detectJsonDoc(doc);
    if (d) return d;
  } catch {
    // Longer than the head, or pretty-printed: look at the keys instead.
  }
  // A pretty-printed document that fits in the head: the whole of it says what it is (a one-line head
  // was the first line, parsed above). One that does not parse was cut by the head, or is no JSON.
  if (nl >= 0) {
    try {
      const doc = JSON.parse(text) as unknown;
      whole = true;
      const d = detectJsonDoc(doc);
      if (d) return d;
    } catch {
      // cut by the head, or not JSON
    }
  }
  const key = /^\s*\{\s*"([^"]+)"/.exec(text)?.[1];
  if (key && FIRST_KEY[key]) return FIRST_KEY[key];
  if (/^\s*\{\s*"(version|flamebearer)"\s*:/.test(text) && /"flamebearer"\s*:\s*\{\s*"names"/.test(text)) return { format: 'flamebearer', signal: 'profiles' };
  // Frames longer than the head (their meta may hold a Prometheus resultType): a query inspector answer or DataFrame JSON; Loki's line fields say logs.
  if (/"frames"\s*:\s*\[\s*\{\s*"schema"|^\s*\[\s*\{\s*"schema"\s*:\s*\{/.test(text) && /"fields"\s*:\s*\[/.test(text))
    return { format: 'grafana-frames', signal: /"name"\s*:\s*"(Line|tsNs)"/.test(text) ? 'logs' : /"name"\s*:\s*"level"/.test(text) && /"name"\s*:\s*"self"/.test(text) ? 'profiles' : /"name"\s*:\s*"spanID"/.test(text) ? 'traces' : 'metrics' };
  const exported = whole ? undefined : detectCutLogExport(text);
  if (exported) return exported;
  if (/"resultType"\s*:\s*"streams"/.test(text)) return { format: 'loki-json', signal: 'logs' };
  if (/"resultType"\s*:/.test(text)) return { format: 'prometheus-json', signal: 'metrics' };
  if (/^\s*\{\s*"traces"\s*:/.test(text) && /"rootServiceName"\s*:/.test(text)) return TEMPO_SEARCH;
  if (/"traceID"\s*:/.test(text) && /"(spans|operationName)"\s*:/.test(text)) return { format: 'jaeger-json', signal: 'traces' };
  if (/^\s*\[/.test(text) && /"traceId"\s*:/.test(text) && /"(localEndpoint|parentId|id)"\s*:/.test(text)) return { format: 'zipkin-json', signal: 'traces' };
  if (/"(resourceSpans|resource_spans)"\s*:/.test(text)) return { format: 'otlp-json', signal: 'traces' };
  if (/"(resourceLogs|resource_logs)"\s*:/.test(text)) return { format: 'otlp-json', signal: 'logs' };
  if (/"stringTable"\s*:/.test(text)) return { format: 'pprof', signal: 'profiles' };
  if (/^\s*\{\s*"metric"\s*:\s*\{/.test(text) && /"timestamps"\s*:\s*\[/.test(text)) return { format: 'vm-export', signal: 'metrics' };
  if (/"\$schema"\s*:\s*"https:\/\/www\.speedscope\.app\//.test(text)) return { format: 'speedscope', signal: 'profiles' };
  if (/^\s*\{\s*"(nodes|head)"\s*:/.test(text) && /"callFrame"\s*:\s*\{|"functionName"\s*:/.test(text)) return { format: 'v8-cpuprofile', signal: 'profiles' };
  return undefined;
}

function firstLineParses(text: string): boolean {
  const nl = text.indexOf('\n');
  try {
    JSON.parse(nl >= 0 ? text.slice(0, nl) : text);
    return true;
  } catch {
    return false;
  }
}

/** A document starting with `[`: its first line parses, or opens an array of objects, arrays or strings
 * (`[`, `[{`, `[ "a",` …, the line cut anywhere after). */
function opensJsonArray(text: string): boolean {
  if (firstLineParses(text)) return true;
  const nl = text.indexOf('\n');
  const first = (nl >= 0 ? text.slice(0, nl) : text).trim();
  return /^\[\s*([{["]|$)/.test(first);
}

const METRIC_COMMENT = /^#\s+(TYPE|HELP|UNIT)\s+\S+|^# EOF\s*$/;
const METRIC_SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+[-+]?(\d[\d.eE+-]*|\.\d+|NaN|[+-]?Inf)(\s+-?\d+(\.\d+)?)?(\s+#.*)?$/;

function looksLikeOpenMetrics(lines: string[]): boolean {
  let samples = 0;
  let declared = 0;
  let other = 0;
  for (const l of lines.slice(0, 200)) {
    const t = l.trim();
    if (!t) continue;
    if (METRIC_COMMENT.test(t)) declared++;
    else if (t.startsWith('#')) continue;
    else if (METRIC_SAMPLE.test(t)) samples++;
    else other++;
  }
  // A file of only # TYPE/# HELP lines (a scrape of families with no series yet, or cut before them) is
  // metrics too: read as such, the reader says it held no sample instead of a log of comment lines.
  return samples > 0 ? other <= samples / 20 : declared > 0 && other === 0;
}

/** The first byte is a protobuf field key (field ≥ 1, wire type varint, 64-bit, length-delimited or 32-bit). */
function startsLikeProtobuf(head: Uint8Array): boolean {
  const wt = head[0]! & 7;
  return head[0]! >> 3 > 0 && (wt === 0 || wt === 1 || wt === 2 || wt === 5);
}

/** Binary content: NUL bytes or many control characters in the head. */
function isBinary(head: Uint8Array): boolean {
  let ctrl = 0;
  const n = Math.min(head.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  return ctrl > n / 100;
}

/**
 * What a file in a signal folder is read as when its content says nothing clearer: the folder's
 * documented format, so a damaged file is reported by that format's reader (with its position).
 */
export function folderDefault(rel: string): Detected | undefined {
  const top = rel.split(/[\\/]/)[0]!.toLowerCase();
  if (!rel.includes('/') && !rel.includes('\\')) return undefined;
  if (top === 'traces') return { format: 'otlp-json', signal: 'traces' };
  if (top === 'metrics') return { format: 'openmetrics', signal: 'metrics' };
  if (top === 'profiles') return { format: 'pprof', signal: 'profiles' };
  if (top === 'logs') return /\.(json|jsonl|ndjson)(\.gz)?$/i.test(rel) ? { format: 'otlp-json', signal: 'logs' } : { format: 'text-log', signal: 'logs' };
  return undefined;
}

/** Recognises a file from its (decompressed) head; `rel` (path inside the bundle) only breaks ties. */
export function detectFormat(rel: string, head: Uint8Array): Detected {
  if (head.length === 0) return { format: 'unknown', problem: 'empty file' };
  const legacy = legacyPprofKind(head);
  if (legacy) return { format: 'legacy-pprof', signal: 'profiles', problem: legacyPprofMessage(legacy) };
  if (isJfr(head)) return { format: 'jfr', signal: 'profiles' };
  if (isBinary(head)) {
    // Protobuf (pprof, OTLP): the bytes do not say which message; decoding decides (catalog.ts).
    return startsLikeProtobuf(head) ? { format: 'protobuf', signal: signalHint(rel) } : { format: 'unknown', problem: 'binary content that is neither gzip, a protobuf message (pprof, OTLP) nor a JFR recording' };
  }
  const text = Buffer.from(head).toString('utf8');
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    const d = detectJsonHead(text.trimStart());
    if (d) return d;
    // `promtool tsdb dump` lines open with a label set, not a JSON object.
    if (start === '{' && looksLikeTsdbDump(text.split('\n').slice(0, head.length >= 16384 ? -1 : undefined))) return { format: 'tsdb-dump', signal: 'metrics' };
    // JSON that is none of the telemetry formats: application logs written as JSON lines (weak when
    // not even the first line parses: a damaged file of a signal folder goes to that folder's reader).
    if (start === '{') return firstLineParses(text.trimStart()) ? { format: 'json-log', signal: 'logs' } : { format: 'text-log', signal: 'logs', weak: true };
    // Text lines that open with a bracket (`[2024-05-07 10:55:53,434] INFO …`, `[Sun Dec 04 …]`) are
    // not JSON: the first line neither parses nor opens an array of values.
    if (!opensJsonArray(text.trimStart())) return { format: 'text-log', signal: 'logs', weak: true };
    return { format: 'unknown', problem: 'JSON that is none of OTLP, Jaeger, Zipkin, logcli, a Prometheus answer, an Elasticsearch answer, CloudWatch, Cloud Logging or Log Analytics entries, pprof, a V8 CPU profile or speedscope', weak: true };
  }
  const lines = text.split('\n');
  // A cut last line is not evidence either way.
  if (head.length >= 16384) lines.pop();
  if (looksLikeOpenMetrics(lines)) return { format: 'openmetrics', signal: 'metrics' };
  if (looksFolded(lines)) return { format: 'folded', signal: 'profiles' };
  if (looksLikePerfScript(lines)) return { format: 'perf-script', signal: 'profiles' };
  // A header row whose columns name a time and a message, span ids and times, or a time and numbers.
  const table = detectCsvTable(text, head.length < 16384);
  if (table) return { format: table, signal: table === 'csv-spans' ? 'traces' : table === 'csv-logs' ? 'logs' : 'metrics' };
  return { format: 'text-log', signal: 'logs', weak: true };
}
