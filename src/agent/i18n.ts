// Report strings: prompts/i18n/<lang>.json, one catalogue per language with the same keys and the
// same `{name}` placeholders (test/agent/catalogues.test.ts holds them to it). English fills a key a
// catalogue lacks, so a missing translation shows as English rather than as a raw key.
// Kept apart from report.ts so number formatting (format.ts) can name units without a cycle.
import { readPrompt } from './assets.js';
import { catalogueLang } from './lang-codes.js'; // not language.js: its detector tables cost ~0.2 s to load

export type Strings = Record<string, unknown> & { numbers: Record<string, string>; values: Record<string, string>; score_parts: Record<string, string> };

const cache = new Map<string, Strings>();

function load(lang: string): Strings {
  const s = JSON.parse(readPrompt(`i18n/${lang}.json`)) as Partial<Strings>;
  return { ...s, numbers: s.numbers ?? {}, values: s.values ?? {}, score_parts: s.score_parts ?? {} } as Strings;
}

/** The strings of `lang`'s catalogue (English for a language without one), English underneath. */
export function strings(lang: string): Strings {
  const l = catalogueLang(lang);
  let s = cache.get(l);
  if (!s) {
    const en = load('en');
    const own = l === 'en' ? en : load(l);
    s = { ...en, ...own, numbers: { ...en.numbers, ...own.numbers }, values: { ...en.values, ...own.values }, score_parts: { ...en.score_parts, ...own.score_parts } };
    cache.set(l, s);
  }
  return s;
}

/** Fill `{name}` placeholders; an unknown name stays visible as `{name}`. */
export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** A localised string with `{name}` placeholders filled (the key itself when no catalogue has it). */
export function tr(lang: string, key: string, vars: Record<string, string | number> = {}): string {
  const v = strings(lang)[key];
  return fill(typeof v === 'string' ? v : key, vars);
}

/** A data value that has a word in every language (yes/no, new, surging…), else the value verbatim. */
export function trValue(lang: string, value: string): string {
  return strings(lang).values[value] ?? value;
}

/** Items joined the way the language lists them ("a, b and c", "a、b、c"). */
export function joinList(items: string[], locale: string): string {
  if (items.length < 2) return items.join('');
  try {
    return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', '); // an Intl without ListFormat: the plain comma is still readable
  }
}
