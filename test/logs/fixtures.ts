// Synthetic OTLP/JSON log bundles for the logs tests (no dependency on ../shared).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FixtureLine {
  timeMs: number;
  service: string;
  body: string;
  severityText?: string;
  severityNumber?: number;
  attributes?: Record<string, string | number | boolean>;
  resource?: Record<string, string>;
  traceId?: string;
}

const kv = (o: Record<string, string | number | boolean>) =>
  Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v } }));

export function logsData(lines: FixtureLine[]): unknown {
  const byRes = new Map<string, FixtureLine[]>();
  for (const l of lines) {
    const k = JSON.stringify({ 'service.name': l.service, ...(l.resource ?? {}) });
    byRes.set(k, [...(byRes.get(k) ?? []), l]);
  }
  return {
    resourceLogs: [...byRes].map(([k, ls]) => ({
      resource: { attributes: kv(JSON.parse(k) as Record<string, string>) },
      scopeLogs: [
        {
          scope: { name: 'test' },
          logRecords: ls.map((l) => ({
            timeUnixNano: (BigInt(Math.round(l.timeMs)) * 1_000_000n).toString(),
            severityText: l.severityText,
            severityNumber: l.severityNumber,
            body: { stringValue: l.body },
            attributes: kv(l.attributes ?? {}),
            traceId: l.traceId,
          })),
        },
      ],
    })),
  };
}

/** Writes a bundle (incident.yaml + logs/logs.json) and returns its folder. */
export function writeBundle(lines: FixtureLine[], window: { start: string; end: string }, baseline: { start: string; end: string }, incident: { start: string; end: string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-logs-'));
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'logs', 'logs.json'), JSON.stringify(logsData(lines)));
  writeFileSync(
    path.join(dir, 'incident.yaml'),
    `id: logs-fixture\ntitle: logs fixture\nwindow:\n  start: ${window.start}\n  end: ${window.end}\nbaseline:\n  start: ${baseline.start}\n  end: ${baseline.end}\nincident:\n  start: ${incident.start}\n  end: ${incident.end}\n`,
  );
  return dir;
}

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const T0 = Date.parse('2025-06-03T09:50:00Z');
export const INCIDENT = Date.parse('2025-06-03T10:04:00Z');
export const T1 = Date.parse('2025-06-03T10:20:00Z');

/**
 * "The needle": 2 lines/s of steady info noise and a steady warn for `api`, plus from the incident
 * a rare new error (1 line every ~40 s) carrying a varying field value.
 */
export function needleLines(): FixtureLine[] {
  const r = rng(42);
  const out: FixtureLine[] = [];
  for (let t = T0; t < T1; t += 500) {
    const user = Math.floor(r() * 100000);
    out.push({ timeMs: t, service: 'api', body: `level=info msg="request served" method=GET path=/api/items/${Math.floor(r() * 500)} status=200 duration=${(r() * 20).toFixed(1)}ms user=${user}`, attributes: { region: r() < 0.5 ? 'eu' : 'us' } });
    if (Math.floor(t / 500) % 15 === 0) out.push({ timeMs: t + 1, service: 'api', body: `level=warn msg="cache miss ratio high" ratio=0.${Math.floor(r() * 90 + 10)}`, attributes: { region: 'eu' } });
    if (t >= INCIDENT && Math.floor(t / 500) % 80 === 3) {
      out.push({
        timeMs: t + 2,
        service: 'api',
        body: `level=error msg="failed to save order ${Math.floor(r() * 1e6)}: deadlock detected on table orders" retry=true`,
        attributes: { region: 'us', 'app.flag': 'new-checkout' },
        traceId: (Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0') + 'a'.repeat(24)).slice(0, 32),
      });
    }
  }
  out.push({ timeMs: T0 + 1000, service: 'worker', body: 'INFO job started id=1' });
  return out;
}
