// OTLP protobuf files (`.binpb`, what the Collector's file exporter writes with `format: proto`): one
// TracesData, LogsData or MetricsData message per file, or a sequence of them each preceded by its length (the
// exporter's framing when it appends). Decoded with protobufjs from the OTLP message definitions below,
// then rendered in the OTLP/JSON shape so the one OTLP decoder (otlp-traces.ts, otlp-logs.ts) reads both.
import { lazyRequire } from '../../../util/lazy.js';
import type * as Protobuf from 'protobufjs';
import { BundleFileError } from '../files.js';

// The subset of opentelemetry-proto (common, resource, trace, logs, metrics v1) that a reader needs; field
// numbers are the wire contract. Fields not listed are skipped by the decoder as unknown fields.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message TracesData { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0; SPAN_KIND_INTERNAL = 1; SPAN_KIND_SERVER = 2; SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4; SPAN_KIND_CONSUMER = 5;
  }
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message Status {
  string message = 2; StatusCode code = 3;
  enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; }
}
message LogsData { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3;
  AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8;
  bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
message MetricsData { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; }
}
enum AggregationTemporality { AGGREGATION_TEMPORALITY_UNSPECIFIED = 0; AGGREGATION_TEMPORALITY_DELTA = 1; AGGREGATION_TEMPORALITY_CUMULATIVE = 2; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; } uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; uint32 flags = 10;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5;
  sint32 scale = 6; fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9; uint32 flags = 10; double zero_threshold = 14;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
}
message SummaryDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5;
  repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8;
  message ValueAtQuantile { double quantile = 1; double value = 2; }
}
`;

export type OtlpMessage = 'TracesData' | 'LogsData' | 'MetricsData';

const protobuf = lazyRequire<typeof Protobuf>('protobufjs');
let root: Protobuf.Root | undefined;
function type(name: OtlpMessage): Protobuf.Type {
  root ??= protobuf().parse(OTLP_PROTO, { keepCase: false }).root;
  return root.lookupType(`otlp.${name}`);
}

// int64/fixed64 as decimal strings (exact beyond 2^53, as OTLP/JSON writes them), enums by name,
// bytes as hex (OTLP/JSON's spelling of ids), oneofs as their set field only.
const TO_OBJECT: Protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, defaults: false, oneofs: false };

/** Decodes one OTLP protobuf file (TracesData, LogsData or MetricsData) into OTLP/JSON-shaped documents. */
export function decodeOtlpProto(bytes: Uint8Array, what: OtlpMessage): unknown[] {
  const t = type(what);
  try {
    return [toJsonShape(t.toObject(t.decode(bytes), TO_OBJECT))];
  } catch (whole) {
    // Not one message: try length-delimited messages (varint length, then the message).
    const docs = decodeDelimited(bytes, t);
    if (docs) return docs;
    throw new Error(`not an OTLP protobuf ${what} message (${(whole as Error).message})`);
  }
}

function decodeDelimited(bytes: Uint8Array, t: Protobuf.Type): unknown[] | undefined {
  const reader = protobuf().Reader.create(bytes);
  const docs: unknown[] = [];
  try {
    while (reader.pos < reader.len) docs.push(toJsonShape(t.toObject(t.decodeDelimited(reader), TO_OBJECT)));
  } catch {
    return undefined;
  }
  return docs.length ? docs : undefined;
}

const BYTES_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** protobufjs renders bytes as base64; OTLP/JSON writes ids as hex. Other bytes values stay base64. */
function toJsonShape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toJsonShape(x));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = toJsonShape(o[k], k);
    return o;
  }
  if (typeof v === 'string' && BYTES_FIELDS.has(key)) return Buffer.from(v, 'base64').toString('hex');
  return v;
}

/** `decodeOtlpProto` for a bundle file: a failure names the file. */
export function decodeOtlpProtoFile(file: string, bytes: Uint8Array, what: OtlpMessage): unknown[] {
  try {
    return decodeOtlpProto(bytes, what);
  } catch (e) {
    throw new BundleFileError(file, (e as Error).message);
  }
}
