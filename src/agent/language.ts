// The language of the question, and the catalogue the report is written from.
//
// Detection answers with the language it detected, never with a neighbour that happens to have a
// catalogue (an Italian question once got a German report because German scored second-best among the
// four translated languages). Choosing the catalogue is a separate, visible step: `catalogueLang`
// falls back to English for a language without one, and the report says so in one line.
//
// Order: the writing system first (Kana → Japanese, Hangul → Korean, Han → Chinese, Greek, Hebrew,
// Thai…; Cyrillic and Arabic scripts are told apart by their letters, then by n-grams among the
// languages written that way), then n-grams over the Latin-script languages eld knows. Before that,
// what carries no language is stripped: URLs, times, dates, hex and UUID ids, dotted/slashed/underscored
// identifiers, service-like hyphenated names and a few tech words every language borrows ("checkout").
// eld (Nito-ELD, pure JS n-grams, offline, 60 languages) with its extra-small n-gram set: it loads in a
// third of the medium set's time and scored the same on our question set (test/fixtures/questions.yaml).
// Its table comes from the build's JSON copy when there is one (eld-data.ts: same data, parsed faster).
import { loadEld } from './eld-data.js';

const eld = await loadEld();

// The catalogue list lives in a module of its own so tool schemas can name it without loading eld.
export { SUPPORTED_LANGS, isSupportedLang, catalogueLang, type Lang } from './lang-codes.js';
import { SUPPORTED_LANGS, baseCode, canonicalLang, catalogueLang, type Lang } from './lang-codes.js';

const englishNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** Language names (English and native, lower-cased) → code, for "French", "français", "日本語"…
 * Built on first use: about 120 Intl.DisplayNames cost ~50 ms, which commands that never name a
 * language should not pay at start-up. */
let nameToCode: Map<string, string> | undefined;
const TWO_LETTERS = /^[a-z]{2}$/;
export function namesToCodes(): Map<string, string> {
  if (nameToCode) return nameToCode;
  const m = new Map<string, string>();
  const codes = new Set<string>([...SUPPORTED_LANGS, ...eldLanguages()]);
  for (const c of codes) {
    for (const names of [englishNames, new Intl.DisplayNames([c], { type: 'language', fallback: 'none' })]) {
      const n = names.of(c);
      if (n) m.set(n.toLowerCase(), c);
    }
  }
  return (nameToCode = m);
}

/**
 * A user-given language ("FR", "fr-CA", "pt_BR", "Italian", "italiano", "日本語") as a lower-case ISO 639
 * code, or undefined when it names no language. Any language is accepted, with or without a catalogue:
 * the agent writes in it, the report says when its catalogue is missing.
 */
export function normaliseLang(code: string | undefined): string | undefined {
  if (!code || !code.trim()) return undefined;
  // A bare two-letter code (what detection gives the playbook) is no language's name — the table has
  // none that short (a test checks) — so it does not need the table, whose building is ~0.1 s cold.
  if (!TWO_LETTERS.test(code)) {
    const byName = namesToCodes().get(code.trim().toLowerCase());
    if (byName) return canonicalLang(byName);
  }
  const base = baseCode(code);
  if (!/^[a-z]{2,3}$/.test(base)) return undefined;
  return englishNames.of(base) ? canonicalLang(base) : undefined;
}

/** "Swedish (svenska)", "Japanese (日本語)", "English": how the agent's prompt names the language. */
export function languageName(lang: string): string {
  const en = englishNames.of(lang) ?? lang;
  let own: string | undefined;
  try {
    own = new Intl.DisplayNames([lang], { type: 'language', fallback: 'none' }).of(lang);
  } catch {
    own = undefined; // not a valid locale for Intl: the English name is enough
  }
  return own && own.toLowerCase() !== en.toLowerCase() ? `${en} (${own})` : en;
}

/** English name only ("Swedish"), for the one English line of a report without its catalogue. */
export function englishName(lang: string): string {
  return englishNames.of(lang) ?? lang;
}

function eldLanguages(): string[] {
  return Object.values((eld.info() as { Languages: Record<string, string> }).Languages);
}

// Scripts that, as used in incident questions, belong to one language (or a family whose members
// eld tells apart among themselves). Han weighs three letters: one character is about a word.
interface ScriptRule {
  re: RegExp;
  weight: number;
  /** The language, or the candidates for eld when several languages share the script. */
  langs: string[];
}
const SCRIPTS: ScriptRule[] = [
  { re: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu, weight: 3, langs: ['ja'] },
  { re: /\p{Script=Hangul}/gu, weight: 3, langs: ['ko'] },
  { re: /\p{Script=Han}/gu, weight: 3, langs: ['zh'] },
  { re: /\p{Script=Cyrillic}/gu, weight: 1, langs: ['ru', 'uk', 'be', 'bg', 'sr'] },
  { re: /\p{Script=Greek}/gu, weight: 1, langs: ['el'] },
  { re: /\p{Script=Arabic}/gu, weight: 1, langs: ['ar', 'fa', 'ur', 'ku'] },
  { re: /\p{Script=Hebrew}/gu, weight: 1, langs: ['he'] },
  { re: /\p{Script=Devanagari}/gu, weight: 1, langs: ['hi', 'mr'] },
  { re: /\p{Script=Thai}/gu, weight: 1, langs: ['th'] },
  { re: /\p{Script=Lao}/gu, weight: 1, langs: ['lo'] },
  { re: /\p{Script=Armenian}/gu, weight: 1, langs: ['hy'] },
  { re: /\p{Script=Georgian}/gu, weight: 1, langs: ['ka'] },
  { re: /\p{Script=Bengali}/gu, weight: 1, langs: ['bn'] },
  { re: /\p{Script=Gurmukhi}/gu, weight: 1, langs: ['pa'] },
  { re: /\p{Script=Gujarati}/gu, weight: 1, langs: ['gu'] },
  { re: /\p{Script=Oriya}/gu, weight: 1, langs: ['or'] },
  { re: /\p{Script=Tamil}/gu, weight: 1, langs: ['ta'] },
  { re: /\p{Script=Telugu}/gu, weight: 1, langs: ['te'] },
  { re: /\p{Script=Kannada}/gu, weight: 1, langs: ['kn'] },
  { re: /\p{Script=Malayalam}/gu, weight: 1, langs: ['ml'] },
  { re: /\p{Script=Ethiopic}/gu, weight: 1, langs: ['am'] },
];

/** The Latin-script languages eld knows: the candidates when no other script dominates. */
const LATIN = ['az', 'ca', 'cs', 'da', 'de', 'en', 'es', 'et', 'eu', 'fi', 'fr', 'hr', 'hu', 'is', 'it', 'lt', 'lv', 'ms', 'nl', 'no', 'pl', 'pt', 'ro', 'sk', 'sl', 'sq', 'sv', 'tl', 'tr', 'vi', 'yo'];

// Words borrowed as-is by every language in incident questions; they only pull short questions towards
// English ("checkout lento?"). Removed only while something else is left to judge.
const TECH_WORDS = new Set(
  'checkout frontend backend gateway service services microservice api apis cache redis kafka postgres postgresql mysql mongodb database db timeout timeouts deploy deployment rollout pod pods node cluster cpu gc oom http https grpc dns tls sql login cart catalog ride payment payments auth endpoint endpoints p50 p90 p95 p99 latency spans span trace traces logs log metrics profile profiles error errors 5xx 4xx 500 502 503 504 ok'.split(' '),
);

/** The question without what carries no language (ids, times, URLs, code-like names). */
export function stripNonLanguage(question: string): string {
  return (
    question
      .replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, ' ') // URLs
      .replace(/(?<!\S)\/[\w\-./{}:]*/g, ' ') // paths and routes (/api/checkout)
      .replace(/`[^`]*`/g, ' ') // inline code
      .replace(/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/gi, ' ') // ISO dates/times
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, ' ') // UUIDs
      .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, ' ') // trace/span ids, hashes
      .replace(/\d{1,2}[:hH.]\d{2}(?::\d{2})?/g, ' ') // 10:04, 10h04, 10.04
      // Identifiers with dots, slashes, underscores, colons or @ (paths, packages, metric names, hosts).
      .replace(/(?<![\p{L}\p{N}])[A-Za-z0-9]*[A-Za-z0-9][_/.:@][A-Za-z0-9_/.:@-]*[A-Za-z0-9]/gu, ' ')
      // Hyphenated service-like names: three parts or more ("ts-order-service"), a digit, or a tech part.
      .replace(/(?<![\p{L}\p{N}'’-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\p{L}\p{N}'’])/gu, (m) => {
        const parts = m.toLowerCase().split('-');
        return parts.length >= 3 || /\d/.test(m) || parts.some((p) => TECH_WORDS.has(p) || p === 'svc' || p === 'srv' || p === 'server') ? ' ' : m;
      })
      // camelCase / PascalCase with an inner capital (LoginCache, getUser), and letters glued to digits (p99, v1).
      .replace(/(?<![\p{L}\p{N}])(?:[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*|\d+[A-Za-z]+)(?![\p{L}\p{N}])/gu, ' ')
      .replace(/\d+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function withoutTechWords(text: string): string {
  const kept = text
    .split(/(?<=\s)|(?=\s)/)
    .filter((w) => !TECH_WORDS.has(w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  return (kept.match(/\p{L}/gu)?.length ?? 0) >= 3 ? kept : text;
}

/** Best language among `candidates` by eld's n-gram scores on `text`; undefined when none scored. */
function bestByNgrams(text: string, candidates: readonly string[]): string | undefined {
  const res = eld.detect(text);
  if (candidates.includes(res.language)) return res.language;
  const scores = res.getScores() as Record<string, number>;
  let best: string | undefined;
  let bestScore = 0;
  for (const l of candidates) {
    const s = scores[l] ?? 0;
    if (s > bestScore) [best, bestScore] = [l, s];
  }
  return best;
}

/** Cyrillic languages by the letters only one of them uses, before n-grams. */
function cyrillicByLetters(text: string): string | undefined {
  if (/[ўЎ]/.test(text)) return 'be';
  if (/[їЇєЄґҐ]/.test(text)) return 'uk';
  if (/[ђЂјЈљЉњЊћЋџЏ]/.test(text)) return 'sr';
  if (/[ыЫэЭёЁ]/.test(text)) return 'ru';
  if (/[іІ]/.test(text)) return 'uk'; // Ukrainian і without Russian ы/э/ё (Belarusian has ў, caught above)
  return undefined;
}

/** Without their own letters, Bulgarian (ъ inside words), Serbian and Belarusian are not guessed from a
 * few n-grams: a short "узкое место" is Russian far more often than Bulgarian. */
function cyrillicCandidates(text: string): string[] {
  return /[\p{L}]ъ[\p{L}]/u.test(text) ? ['ru', 'uk', 'bg'] : ['ru', 'uk'];
}

// Latin letters that only some languages use: when present, the n-grams choose among those languages
// only (short questions otherwise drift to a neighbour: "redis darboğaz mı?" scored Latvian).
const LATIN_LETTERS: Array<[RegExp, string[]]> = [
  [/ə/iu, ['az']],
  [/[ığ]/u, ['tr', 'az']],
  [/ł/iu, ['pl']],
  [/[őű]/iu, ['hu']],
  [/[řůě]/iu, ['cs']],
  [/[șț]/iu, ['ro']],
  [/[¿¡]/u, ['es']],
  [/ñ/iu, ['es', 'tl']],
  [/ß/u, ['de']],
  [/[ãõ]/iu, ['pt', 'vi', 'et']],
  [/[ąę]/iu, ['pl', 'lt']],
  [/[ơưđ\u1EA0-\u1EF9]/iu, ['vi']], // ạ ả ấ ầ ẩ … ự ỳ: Latin Extended Additional holds Vietnamese's tone-marked vowels
  [/ă/iu, ['ro', 'vi']],
  [/[æø]/iu, ['da', 'no']],
  [/å/iu, ['sv', 'da', 'no', 'fi']],
  // Acute í/ú: Slovene, Croatian and the Germanic languages write none ("Je redis úzké hrdlo?" scored Slovene).
  [/[íú]/iu, ['cs', 'sk', 'hu', 'es', 'pt', 'is', 'ca', 'vi', 'it']],
];

// eld knows Malay (ms) but not Indonesian, whose n-grams are nearly the same. The spellings that differ are
// common words: Malay boleh, kerana, sahaja, perkhidmatan, pangkalan (data), kenapa is shared. Without a
// Malay spelling the question is taken as Indonesian, which has about ten times the speakers.
const MALAY_WORDS = /(?<!\p{L})(?:boleh|kerana|sahaja|perkhidmatan|pangkalan|mengapakah|bilakah|semasa|selepas|ralat|pelayan)(?!\p{L})/iu;
function malayOrIndonesian(text: string): string {
  return MALAY_WORDS.test(text) ? 'ms' : 'id';
}

// Danish and Norwegian (Bokmål) share letters and most n-grams; common words are spelled apart (da hvad,
// efter, af, mig, meget, fejl, grund; no hva, etter, av, meg, mye, feil, grunn). When eld answers one of the
// two, the side with more such spellings wins; a tie keeps eld's answer.
const DANISH_WORDS = /(?<!\p{L})(?:hvad|efter|af|mig|dig|sig|meget|nu|fejl\p{L}*|grund\p{L}*|spørgsmål\p{L}*|lige)(?!\p{L})/giu;
const NORWEGIAN_WORDS = /(?<!\p{L})(?:hva|etter|av|meg|deg|seg|mye|nå|feil\p{L}*|grunn\p{L}*|treg\p{L}*|ikkje|spørsmål\p{L}*)(?!\p{L})/giu;
function danishOrNorwegian(text: string, byNgrams: 'da' | 'no'): string {
  const da = text.match(DANISH_WORDS)?.length ?? 0;
  const no = text.match(NORWEGIAN_WORDS)?.length ?? 0;
  return da > no ? 'da' : no > da ? 'no' : byNgrams;
}

// Devanagari: Marathi has ळ and its own auxiliaries (आहे, नाही, मध्ये); without them the question is Hindi,
// whose n-grams eld otherwise confuses with Marathi on short questions ("… का मूल कारण क्या है?" → mr).
function devanagariCandidates(text: string): string[] {
  return /ळ|(?<!\p{L})(?:आहे|आहेत|नाही|मध्ये|काय)(?![\p{L}\p{M}])/u.test(text) ? ['hi', 'mr'] : ['hi'];
}

function latinCandidates(text: string): string[] {
  // Azerbaijani without ə, its most frequent vowel, is Turkish far more often ("503 döndüren kim").
  let out: string[] = /ə/iu.test(text) ? LATIN : LATIN.filter((l) => l !== 'az');
  for (const [re, langs] of LATIN_LETTERS) {
    if (!re.test(text)) continue;
    const narrowed = out.filter((l) => langs.includes(l));
    if (narrowed.length) out = narrowed; // letters that contradict each other (mixed text) are ignored
  }
  return out;
}

export interface Detection {
  /** ISO 639-1 code of the detected language (English when nothing was left to judge). */
  lang: string;
  /** How it was decided: by the writing system, by n-grams, or nothing to judge. */
  by: 'script' | 'ngrams' | 'default';
}

/** The question's language with how it was decided (see the module comment for the order). */
export function detect(question: string): Detection {
  const text = stripNonLanguage(question);
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return { lang: 'en', by: 'default' };
  let top: { rule: ScriptRule; weight: number } | undefined;
  for (const rule of SCRIPTS) {
    const n = text.match(rule.re)?.length ?? 0;
    if (n && (!top || n * rule.weight > top.weight)) top = { rule, weight: n * rule.weight };
  }
  // Latin letters of words that are not borrowed tech words: "Γιατί checkout;" is Greek.
  const latin = text
    .split(/\s+/)
    .filter((w) => !TECH_WORDS.has(w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')))
    .join(' ')
    .match(/\p{Script=Latin}/gu)?.length ?? 0;
  // Another script wins when it outweighs the Latin letters left (service names survive stripping) or
  // when it is a CJK script at all: nobody writes a Latin-language question with two Han characters.
  if (top && (top.weight >= latin || top.rule.weight > 1)) {
    // Han is shared: Japanese mixes it with Kana, so any Kana makes a Han-heavy question Japanese.
    if (top.rule.langs[0] === 'zh' && /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return { lang: 'ja', by: 'script' };
    const only = top.rule.langs.length === 1 ? top.rule.langs[0] : undefined;
    if (only) return { lang: only, by: 'script' };
    const own = text.replace(/[\p{Script=Latin}]+/gu, ' ');
    const byLetters = top.rule.langs.includes('ru') ? cyrillicByLetters(own) : undefined;
    const candidates = top.rule.langs.includes('ru') ? cyrillicCandidates(own) : top.rule.langs.includes('hi') ? devanagariCandidates(own) : top.rule.langs;
    if (candidates.length === 1) return { lang: candidates[0]!, by: 'script' };
    return { lang: byLetters ?? bestByNgrams(own, candidates) ?? candidates[0]!, by: byLetters ? 'script' : 'ngrams' };
  }
  if (latin < 2) return { lang: 'en', by: 'default' };
  const judged = withoutTechWords(text);
  const candidates = latinCandidates(judged);
  const lang = candidates.length === 1 ? candidates[0]! : (bestByNgrams(judged, candidates) ?? 'en');
  const refined = lang === 'ms' ? malayOrIndonesian(judged) : lang === 'da' || lang === 'no' ? danishOrNorwegian(judged, lang) : lang;
  return { lang: canonicalLang(refined), by: candidates.length === 1 ? 'script' : 'ngrams' };
}

/** The question's language code (any language, catalogue or not). */
export function detectLanguage(question: string): string {
  return detect(question).lang;
}

/** BCP 47 locale for Intl formatting. Digits stay Latin (0-9) and the calendar Gregorian in every
 * locale: a report's numbers and dates are compared with the telemetry, the queries and the tools'
 * own output, which all write 0-9 and Gregorian years ("ar-EG" would write ١٢٣, Thai dates would be
 * in the Buddhist era, 2569). Arabic and Hindi get `nu-latn` said outright: their CLDR default can be
 * the native digits depending on region and ICU version. */
const LOCALES: Record<Lang, string> = {
  en: 'en-GB', fr: 'fr-FR', es: 'es-ES', de: 'de-DE', it: 'it-IT', pt: 'pt-BR', nl: 'nl-NL', pl: 'pl-PL', ja: 'ja-JP', zh: 'zh-CN', ko: 'ko-KR', ru: 'ru-RU', uk: 'uk-UA', tr: 'tr-TR',
  ar: 'ar-u-ca-gregory-nu-latn', hi: 'hi-IN-u-nu-latn', sv: 'sv-SE', cs: 'cs-CZ', ro: 'ro-RO', el: 'el-GR', he: 'he-IL', vi: 'vi-VN', id: 'id-ID', th: 'th-TH-u-ca-gregory-nu-latn', da: 'da-DK', fi: 'fi-FI', hu: 'hu-HU', nb: 'nb-NO',
};

export function localeOf(lang: string): string {
  return LOCALES[catalogueLang(lang)];
}
