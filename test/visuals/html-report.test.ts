// The HTML report end to end on the demo incident: one self-contained page in the asker's language,
// every finding with its query and (where one exists) its picture; then the page opened in headless
// Chromium: pictures rendered, nothing logged as an error, no request leaves the page.
// The Chromium part skips itself when no Chromium is installed (.ci/chromium.sh installs it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../../src/commands/context.js';
import { runPlaybook } from '../../src/agent/playbook.js';
import { gatherPictures, renderHtml, type Pictures } from '../../src/agent/html.js';
import type { Report } from '../../src/agent/findings.js';
import { redSeries, SpanCache } from '../../src/agent/pictures.js';
import { checkPage, chromiumPath } from '../../scripts/browser.js';

const BUNDLE = new URL('../../evals/incidents/demo-checkout', import.meta.url).pathname;
/** The suspects table's "score parts" cells as text (each part is a span that does not wrap inside). */
const partsCells = (page: string) =>
  [...page.matchAll(/<tr><td>\d+<\/td><td><code dir="ltr">[^<]+<\/code><\/td><td>[^<]+<\/td><td>((?:<span class="part">[^<]*<\/span>[^<]*)*)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

describe('HTML report (demo incident, French question)', () => {
  let report: Report;
  let pictures: Pictures;
  let html: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'queryless-html-'));
  const file = path.join(dir, 'report.html');

  beforeAll(async () => {
    const { sources } = await setup({ bundle: BUNDLE });
    report = await runPlaybook(sources, 'Pourquoi les commandes échouent-elles depuis 10h ?');
    pictures = await gatherPictures(report, sources);
    html = renderHtml(report, pictures);
    writeFileSync(file, html);
  }, 120_000);

  it('is one self-contained page: no script, no external resource, a CSP that forbids both', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link |<img |<iframe|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html.length).toBeLessThan(1_500_000);
  });

  it('speaks the asker\'s language, in the text and in the pictures', () => {
    expect(html).toContain('<html lang="fr" dir="ltr">');
    expect(html).toContain('Enquête sur l');
    expect(html).toContain('aria-label="Débit, erreurs et durée de checkout"');
    expect(html).toContain('chemin critique');
  });

  it('labels the suspects\' score parts and a metric finding\'s signal in French', () => {
    const page = unescape(html);
    const cells = partsCells(page);
    expect(cells.length).toBe(Math.min(5, report.suspects.length));
    expect(cells[0]).toMatch(/^erreurs propres \d/);
    expect(cells.join(' ')).not.toMatch(/[a-z]_[a-z]/);
    expect(html).toMatch(/<span class="part">erreurs propres [\d,]+\u00a0;<\/span> <span class="part">/);
    expect(page).toMatch(/<dt>signal<\/dt><dd>(erreurs|latence|ressources)<\/dd>/);
    expect(page).not.toMatch(/<b>signal<\/b>/);
  });

  it('opens with the same summary as the Markdown report: the first suspect, the error, the slow span', () => {
    const summary = /<h2>En bref<\/h2>\s*<ul class="summary">([\s\S]*?)<\/ul>/.exec(html)?.[1];
    expect(summary).toBeDefined();
    const items = [...summary!.matchAll(/<li><b><bdi>([^<]+)<\/bdi><\/b>: <code dir="ltr">([^<]+)<\/code>/g)].map((m) => `${unescape(m[1]!)}=${m[2]}`);
    expect(items[0]).toBe(`Service le plus suspect=${report.suspects[0]!.service}`);
    expect(items.some((i) => i.startsWith('Erreur prédominante='))).toBe(true);
    expect(items.length).toBeGreaterThanOrEqual(3);
  });

  it('shows every finding with its native query, and a picture for each kind that has one', () => {
    expect(report.findings.length).toBeGreaterThan(3);
    const page = unescape(html);
    for (const f of report.findings) if (f.evidence.query) expect(page).toContain(f.evidence.query.text);
    const kinds = new Set([...pictures.byFinding.keys()].map((i) => report.findings[i]!.kind));
    expect([...kinds].sort()).toEqual(['error', 'hot-function', 'latency', 'metric-anomaly']);
    expect(pictures.services.length).toBeGreaterThan(0);
    // Flame graph (diff-coloured, hot function outlined), waterfall (critical path), heatmap, RED.
    expect(html).toMatch(/class="fr hot"/);
    expect(html).toMatch(/class="span critical/);
    expect(html).toMatch(/class="cell"/);
    expect(html).toMatch(/class="change"/);
  });

  it('escapes telemetry and report text (a hostile title stays text)', () => {
    const evil = structuredClone(report);
    evil.findings[0]!.message = undefined;
    evil.findings[0]!.title = '<img src=x onerror=alert(1)>';
    evil.question = '</title><script>alert(1)</script>';
    const page = renderHtml(evil);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it.skipIf(!chromiumPath())('renders in headless Chromium: pictures drawn, no console error, no request', async () => {
    const shot = path.join(dir, 'report.png');
    const r = await checkPage(file, shot);
    const svgs = (html.match(/<svg /g) ?? []).length;
    expect(r.svgs).toBe(svgs);
    expect(r.renderedSvgs).toBe(svgs);
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([]);
    // Not a blank page: text, charts and flame graphs put ink on a good part of it.
    expect(r.inked).toBeGreaterThan(0.03);
  }, 90_000);
});

describe('HTML report in a right-to-left language (demo incident, Arabic and Hebrew questions)', () => {
  let html: string;
  let report: Report;
  const dir = mkdtempSync(path.join(tmpdir(), 'queryless-html-rtl-'));
  const file = path.join(dir, 'report-ar.html');

  beforeAll(async () => {
    const { sources } = await setup({ bundle: BUNDLE });
    report = await runPlaybook(sources, 'لماذا تفشل الطلبات منذ الساعة 10:04؟');
    html = renderHtml(report, await gatherPictures(report, sources));
    writeFileSync(file, html);
  }, 120_000);

  it('sets the page right to left, in Arabic, with Latin digits', () => {
    expect(report.lang).toBe('ar');
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('التحقيق في الحادث');
    expect(html).toMatch(/03\u200f?\/06\u200f?\/2025/); // ar-u-nu-latn: 0-9, not ٠٣/٠٦/٢٠٢٥
    expect(html).not.toMatch(/[\u0660-\u0669]/);
    // Dates are isolated, so the arrow between them is not reordered by the Arabic around them.
    expect(html).toMatch(/<bdi>03\u200f?\/06\u200f?\/2025، 10:04:00 ص UTC<\/bdi> ← <bdi>/);
  });

  it('keeps code, queries, service names and ids left to right inside the right-to-left page', () => {
    const page = unescape(html);
    // Every <code> and <pre> carries dir="ltr" (CSS alone would not survive copy-paste into another page).
    expect(html).not.toMatch(/<code>|<pre>|<pre class="query">/);
    expect(html).toMatch(/<pre class="query" dir="ltr">/);
    expect(html).toMatch(/<span class="svc" dir="ltr">/);
    for (const f of report.findings) if (f.evidence.query) expect(page).toContain(f.evidence.query.text);
    // Telemetry quoted inside a translated sentence (a span name in a finding title) is isolated from it.
    expect(html).toMatch(/\u2068SELECT FROM car_login[^\u2069]*\u2069/);
    // Charts keep time flowing left to right.
    expect(html).toMatch(/<figure dir="ltr"><svg/);
    expect(html).toMatch(/figure \{ direction: ltr; \}/);
  });

  it('labels the score parts in Arabic and Hebrew (no English identifier between the right-to-left words)', () => {
    for (const [lang, page] of [['ar', html], ['he', renderHtml({ ...report, lang: 'he', askedLang: 'he' })]] as const) {
      const cells = partsCells(page);
      expect(cells.length, lang).toBeGreaterThan(1);
      // Right-to-left words, Latin digits, the language's own separator; no Latin letters at all.
      for (const c of cells) expect(c, lang).toMatch(lang === 'ar' ? /^[\p{Script=Arabic}\p{M}\s]+ [\d.]+(، [\p{Script=Arabic}\p{M}\s]+ [\d.]+)*$/u : /^[\p{Script=Hebrew}\p{M}\s]+ [\d.]+(, [\p{Script=Hebrew}\p{M}\s]+ [\d.]+)*$/u);
    }
  });

  it('is left to right again for a language written that way, and right to left for Hebrew', () => {
    const he = renderHtml({ ...report, lang: 'he', askedLang: 'he' });
    expect(he).toContain('<html lang="he" dir="rtl">');
    expect(he).toContain('חקירת תקרית');
    const th = renderHtml({ ...report, lang: 'th', askedLang: 'th' });
    expect(th).toContain('<html lang="th" dir="ltr">');
    expect(th).toMatch(/2025/); // Gregorian years, not the Buddhist era's 2568
    expect(th).not.toMatch(/2568/);
    expect(th).not.toContain('\u2068'); // isolates only where the sentence runs right to left
  });

  it.skipIf(!chromiumPath())('renders in headless Chromium: pictures drawn, no console error, no request', async () => {
    const r = await checkPage(file, path.join(dir, 'report-ar.png'));
    expect(r.renderedSvgs).toBe((html.match(/<svg /g) ?? []).length);
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([]);
    expect(r.inked).toBeGreaterThan(0.03);
  }, 90_000);
});

describe('picture data', () => {
  it('covers the whole range: a bundle gives every trace, not the first few hundred', async () => {
    const { sources } = await setup({ bundle: BUNDLE });
    const range = { start: Date.parse('2025-06-03T09:50:00Z'), end: Date.parse('2025-06-03T10:20:00Z') };
    const spans = await new SpanCache(sources, range).get('ride');
    const r = redSeries(spans, 'ride', range, 10);
    expect(r.rate.every(([, v]) => v > 0)).toBe(true);
    // ride's p95 jumps after 10:04 (the demo's fault): last bucket far above the first.
    expect(r.p95.at(-1)![1]).toBeGreaterThan(20 * r.p95[0]![1]);
  });
});
