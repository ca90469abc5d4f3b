// OTLP/JSON LogsData → LogRecord records.
import type { LogRecord } from './types.js';
import { anyValue, attributes, nanosToMs, normaliseId, scopeOf, serviceOf } from './otlp.js';

export function looksLikeLogsData(doc: unknown): boolean {
  return !!doc && typeof doc === 'object' && Array.isArray((doc as Record<string, unknown>).resourceLogs);
}

const SEVERITY_NAMES: Record<string, number> = { SEVERITY_NUMBER_TRACE: 1, SEVERITY_NUMBER_DEBUG: 5, SEVERITY_NUMBER_INFO: 9, SEVERITY_NUMBER_WARN: 13, SEVERITY_NUMBER_ERROR: 17, SEVERITY_NUMBER_FATAL: 21 };

export function parseLogsData(doc: unknown, out: LogRecord[]): { records: number; skipped: number } {
  let records = 0;
  let skipped = 0;
  const rls = (doc as { resourceLogs?: unknown[] }).resourceLogs ?? [];
  for (const rl of rls) {
    const r = rl as Record<string, unknown>;
    const resource = attributes((r.resource as { attributes?: unknown } | undefined)?.attributes);
    const service = serviceOf(resource);
    const scopes = (r.scopeLogs ?? r.instrumentationLibraryLogs ?? []) as Array<{ logRecords?: unknown[]; scope?: unknown; instrumentationLibrary?: unknown }>;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      if (!scope || !Array.isArray(scope.logRecords)) continue;
      const scopeInfo = scopeOf(scope.scope ?? scope.instrumentationLibrary);
      for (const raw of scope.logRecords) {
        const l = raw as Record<string, unknown>;
        const timeMs = nanosToMs(l.timeUnixNano) || nanosToMs(l.observedTimeUnixNano);
        if (timeMs === undefined) {
          skipped++;
          continue;
        }
        const bodyVal = anyValue(l.body as never);
        const sevNum = typeof l.severityNumber === 'number' ? l.severityNumber : typeof l.severityNumber === 'string' ? (SEVERITY_NAMES[l.severityNumber] ?? Number(l.severityNumber)) : undefined;
        out.push({
          timeMs,
          service,
          body: bodyVal === undefined ? '' : String(bodyVal),
          severityText: typeof l.severityText === 'string' && l.severityText !== '' ? l.severityText : undefined,
          severityNumber: sevNum && Number.isFinite(sevNum) ? sevNum : undefined,
          attributes: attributes(l.attributes),
          resource,
          traceId: normaliseId(l.traceId, 32),
          spanId: normaliseId(l.spanId, 16),
          eventName: typeof l.eventName === 'string' && l.eventName !== '' ? l.eventName : undefined,
          scope: scopeInfo,
        });
        records++;
      }
    }
  }
  return { records, skipped };
}
