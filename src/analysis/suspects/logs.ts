// Log evidence per service (failure modes: a code fault that logs errors, a dependency failing, a
// service recovering from an earlier fault): error/warn surprise against the baseline (Poisson, with
// the baseline's own burstiness), new error statements, the first error line of each trace, the shift
// of the template mix, the error burden (errors that start in the service, baseline or not) and recovery.
import type { LogRecord, TimeRange } from '../../sources/types.js';
import { detectLevel } from '../logs/level.js';
import { coveredRatio, dispersionOf, inRange, poissonZ } from './stats.js';

/** Error / warning / other, from the same detection as Loki's detected_level (severity fields, level
 * attributes, JSON/logfmt level keys including pino's numbers, glog prefixes, stack traces, level words). */
export function logLevel(r: LogRecord): 'error' | 'warn' | 'other' {
  if (r.severityNumber !== undefined && r.severityNumber > 0) {
    if (r.severityNumber >= 17) return 'error';
    if (r.severityNumber >= 13) return 'warn';
    return 'other';
  }
  const l = detectLevel(r);
  return l === 'error' || l === 'fatal' || l === 'critical' ? 'error' : l === 'warn' ? 'warn' : 'other';
}

/** Variable tokens: uuids, long hex ids, numbers (one alternation, one pass). */
const VARIABLE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{12,}\b|\d+(?:\.\d+)?/gi;

/** A cheap template: the line's head with variable tokens (ids, numbers) masked. */
export function logTemplate(body: string): string {
  return body
    .slice(0, 240)
    .replace(/^\s*\S*\d{2}:\d{2}:\d{2}\S*\s+/, '') // leading timestamp
    .replace(VARIABLE, '<*>')
    .slice(0, 200);
}

interface LogFeatures {
  errZ: Map<string, number>;
  /** Per trace, the service whose error/warn line came first: where a failure starts (z vs baseline). */
  firstErr: Map<string, number>;
  /** Shift of the service's template mix vs baseline (chi-square as a z). */
  shift: Map<string, number>;
  newErr: Map<string, number>;
  /** Error lines starting in the service in the window, baseline or not. */
  burden: Map<string, number>;
  /** Services whose share of error lines fell significantly: recovering from an earlier problem. */
  recovering: Map<string, { before: number; after: number }>;
  detail: Map<string, { errW: number; errB: number; warnW: number; topNew?: string; topNewCount?: number }>;
}

export function logFeatures(
  records: LogRecord[],
  window: TimeRange,
  baseline: TimeRange,
  template: (r: LogRecord) => string = (r) => logTemplate(r.body),
  /** True when a line names another known service (its trouble is then that service's symptom). */
  namesOther: (r: LogRecord) => boolean = () => false,
): LogFeatures {
  const ratio = coveredRatio(records.map((r) => r.timeMs), window, baseline);
  const per = new Map<string, { errW: number; errB: number; ownErrW: number; ownErrB: number; warnW: number; warnB: number; tplB: Set<string>; newW: Map<string, number>; example: Map<string, string>; countB: Map<string, number>; countW: Map<string, number>; timesB: number[] }>();
  // Earliest error/warn line per trace, per range.
  const firstW = new Map<string, LogRecord>();
  const firstB = new Map<string, LogRecord>();
  const get = (svc: string) => {
    let v = per.get(svc);
    if (!v) per.set(svc, (v = { errW: 0, errB: 0, ownErrW: 0, ownErrB: 0, warnW: 0, warnB: 0, tplB: new Set(), newW: new Map(), example: new Map(), countB: new Map(), countW: new Map(), timesB: [] }));
    return v;
  };
  // Baseline templates first, so window lines can be judged new.
  for (const r of records) {
    if (!inRange(r.timeMs, baseline) || inRange(r.timeMs, window)) continue;
    const v = get(r.service);
    const lvl = logLevel(r);
    if (lvl === 'error') {
      v.errB++;
      if (!namesOther(r)) v.ownErrB++;
    }
    else if (lvl === 'warn') v.warnB++;
    if (lvl !== 'other') v.timesB.push(r.timeMs);
    const t = template(r);
    v.tplB.add(t);
    v.countB.set(t, (v.countB.get(t) ?? 0) + 1);
    if (lvl !== 'other' && r.traceId) {
      const prev = firstB.get(r.traceId);
      if (!prev || r.timeMs < prev.timeMs) firstB.set(r.traceId, r);
    }
  }
  const newLines: Array<{ r: LogRecord; t: string; error: boolean }> = [];
  const windowErrors: LogRecord[] = [];
  for (const r of records) {
    if (!inRange(r.timeMs, window)) continue;
    const v = get(r.service);
    const lvl = logLevel(r);
    const t = template(r);
    v.countW.set(t, (v.countW.get(t) ?? 0) + 1);
    if (lvl === 'other') continue;
    if (lvl === 'error') {
      v.errW++;
      if (!namesOther(r)) v.ownErrW++;
      windowErrors.push(r);
    } else v.warnW++;
    if (r.traceId) {
      const prev = firstW.get(r.traceId);
      if (!prev || r.timeMs < prev.timeMs) firstW.set(r.traceId, r);
    }
    if (!v.tplB.has(t)) newLines.push({ r, t, error: lvl === 'error' });
  }
  // Error burden: error lines in the window that start in the service (no earlier error of another
  // service in their trace), whatever the baseline held. A fault that began before the baseline (or a
  // baseline that only holds the fault) moves nothing, yet its service keeps logging errors.
  const burden = new Map<string, number>();
  for (const r of windowErrors) {
    const first = r.traceId ? firstW.get(r.traceId) : undefined;
    if (first !== undefined && first.service !== r.service && first.timeMs < r.timeMs) continue;
    if (namesOther(r)) continue;
    burden.set(r.service, (burden.get(r.service) ?? 0) + 1);
  }
  // New error/warn templates. A line that follows, in its trace, an earlier error line of another
  // service, or that names another service, is most likely that service's failure propagating: it
  // counts a quarter. New warning templates count a quarter of new error templates (as in the error
  // surprise). The evidence shows raw line counts.
  const newRaw = new Map<string, Map<string, number>>();
  for (const { r, t, error } of newLines) {
    let raw = newRaw.get(r.service);
    if (!raw) newRaw.set(r.service, (raw = new Map()));
    raw.set(t, (raw.get(t) ?? 0) + 1);
    const v = get(r.service);
    const first = r.traceId ? firstW.get(r.traceId) : undefined;
    const propagated = (first !== undefined && first.service !== r.service && first.timeMs < r.timeMs) || namesOther(r);
    v.newW.set(t, (v.newW.get(t) ?? 0) + (error ? 1 : 0.25) * (propagated ? 0.25 : 1));
    if (!v.example.has(t)) v.example.set(t, r.body.replace(/\s+/g, ' ').slice(0, 240));
  }
  const errZ = new Map<string, number>();
  const newErr = new Map<string, number>();
  const firstErr = new Map<string, number>();
  const shift = new Map<string, number>();
  const firstCount = (m: Map<string, LogRecord>) => {
    const c = new Map<string, number>();
    for (const r of m.values()) c.set(r.service, (c.get(r.service) ?? 0) + 1);
    return c;
  };
  const fw = firstCount(firstW);
  const fb = firstCount(firstB);
  for (const [svc, n] of fw) firstErr.set(svc, Math.max(0, poissonZ(n, fb.get(svc) ?? 0, ratio)));
  const detail: LogFeatures['detail'] = new Map();
  const recovering: LogFeatures['recovering'] = new Map();
  for (const [svc, v] of per) {
    // Errors weigh fully, warnings a quarter.
    errZ.set(svc, Math.max(0, poissonZ(v.errW + v.warnW / 4, v.errB + v.warnB / 4, ratio, dispersionOf(v.timesB, baseline))));
    let n = 0;
    let top: string | undefined;
    let topN = 0;
    for (const [t, c] of v.newW) {
      n += c;
      if (c > topN) {
        topN = c;
        top = t;
      }
    }
    newErr.set(svc, Math.sqrt(n));
    // Template mix: expected window counts from the baseline mix scaled to the window's volume.
    let nb = 0;
    let nw = 0;
    for (const c of v.countB.values()) nb += c;
    for (const c of v.countW.values()) nw += c;
    if (nb >= 20 && nw >= 20) {
      let chi = 0;
      let k = 0;
      for (const t of new Set([...v.countB.keys(), ...v.countW.keys()])) {
        const exp = ((v.countB.get(t) ?? 0) * nw) / nb;
        const obs = v.countW.get(t) ?? 0;
        chi += (obs - exp) ** 2 / (exp + 1);
        k++;
      }
      shift.set(svc, (chi - k) / Math.sqrt(2 * k));
    }
    // Recovery: the error share of the service's lines fell (binomial z on the window's error count
    // given the baseline share). Its other changes are then most likely the recovery itself (work
    // resuming, calls it skipped while failing), not a new fault.
    // Only the service's own errors count: errors naming another service are that service's, and so
    // is their recovery.
    if (v.ownErrB >= 5 && nb > 0 && nw > 0) {
      const p = v.ownErrB / nb;
      const zRec = (v.ownErrW - nw * p) / Math.sqrt(nw * p * (1 - p) + 1);
      if (zRec < -3 && v.ownErrW / nw < 0.5 * p) recovering.set(svc, { before: p, after: v.ownErrW / nw });
    }
    detail.set(svc, { errW: v.errW, errB: v.errB, warnW: v.warnW, topNew: top ? v.example.get(top) : undefined, topNewCount: top ? newRaw.get(svc)?.get(top) : undefined });
  }
  return { errZ, firstErr, shift, newErr, burden, recovering, detail };
}

