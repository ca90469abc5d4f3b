// A suspect's score parts as the report shows them: short labels in the report language (catalogue
// `score_parts`), strongest first. Machine outputs keep the identifiers (`Suspect.parts` keys).
import { strings, tr } from './i18n.js';
import { formatNumber } from './format.js';
import { textDirection } from './lang-codes.js';

/** The label of a score part; a part no catalogue knows yet shows as its identifier. */
export function partLabel(name: string, lang: string): string {
  const label = strings(lang).score_parts[name];
  if (label !== undefined) return label;
  // An English identifier inside a right-to-left line is isolated, so its underscores and the number
  // after it keep their order.
  return textDirection(lang) === 'rtl' ? `\u2068${name}\u2069` : name;
}

/** Each part as "label value" and the separator after it (none after the last), strongest first (ties by
 * name, for a stable report). The HTML keeps each part on one line; the Markdown joins them. */
export function scorePartItems(parts: Record<string, number>, lang: string): Array<{ text: string; separator: string }> {
  const separator = tr(lang, 'parts_separator');
  return Object.entries(parts)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v], i, all) => ({ text: `${partLabel(k, lang)} ${formatNumber(v, lang)}`, separator: i < all.length - 1 ? separator : '' }));
}

/** "own errors 9.6, new error kinds 6.4, …" */
export function scorePartsText(parts: Record<string, number>, lang: string): string {
  return scorePartItems(parts, lang)
    .map((p) => p.text + p.separator)
    .join('');
}
