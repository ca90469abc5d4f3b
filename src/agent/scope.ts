// Scope of an investigation: the window and baseline, from explicit options, else from times written in
// the question ("since 10:04", "depuis 10h", "desde las 10:04", "seit 10 Uhr", "dalle 10", "od 10:00",
// "с 10:00", "10時から", "从10点开始", "10시부터", "10:04'ten beri", "sedan 10:04", "din 10:04", "από τις 10:04", "منذ 10:04", "מאז 10:04",
// "10:04 से", "từ 10:04", "sejak 10:04", "ตั้งแต่ 10:04", "last 15 minutes", or one HH:MM alone), read relative
// to the sources' defaults, else the sources' defaults themselves. Boundaries are written as "not a
// letter or digit" because \b only knows ASCII letters (Cyrillic and CJK words have none).
import type { Sources, TimeRange } from '../sources/types.js';
import { precedingRange } from '../util/time.js';

export interface Scope {
  window: TimeRange;
  baseline?: TimeRange;
  /** How the scope was chosen, for the report. */
  from: 'options' | 'question' | 'defaults';
}

// Word start: not after a letter of an alphabet or a digit (CJK writes words without spaces: "从10点").
// Thai is left out: it writes words without spaces ("ล้มเหลวตั้งแต่ 10:04"), like CJK.
const NB = String.raw`(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Devanagari}\p{N}])`;
const NA = String.raw`(?![\p{L}\p{N}])`; // word end, Unicode-aware
// HH:MM, HHhMM, and HH.MM (Finnish, Danish, Thai, Indonesian write "klo 10.04", "10.04 น."); an hour alone
// with an hour word ("10 Uhr", "10 hodin", "10 बजे"); or an hour before a zone.
const CLOCK = String.raw`(\d{1,2})(?:\s*[:：h]\s*(\d{2})|\.(\d{2})(?![\d.])|\s*(?:h|uhr|uur|ч|godz\.?|hod(?:in[ay]?|\.)?|óra|बजे|น\.)${NA}|\s*(?:時|点|點|시)|(?=\s*(?:utc|gmt|z)\b))?`;
// A word or phrase before the time ("since", "depuis", "dalle", "od", "с", "从")…
// Words for the hour that may stand between them ("depuis les", "dalle ore", "sedan kl.", "de la ora",
// "από τις", "منذ الساعة", "מהשעה", "từ lúc", "sejak pukul", "ตั้งแต่เวลา").
const SINCE = new RegExp(
  String.raw`${NB}(?:since|from|after|depuis|à partir de|desde(?: las?| as| a)?|a partir de(?: las?| das)?|seit|ab|dalle|dalla|dal|dopo le|sinds|vanaf|od|от|с|со|після|від|з|із|从|自|sedan|från|efter|siden|fra|etter|din|de la|începând cu|după|από|μετά|منذ|ابتداء من|ابتداءً من|من|بعد|מאז|החל מ-?|מ-|מ(?=השעה)|אחרי|kể từ|từ|sau|sejak|mulai|dari|setelah|ตั้งแต่|หลังจาก)\s*(?:(?:les?|las?|the|ore|godziny|godz\.|saat|kl\.?|klockan|klo|kello|ora|τις|الساعة|השעה|lúc|pukul|jam|เวลา)\s*)?${CLOCK}`,
  'iu',
);
// …or a postposition after it (Japanese, Chinese, Korean, Turkish).
// Hindi "10:04 से", "10 बजे के बाद"; Finnish "klo 10.04 lähtien/alkaen/jälkeen"; Hungarian "10:04 óta",
// "10:04-től", "10 órától".
const SINCE_AFTER = new RegExp(
  String.raw`${NB}(?:(?:klo|kello)\s*)?${CLOCK}(?:\s*बजे)?\s*(?:['’]?(?:[dt][ae]n)\s+(?:beri|itibaren)|から|以降|以来|起|开始|開始|부터|이후|से${NA}|के बाद|lähtien|alkaen|jälkeen|óta|-?t[óő]l${NA}|órától)`,
  'iu',
);
const BETWEEN = new RegExp(String.raw`\b(?:between|entre|zwischen)\s+(?:(?:les?|las?)\s+)?${CLOCK}\s*(?:and|et|y|und)\s+(?:(?:les?|las?)\s+)?${CLOCK}`, 'iu');
// A clock time alone (HH:MM), in a language whose "since" the patterns above do not know ("sedan 10:04",
// "منذ 10:04", "sejak 10:04"): one such time in a question about an incident is its start.
const LONE_CLOCK = /(?<![\d:：])(\d{1,2})[:：](\d{2})(?![\d:：])/gu;
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
    const s = clockOn(day, b[1]!, b[2] ?? b[3]);
    const e = clockOn(day, b[4]!, b[5] ?? b[6]);
    if (s !== undefined && e !== undefined && e > s) return { window: { start: s, end: e } };
  }
  const lone = [...question.matchAll(LONE_CLOCK)];
  const m = SINCE.exec(question) ?? SINCE_AFTER.exec(question) ?? (lone.length === 1 ? lone[0]! : null);
  if (m) {
    const s = clockOn(day, m[1]!, m[2] ?? m[3]);
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
