import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalogue, compileCatalogue, languageFiles } from '../../src/agent/hints.js';
import { SUPPORTED_LANGS } from '../../src/agent/language.js';
import { fill, strings } from '../../src/agent/i18n.js';
import { localisePartial, templateRegExp } from '../../src/agent/partial.js';
import { readPrompt } from '../../src/agent/assets.js';
import { SCORE_PARTS } from '../../src/analysis/suspects/score-parts.js';
import { WEIGHTS } from '../../src/analysis/suspects/rank.js';

/** Keys only English has: the line saying a language has no catalogue is written in English on purpose. */
const ENGLISH_ONLY = new Set(['no_catalogue']);

function flat(o: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') for (const [kk, vv] of flat(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(prefix + k, String(v));
  }
  return out;
}
const raw = (l: string) => flat(JSON.parse(readFileSync(new URL(`../../prompts/i18n/${l}.json`, import.meta.url), 'utf8')) as Record<string, unknown>);
const placeholders = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].sort();

describe('report catalogues (prompts/i18n/<lang>.json)', () => {
  const en = raw('en');

  it.each(SUPPORTED_LANGS.filter((l) => l !== 'en'))('%s has every key, no other key, and the same placeholders', (lang) => {
    const own = raw(lang);
    expect([...en.keys()].filter((k) => !own.has(k) && !ENGLISH_ONLY.has(k))).toEqual([]);
    expect([...own.keys()].filter((k) => !en.has(k))).toEqual([]);
    const wrong = [...own].filter(([k, v]) => placeholders(v).join() !== placeholders(en.get(k)!).join()).map(([k]) => k);
    expect(wrong).toEqual([]);
  });

  it.each(SUPPORTED_LANGS.filter((l) => l !== 'en'))('%s is a translation, not an English copy', (lang) => {
    const own = raw(lang);
    // Sentences (four words or more) are never left in English; short labels may be the same words in
    // both languages (French "Question", "Service"; Italian and Dutch "p90 per span"; "JSON", "crypto/TLS").
    const copied = [...own].filter(([k, v]) => v === en.get(k) && v.replace(/\{\w+\}/g, '').trim().split(/\s+/).length >= 4).map(([k]) => k);
    expect(copied).toEqual([]);
    const same = [...own].filter(([k, v]) => v === en.get(k)).length;
    expect(same / own.size).toBeLessThan(0.15);
  });
});

describe('score part labels (score_parts in every catalogue)', () => {
  // rank.ts types its parts as SCORE_PARTS, so a new part cannot be produced without being listed there,
  // and then this test asks every catalogue for its label.
  it('names every weighted part', () => {
    expect(Object.keys(WEIGHTS).filter((k) => !(SCORE_PARTS as readonly string[]).includes(k))).toEqual([]);
  });

  it.each(SUPPORTED_LANGS)('%s labels every part the ranking can produce, briefly and distinctly', (lang) => {
    const own = (JSON.parse(readPrompt(`i18n/${lang}.json`)) as { score_parts?: Record<string, string> }).score_parts ?? {};
    expect(SCORE_PARTS.filter((p) => !own[p]?.trim())).toEqual([]);
    expect(Object.keys(own).filter((k) => !(SCORE_PARTS as readonly string[]).includes(k))).toEqual([]);
    const labels = SCORE_PARTS.map((p) => own[p]!);
    expect(labels.filter((l) => /_/.test(l) || [...l].length > 32)).toEqual([]); // the table is dense
    expect(new Set(labels).size).toBe(labels.length); // two parts with one label could not be told apart
  });
});

describe('hint catalogue texts', () => {
  it('has every hint in every catalogue language, and not in English where it is not English', () => {
    const cat = loadCatalogue();
    for (const h of cat) {
      for (const l of SUPPORTED_LANGS) {
        const t = h.def.text[l];
        expect(t.title.length, `${h.def.id} ${l}`).toBeGreaterThan(3); // 连接池耗尽 is five characters
        expect(t.fix.length, `${h.def.id} ${l}`).toBeGreaterThan(15);
        if (l !== 'en') expect(t.explanation, `${h.def.id} ${l}`).not.toBe(h.def.text.en.explanation);
      }
    }
  });

  it('refuses a language file naming an unknown hint, and a hint missing a language', () => {
    const yaml = readPrompt('hints.yaml');
    const files = languageFiles();
    expect(() => compileCatalogue(yaml, { ...files, it: 'no-such-hint: {title: a, explanation: b, fix: c}\n' })).toThrow(/no hint "no-such-hint"/);
    const { pl: _dropped, ...withoutPolish } = files;
    expect(() => compileCatalogue(yaml, withoutPolish)).toThrow(/has no text in pl/);
  });
});

describe('"Not covered" lines', () => {
  const lines = strings('en').partial_lines as Record<string, string>;
  const sample: Record<string, string> = { time: '2025-06-03T10:04:00.000Z', t: '7.5', from: '2025-06-03T10:00:00.000Z', to: '2025-06-03T10:20:00.000Z', start: '2025-06-03T09:00:00.000Z', end: '2025-06-03T09:30:00.000Z', signal: 'logs', step: 'traces', ms: '5000', error: 'HTTP 502 from http://loki:3100', fn: 'LoginCache.Lookup', notes: 'limit 500 traces', service: 'ride', n: '20000', what: 'step' };

  it('every English template reads back its own values', () => {
    for (const [key, text] of Object.entries(lines)) {
      const line = fill(text, sample);
      const m = templateRegExp(text).exec(line);
      expect(m, key).not.toBeNull();
    }
  });

  it.each(SUPPORTED_LANGS.filter((l) => l !== 'en'))('are written in %s, values kept (errors verbatim)', (lang) => {
    const own = strings(lang).partial_lines as Record<string, string>;
    for (const [key, text] of Object.entries(lines)) {
      const out = localisePartial(fill(text, sample), lang);
      expect(out, key).not.toBe(fill(text, sample));
      expect(out.startsWith(own[key]!.split('{')[0]!), key).toBe(true);
      if (text.includes('{error}')) expect(out, key).toContain(sample.error);
    }
  });

  it('leaves a line no template knows verbatim, and matches the real producers', () => {
    expect(localisePartial('traces/a.json: unexpected token at 3:14', 'fr')).toBe('traces/a.json: unexpected token at 3:14');
    expect(localisePartial('logs: no log source (set LOKI_URL or open a bundle with logs/)', 'ja')).toBe('ログ：ログのソースがありません（LOKI_URL を設定するか、logs/ を含むバンドルを開いてください）');
    expect(localisePartial('suspects: no answer within 15000 ms', 'de')).toBe('suspects: keine Antwort innerhalb von 15.000 ms'); // the step name is data
    expect(localisePartial('metrics: could not list metrics (HTTP 500)', 'pl')).toBe('metryki: nie udało się wylistować metryk (HTTP 500)');
  });
});
