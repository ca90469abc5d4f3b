// The report language: detected from the question with eld (Nito-ELD, pure JS n-grams, offline),
// chosen over tinyld, franc-min, languagedetect and lande on short incident questions
// (test/agent/fixtures/lang-questions.json; numbers in test/agent/language.test.ts). The extra-small
// n-gram set loads in a third of the medium one's time and scored the same (40/40 here, 112/112 on the
// Nezha bundles' questions in en/fr/es/de).
import { eld } from 'eld/extrasmall';

/** Languages the report templates and the hint catalogue are translated into. */
export const SUPPORTED_LANGS = ['en', 'fr', 'es', 'de'] as const;
export type Lang = (typeof SUPPORTED_LANGS)[number];

export function isSupportedLang(l: string): l is Lang {
  return (SUPPORTED_LANGS as readonly string[]).includes(l);
}

/** Normalise a user-given code ("FR", "fr-CA", "fr_FR") to a supported language, or undefined. */
export function normaliseLang(code: string | undefined): Lang | undefined {
  if (!code) return undefined;
  const base = code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isSupportedLang(base) ? base : undefined;
}

/**
 * Detect the question's language among the supported ones. Times, ids and service names are stripped
 * first (they carry no language); when the detector's best guess is unsupported, the best-scoring
 * supported language wins; English when nothing is left to judge.
 */
export function detectLanguage(question: string): Lang {
  const text = question
    .replace(/\b\d{1,2}[:h]\d{2}\b/g, ' ')
    .replace(/[\w.-]*[_/.][\w./-]*/g, ' ') // identifiers, paths, dotted names
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length < 3) return 'en';
  const res = eld.detect(text);
  if (isSupportedLang(res.language)) return res.language;
  const scores = res.getScores();
  let best: Lang = 'en';
  let bestScore = 0;
  for (const l of SUPPORTED_LANGS) {
    const s = scores[l] ?? 0;
    if (s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  return best;
}

/** BCP 47 locale for Intl formatting. */
export function localeOf(lang: string): string {
  return { en: 'en-GB', fr: 'fr-FR', es: 'es-ES', de: 'de-DE' }[lang] ?? 'en-GB';
}
