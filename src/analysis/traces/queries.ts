// The TraceQL that reproduces each analysis group (shared by the tools and the playbook step).
import { and, cond, errorCondition, intrinsic, or, renderTraceQL, resourceAttr, serviceIs, spanAttr, statementRegex, type Cond, type Spanset } from '../../query/traceql.js';
import type { ErrorGroup } from './errors.js';
import type { SlowGroup } from './slow.js';

/** The TraceQL selecting one group's error spans. */
export function errorGroupTraceQL(g: Pick<ErrorGroup, 'service' | 'spanName' | 'details'>): string {
  const items: Array<Cond | Spanset> = [serviceIs(g.service), cond(intrinsic('name'), '=', g.spanName), errorCondition()];
  const st = g.details['db.statement'];
  if (st && !st.endsWith('…') && !st.includes('?')) items.push(cond(spanAttr('db.statement'), '=', st));
  return renderTraceQL({ spansets: [and(...items)] });
}

/** The TraceQL selecting one slow-span group's spans (for waits: the caller's client span over the callee). */
export function slowGroupTraceQL(g: Pick<SlowGroup, 'service' | 'name' | 'detail' | 'detailKind' | 'detailAttr' | 'caller' | 'callerSpan' | 'calleeSpan'>, minDurationMs?: number): string {
  if (g.detailKind === 'wait' && g.caller && g.callerSpan && g.calleeSpan) {
    // The caller's client span whose child is the callee's entry span.
    return renderTraceQL({ spansets: [and(serviceIs(g.caller), cond(intrinsic('name'), '=', g.callerSpan)), and(serviceIs(g.service), cond(intrinsic('name'), '=', g.calleeSpan))], ops: ['>'] });
  }
  const items: Cond[] = [serviceIs(g.service), cond(intrinsic('name'), '=', g.name)];
  if (g.detail && g.detailKind === 'http.route') items.push(cond(spanAttr('http.route'), '=', g.detail));
  if (g.detail && g.detailKind === 'db.statement') items.push(cond(spanAttr(g.detailAttr ?? 'db.statement'), '=~', statementRegex(g.detail)));
  if (minDurationMs !== undefined && minDurationMs > 0) items.push(cond(intrinsic('duration'), '>=', { durationMs: Math.round(minDurationMs * 1000) / 1000 }));
  return renderTraceQL({ spansets: [and(...items)] });
}

/** Entry spans: where a request enters a service (server or consumer spans). */
export function entrySpans(): Spanset {
  return or(cond(intrinsic('kind'), '=', { kind: 'server' }), cond(intrinsic('kind'), '=', { kind: 'consumer' }));
}

/**
 * The TraceQL metrics of RED over entry spans: of every service (grouped by service), of one service's
 * operations (`by: 'operation'`), or of one service as a whole (`by: 'none'`, one series each).
 */
export function redTraceQL(service: string | undefined, by: 'service' | 'operation' | 'none', quantiles: number[]): { rate: string; errors: string; duration: string } {
  const base = and(...(service ? [serviceIs(service)] : []), entrySpans());
  const grouping = by === 'none' ? undefined : [by === 'operation' ? intrinsic('name') : resourceAttr('service.name')];
  return {
    rate: renderTraceQL({ spansets: [base], metrics: { fn: 'rate', by: grouping } }),
    errors: renderTraceQL({ spansets: [and(...base.items, cond(intrinsic('status'), '=', { status: 'error' }))], metrics: { fn: 'rate', by: grouping } }),
    duration: renderTraceQL({ spansets: [base], metrics: { fn: 'quantile_over_time', field: intrinsic('duration'), quantiles, by: grouping } }),
  };
}

/** The TraceQL metrics query of one operation's duration histogram (power-of-two buckets on Tempo). */
export function durationHistogramTraceQL(service: string, operation: string): string {
  return renderTraceQL({ spansets: [and(serviceIs(service), cond(intrinsic('name'), '=', operation))], metrics: { fn: 'histogram_over_time', field: intrinsic('duration') } });
}
