// In-memory model of the simulated telemetry, before it is written in OTLP / OpenMetrics / pprof.
import type { Pod } from './scenario.js';

export type AttrValue = string | boolean | { int: number } | { double: number };
export interface Attr {
  key: string;
  value: AttrValue;
}

export const str = (key: string, v: string): Attr => ({ key, value: v });
export const int = (key: string, v: number): Attr => ({ key, value: { int: Math.round(v) } });
export const dbl = (key: string, v: number): Attr => ({ key, value: { double: v } });
export const bool = (key: string, v: boolean): Attr => ({ key, value: v });

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface SimEvent {
  name: string;
  timeUs: number;
  attrs: Attr[];
}

export interface SimSpan {
  pod: Pod;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  /** Microseconds since the epoch (integers: nanosecond strings are built from them exactly). */
  startUs: number;
  endUs: number;
  attrs: Attr[];
  status?: { code: 1 | 2; message?: string };
  events: SimEvent[];
}

export interface SimLog {
  pod: Pod;
  scope: string;
  timeUs: number;
  severityNumber?: number;
  severityText?: string;
  body: string;
  attrs: Attr[];
  traceId?: string;
  spanId?: string;
}

/** One finished HTTP server request, as the service's metrics middleware saw it. */
export interface Observation {
  pod: Pod;
  route: string;
  method: string;
  status: number;
  durationS: number;
  endMs: number;
}

/** A database connection held from startMs to endMs (for the pool gauges). */
export interface DbUse {
  pod: Pod;
  startMs: number;
  endMs: number;
}

/** CPU work done by a process, for process_cpu_seconds_total and the CPU profiles. */
export interface CpuWork {
  pod: Pod;
  ms: number;
  /** CPU seconds. */
  seconds: number;
  /** What the CPU was spent on (selects the stack shapes in the profile). */
  kind: string;
}

export interface Simulation {
  spans: SimSpan[];
  logs: SimLog[];
  observations: Observation[];
  dbUses: DbUse[];
  cpu: CpuWork[];
}

export const SEVERITY: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };
