// Scope of an investigation: the window and baseline, from explicit options, else from times written in
// the question ("since 10:04", "depuis 10h", "desde las 10:04", "seit 10 Uhr", "last 15 minutes"),
// read relative to the sources' defaults, else the sources' defaults themselves.
import type { Sources, TimeRange } from '../sources/types.js';
import { precedingRange } from '../util/time.js';

export interface Scope {
  window: TimeRange;
  baseline?: TimeRange;
  /** How the scope was chosen, for the report. */
  from: 'options' | 'question' | 'defaults';
}

const CLOCK = String.raw`(\d{1,2})(?:\s*[:h]\s*(\d{2})|\s*h\b|\s*uhr\b|(?=\s*(?:utc|gmt|z)\b))?`;
const SINCE = new RegExp(String.raw`\b(?:since|from|after|depuis|à partir de|desde(?: las?)?|a partir de(?: las?)?|seit|ab)\s+(?:(?:les?|las?|the)\s+)?${CLOCK}`, 'iu');
const BETWEEN = new RegExp(String.raw`\b(?:between|entre|zwischen)\s+(?:(?:les?|las?)\s+)?${CLOCK}\s*(?:and|et|y|und)\s+(?:(?:les?|las?)\s+)?${CLOCK}`, 'iu');
const LAST = /\b(?:last|past|dernières?|derniers?|últim[oa]s?|letzten)\s+(\d+)\s*(min(?:ute)?s?|minutos?|minuten|h|hours?|heures?|horas?|stunden?)\b/iu;

function clockOn(day: number, h: string, m: string | undefined): number | undefined {
  const hh = Number(h);
  const mm = Number(m ?? 0);
  if (hh > 23 || mm > 59) return undefined;
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh, mm);
}

/** Times mentioned in the question, resolved on the day of the sources' default window (UTC). */
export function timesFromQuestion(question: string, sources: Sources): { window?: TimeRange } {
  const d = sources.defaults;
  const day = d.incident?.start ?? d.window.start;
  const end = d.window.end;
  const b = BETWEEN.exec(question);
  if (b) {
    const s = clockOn(day, b[1]!, b[2]);
    const e = clockOn(day, b[3]!, b[4]);
    if (s !== undefined && e !== undefined && e > s) return { window: { start: s, end: e } };
  }
  const m = SINCE.exec(question);
  if (m) {
    const s = clockOn(day, m[1]!, m[2]);
    // A time outside the data (another day or time zone) says nothing about it: keep the defaults.
    if (s !== undefined && s < end && s >= d.window.start) {
      // "since 08:43" has minute precision: a recorded incident start within that minute is the same moment.
      const start = d.incident && Math.abs(d.incident.start - s) < 60_000 ? d.incident.start : s;
      return { window: { start, end } };
    }
  }
  const l = LAST.exec(question);
  if (l) {
    const n = Number(l[1]);
    const unit = l[2]!.toLowerCase();
    const ms = n * (/^(h|hour|heure|hora|stunde)/.test(unit) ? 3_600_000 : 60_000);
    if (ms > 0) return { window: { start: end - ms, end } };
  }
  return {};
}

/** The baseline for a window: the part of the default window before it (same length at most), else the same length just before. */
function baselineFor(window: TimeRange, sources: Sources): TimeRange {
  const d = sources.defaults;
  const len = window.end - window.start;
  if (d.baseline && d.baseline.end <= window.start) return d.baseline;
  // A recorded baseline that runs into the window still knows which earlier stretch is clean: keep its part before the window.
  if (d.baseline && d.baseline.start < window.start) return { start: d.baseline.start, end: window.start };
  const dataStart = d.window.start;
  if (dataStart < window.start) return { start: Math.max(dataStart, window.start - len), end: window.start };
  return precedingRange(window);
}

export function resolveInvestigationScope(sources: Sources, question: string, opts: { window?: TimeRange; baseline?: TimeRange }): Scope {
  if (opts.window) return { window: opts.window, baseline: opts.baseline ?? baselineFor(opts.window, sources), from: 'options' };
  const q = timesFromQuestion(question, sources);
  if (q.window) return { window: q.window, baseline: opts.baseline ?? baselineFor(q.window, sources), from: 'question' };
  const d = sources.defaults;
  const window = d.incident ?? d.window;
  const baseline = opts.baseline ?? d.baseline ?? (d.incident && d.incident.start > d.window.start ? { start: d.window.start, end: d.incident.start } : precedingRange(window));
  return { window, baseline, from: 'defaults' };
}
