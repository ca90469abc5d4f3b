// The languages Queryless has report catalogues for, and how a code maps to one. Kept apart from
// language.ts (which loads eld's n-gram tables, ~0.2 s) so a tool schema can list them for free.

/** Languages the report strings (prompts/i18n/<lang>.json) and the hint catalogue are translated into. */
export const SUPPORTED_LANGS = [
  'en', 'fr', 'es', 'de', 'it', 'pt', 'nl', 'pl', 'ja', 'zh', 'ko', 'ru', 'uk', 'tr',
  'ar', 'hi', 'sv', 'cs', 'ro', 'el', 'he', 'vi', 'id', 'th', 'da', 'fi', 'hu', 'nb',
] as const;
export type Lang = (typeof SUPPORTED_LANGS)[number];

export function isSupportedLang(l: string): l is Lang {
  return (SUPPORTED_LANGS as readonly string[]).includes(l);
}

/** The catalogue a report in `lang` is written from: its own, or English when it has none. */
export function catalogueLang(lang: string | undefined): Lang {
  const base = canonicalLang(baseCode(lang ?? ''));
  return isSupportedLang(base) ? base : 'en';
}

export function baseCode(code: string): string {
  return code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}


/** Languages written right to left: their HTML report sets dir="rtl" (code, queries and ids stay ltr). */
const RTL_LANGS = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ug', 'dv']);

export function textDirection(lang: string): 'rtl' | 'ltr' {
  return RTL_LANGS.has(baseCode(lang)) ? 'rtl' : 'ltr';
}

/** Codes that name a language whose catalogue goes by another code: Norwegian ("no", what eld detects and
 * what many users type) is written Bokmål (nb) by most of its readers. */
const ALIASES: Record<string, string> = { no: 'nb' };

export function canonicalLang(code: string): string {
  return ALIASES[code] ?? code;
}
