// The demo incident's report rendered in every catalogue language: each carries its own catalogue's
// words and none of another catalogue's. The playbook runs once (findings do not depend on the language);
// each language then gets its hints and its rendering, as the playbook would produce them.
import { beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runPlaybook } from '../../src/agent/playbook.js';
import { renderJson, renderMarkdown } from '../../src/agent/report.js';
import { loadCatalogue, resolveHints } from '../../src/agent/hints.js';
import { strings, tr } from '../../src/agent/i18n.js';
import { SUPPORTED_LANGS, type Lang } from '../../src/agent/language.js';
import type { Report } from '../../src/agent/findings.js';
import { formatNumber } from '../../src/agent/format.js';
import { SCORE_PARTS } from '../../src/analysis/suspects/score-parts.js';

const BUNDLE = new URL('../../evals/incidents/demo-checkout', import.meta.url).pathname;
let base: Report;

beforeAll(async () => {
  const sources = await openBundle(BUNDLE);
  base = await runPlaybook(sources, 'Why are orders failing since 10:00?', { lang: 'en' });
}, 120_000);

function reportIn(lang: string, askedLang = lang): string {
  const findings = structuredClone(base.findings);
  return renderMarkdown({ ...base, findings, lang, askedLang, hints: resolveHints(findings, lang) });
}

/** Every string of a catalogue: report strings and hint texts. */
function catalogueTexts(lang: Lang): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  const own = strings(lang);
  walk(lang === 'en' ? own : { ...own, no_catalogue: undefined });
  for (const h of loadCatalogue()) walk(h.def.text[lang]);
  return out;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Literal pieces of a catalogue's strings long enough to be telling (placeholders split them). */
function fragments(lang: Lang): string[] {
  return catalogueTexts(lang)
    .flatMap((s) => s.split(/\{\w+\}/))
    .map((s) => s.replace(/^[\s\p{P}×→—]+|[\s\p{P}×→—]+$/gu, ''))
    .filter((s) => (CJK.test(s) ? s.length >= 2 : s.length >= 10 && /\s/.test(s)));
}

/** The report without telemetry, code and queries: what is left is the catalogue's words and numbers. */
function prose(md: string): string {
  return md
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .split('\n')
    .filter((l) => !l.startsWith('> ')) // the question
    .map((l) => (l.startsWith('|') ? l.split('|').slice(0, -2).join('|') : l)) // the suspects' evidence column quotes log lines
    .join('\n');
}

/** Pieces of other catalogues found in a report's prose, as `lang: piece`. */
function foreignIn(md: string, lang: Lang): string[] {
  const text = prose(md);
  const own = catalogueTexts(lang);
  return SUPPORTED_LANGS.filter((l) => l !== lang)
    .flatMap((l) => fragments(l).map((f) => ({ l, f })))
    .filter(({ f }) => !own.some((o) => o.includes(f))) // words the two languages share are not foreign
    .filter(({ f }) => text.includes(f))
    .map(({ l, f }) => `${l}: ${f}`);
}

describe('the demo report in every catalogue language', () => {
  it.each(SUPPORTED_LANGS)('%s: its own catalogue strings, formatted numbers and hints', (lang) => {
    const md = reportIn(lang);
    for (const key of ['title', 'summary', 'suspects', 'findings', 'hints', 'mode_playbook', 'kind_error', 'kind_latency', 'kind_hot-function', 'kind_log-pattern', 'kind_metric-anomaly', 'explanation', 'fix', 'summary_suspect'])
      expect(md, `${lang} ${key}`).toContain(tr(lang, key));
    const s = strings(lang);
    for (const key of ['share_of_requests', 'first_seen', 'per_second', 'slow_threshold_ms']) expect(md, `${lang} numbers.${key}`).toContain(s.numbers[key]);
    expect(md).toContain(s.values.new); // a log pattern's status
    expect(md).toContain(tr(lang, 'cause_lock')); // what sits under the hot function
    expect(md).toContain(tr(lang, 'unit_cores', { n: '' }).replace(/\s+$/, '').replace(/^\s+/, '').split(' ').filter(Boolean)[0]!); // cores, in words
    const hint = loadCatalogue().find((h) => h.def.id === 'unique-constraint')!.def.text[lang];
    expect(md).toContain(hint.title);
    expect(md).toContain(hint.fix);
    expect(md).not.toContain(tr('en', 'no_catalogue', { language: '', code: '' }).slice(0, 20));
  });

  it('labels every number of every finding, and keeps generated sentences out of the verbatim details', () => {
    const labels = strings('en').numbers;
    const values = strings('en').values;
    // A `<key>_text` number is the producer's English rendering for JSON readers, not shown beside its key.
    // A key without a label would show as English words in every language.
    const unlabelled = base.findings.flatMap((f) => Object.keys(f.numbers).filter((k) => !k.endsWith('_text') && !(k in labels)).map((k) => `${f.kind}: ${k}`));
    expect(unlabelled).toEqual([]);
    expect(base.findings.some((f) => 'growth_p_adjusted' in f.numbers)).toBe(true); // the profile step's growth test ran
    // String numbers are flags and states the report translates, ISO times, or a log level as the logs write it.
    const iso = /^\d{4}-\d\d-\d\dT/;
    const states = base.findings.flatMap((f) => Object.entries(f.numbers).filter(([k, v]) => typeof v === 'string' && k !== 'level' && !k.endsWith('_text') && !iso.test(v) && !(v in values)).map(([k, v]) => `${k}=${v}`));
    expect(states).toEqual([]);
    // Details are shown verbatim in every language: telemetry (attribute=value, names, statements), no English prose.
    const hot = base.findings.find((f) => f.kind === 'hot-function' && f.numbers.growth_verdict !== undefined)!;
    expect(hot.numbers.growth_verdict).toBe('grew');
    expect(Object.keys(hot.details ?? {})).not.toContain('growth_test');
    const sep = base.findings.filter((f) => f.details?.separating_attribute);
    expect(sep.length).toBeGreaterThan(0);
    for (const f of sep) {
      expect(f.details!.separating_attribute).toMatch(/^[\w.]+=[^()]+$/);
      expect(Number(f.numbers.separating_share_selected)).toBeGreaterThan(Number(f.numbers.separating_share_others));
    }
  });

  it.each(SUPPORTED_LANGS)('%s: no string from another catalogue outside telemetry and code', (lang) => {
    expect(foreignIn(reportIn(lang), lang)).toEqual([]);
  });

  it('would notice a string from another catalogue', () => {
    expect(fragments('fr').length).toBeGreaterThan(150);
    expect(foreignIn(reportIn('ja') + '\n- Service le plus suspect', 'ja')).toContain('fr: Service le plus suspect');
    expect(foreignIn(reportIn('ru') + '\n- Найнавантаженіша функція', 'ru')).toContain('uk: Найнавантаженіша функція');
    expect(foreignIn(reportIn('zh') + '\n- 最も遅いスパン', 'zh').some((x) => x.startsWith('ja: '))).toBe(true);
  });

  it.each(SUPPORTED_LANGS)('%s: a changed code path (a fault that raised no error) under its own heading and in the summary', (lang) => {
    const codePath: Report['findings'][number] = {
      kind: 'code-path',
      service: 'checkoutservice',
      title: 'per "PlaceOrder" request, "op Charge" 1.00 → 0.00 times',
      message: [{ key: 'msg_code_path_less', args: { entry: 'PlaceOrder', event: 'call paymentservice Charge', before: 1, after: 0 }, parts: { event: { key: 'tok_call', args: { name: 'Charge', service: 'paymentservice' } } } }],
      numbers: { per_request_before: 1, per_request_after: 0, requests: 120, z: -11 },
      evidence: { query: { language: 'traceql', text: '{ resource.service.name = "checkoutservice" && name = "PlaceOrder" }' } },
      score: 1,
    };
    const findings = [...structuredClone(base.findings).filter((f) => f.kind !== 'error'), codePath];
    const md = renderMarkdown({ ...base, findings, lang, askedLang: lang, hints: resolveHints(findings, lang) });
    expect(md).toContain(tr(lang, 'kind_code-path'));
    expect(md).toContain(tr(lang, 'summary_code_path'));
    expect(md).toContain(strings(lang).numbers.per_request_before);
    // The translated line's own words (after the placeholders; the values are telemetry).
    const words = tr(lang, 'msg_code_path_less', { entry: '\u0000', event: '\u0000', before: '\u0000', after: '\u0000' }).split('\u0000').pop()!.trim();
    expect(words.length).toBeGreaterThan(3);
    expect(md).toContain(words);
    // (A right-to-left report isolates the quoted names with U+2068/U+2069.)
    expect(md.replace(/[\u2068\u2069]/g, '')).toContain(tr(lang, 'tok_call', { name: 'Charge', service: 'paymentservice' }));
    expect(md).not.toMatch(/\{\w+\}/);
    expect(foreignIn(md, lang as Lang)).toEqual([]);
  });

  /** The suspects table's "score parts" cells, one per suspect. */
  const partsCells = (md: string) =>
    md
      .split('\n')
      .filter((l) => /^\| \d+ \| `/.test(l))
      .map((l) => l.split(' | ')[3]!);

  it.each(SUPPORTED_LANGS)('%s: the suspects table names score parts in the report language, the JSON keeps the identifiers', (lang) => {
    const md = reportIn(lang);
    const cells = partsCells(md);
    expect(cells).toHaveLength(Math.min(5, base.suspects.length));
    const labels = strings(lang).score_parts;
    // Every part of the demo's suspects is one the catalogues label.
    const produced = [...new Set(base.suspects.flatMap((s) => Object.keys(s.parts)))];
    expect(produced.filter((p) => !(SCORE_PARTS as readonly string[]).includes(p))).toEqual([]);
    expect(produced.length).toBeGreaterThan(8);
    // No identifier is left (English "metrics" is both its identifier and its label).
    for (const cell of cells) expect(SCORE_PARTS.filter((p) => new RegExp(`(^|[^\\p{L}_])${p}($|[^\\p{L}_])`, 'u').test(cell) && labels[p] !== p)).toEqual([]);
    // Each suspect's parts, labelled, strongest first.
    for (const [i, s] of base.suspects.slice(0, 5).entries()) {
      const expected = Object.entries(s.parts)
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([k, v]) => `${labels[k]} ${formatNumber(v, lang)}`)
        .join(tr(lang, 'parts_separator'));
      expect(cells[i]).toBe(expected);
    }
    // Machine output keeps the identifiers.
    const json = JSON.parse(renderJson({ ...base, lang })) as Report;
    expect(json.suspects[0]!.parts).toEqual(base.suspects[0]!.parts);
  });

  it('French, Japanese and English suspects tables read as their language', () => {
    const own = base.suspects[0]!.parts.own_errors!;
    expect(own).toBeGreaterThan(0);
    expect(partsCells(reportIn('fr'))[0]).toContain(`erreurs propres ${formatNumber(own, 'fr')}\u00a0; `);
    expect(partsCells(reportIn('ja'))[0]).toContain(`自身のエラー ${formatNumber(own, 'ja')}、`);
    expect(partsCells(reportIn('en'))[0]).toContain(`own errors ${formatNumber(own, 'en')}, `);
    for (const lang of ['fr', 'ja']) expect(partsCells(reportIn(lang)).join(' ')).not.toMatch(/[a-z]_[a-z]/);
  });

  it.each(SUPPORTED_LANGS)('%s: a metric finding\'s signal is a label and a word of the report language; the structured field keeps the word', (lang) => {
    const metrics = base.findings.filter((f) => f.kind === 'metric-anomaly');
    expect(metrics.map((f) => f.details?.signal).sort()).toEqual(expect.arrayContaining(['errors', 'latency', 'resource']));
    const md = reportIn(lang);
    const s = strings(lang);
    for (const signal of ['errors', 'latency', 'resource']) expect(md).toContain(`- ${s.numbers.signal}: **${s.values[signal]}**`);
    expect(md).not.toMatch(/signal=`/);
    const json = JSON.parse(renderJson({ ...base, lang })) as Report;
    expect(json.findings.filter((f) => f.kind === 'metric-anomaly').map((f) => f.details?.signal)).toEqual(metrics.map((f) => f.details?.signal));
  });

  it('writes numbers and dates the locale way', () => {
    expect(reportIn('fr')).toMatch(/3 juin 2025/);
    expect(reportIn('de')).toMatch(/03\.06\.2025/);
    expect(reportIn('pl')).toMatch(/3 cze 2025/);
    expect(reportIn('ja')).toMatch(/2025\/06\/03/);
    expect(reportIn('tr')).toMatch(/%\d/); // Turkish puts the percent sign first
    expect(reportIn('it')).toMatch(/\d,\d+ ms/); // decimal comma
    // Digits stay 0-9 and years Gregorian, to be compared with the telemetry and queries beside them.
    expect(reportIn('ar')).not.toMatch(/[\u0660-\u0669\u06F0-\u06F9]/);
    expect(reportIn('hi')).not.toMatch(/[\u0966-\u096F]/);
    expect(reportIn('th')).not.toMatch(/[\u0E50-\u0E59]|2568/);
    expect(reportIn('th')).toMatch(/3 มิ\.ย\. 2025/);
    expect(reportIn('cs')).toMatch(/\d,\d+ ms/);
  });

  it('writes a language without a catalogue in English, with one English line naming it', () => {
    const md = reportIn('en', 'sk');
    expect(md).toContain('Language of the question: Slovak (sk). There is no report catalogue for it yet, so this report is in English.');
    expect(md).toContain(tr('en', 'title'));
    expect(md.match(/Language of the question/g)).toHaveLength(1);
    expect(reportIn('en')).not.toContain('Language of the question');
  });
});
