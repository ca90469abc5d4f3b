// A finding's numbers and details as the reports show them (Markdown and HTML alike): each number with
// its label in the report language, and the details that are telemetry, verbatim.
import type { Finding } from './findings.js';
import { strings, trValue } from './i18n.js';
import { formatKeyed, formatQuantity } from './format.js';

/** Details whose values are our own words, not telemetry (a metric finding's signal: latency, errors,
 * resource): shown with a label and the value in the report language; the structured field keeps the word. */
const WORD_DETAILS = ['signal'];

const shown = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Label and formatted value of each number, after the word details. */
export function numberEntries(f: Finding, lang: string): Array<{ label: string; value: string }> {
  const s = strings(lang);
  const words = WORD_DETAILS.filter((k) => shown(f.details?.[k])).map((k) => ({ label: s.numbers[k] ?? k, value: trValue(lang, String(f.details![k])) }));
  // A `<key>_text` string is the producer's own rendering of `<key>` (e.g. "0.215 cores"): shown when the
  // finding gives no unit for `<key>` (with a unit, the report writes it in the reader's locale).
  const numbers = Object.entries(f.numbers)
    .filter(([k, v]) => shown(v) && !(k.endsWith('_text') && k.slice(0, -5) in f.numbers))
    .map(([k, v]) => {
      const unit = f.units?.[k];
      const text = f.numbers[`${k}_text`];
      const value = unit !== undefined && typeof v === 'number' ? formatQuantity(v, unit, lang) : typeof text === 'string' ? text : formatKeyed(k, v, lang);
      // A suspect finding's numbers are its score parts.
      return { label: s.numbers[k] ?? s.score_parts[k] ?? k.replace(/_/g, ' '), value };
    });
  return [...words, ...numbers];
}

/** The details shown verbatim (telemetry: names, attributes, statements), at most eight. */
export function verbatimDetails(f: Finding): Array<[string, string]> {
  return Object.entries(f.details ?? {})
    .filter(([k, v]) => shown(v) && !WORD_DETAILS.includes(k))
    .slice(0, 8)
    .map(([k, v]) => [k, String(v)]);
}
