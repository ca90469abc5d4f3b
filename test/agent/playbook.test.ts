import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runPlaybook, runPlaybookWithSteps } from '../../src/agent/playbook.js';
import { renderMarkdown, renderJson } from '../../src/agent/report.js';
import { timesFromQuestion } from '../../src/agent/scope.js';
import type { Sources } from '../../src/sources/types.js';
import type { NamedStep } from '../../src/agent/steps/index.js';
import { writeFixtureBundle } from './fixture.js';

let dir: string;
let sources: Sources;
beforeAll(async () => {
  dir = writeFixtureBundle();
  sources = await openBundle(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scope from the question', () => {
  const at = (iso: string) => Date.parse(iso);
  it('reads "since" times in each language on the bundle day', () => {
    expect(timesFromQuestion('Why are orders failing since 10:04?', sources).window?.start).toBe(at('2025-06-03T10:04:00Z'));
    expect(timesFromQuestion('Pourquoi les commandes échouent-elles depuis 10h ?', sources).window?.start).toBe(at('2025-06-03T10:00:00Z'));
    expect(timesFromQuestion('¿Por qué fallan los pedidos desde las 10:04?', sources).window?.start).toBe(at('2025-06-03T10:04:00Z'));
    expect(timesFromQuestion('Warum schlagen Bestellungen seit 10:04 Uhr fehl?', sources).window?.start).toBe(at('2025-06-03T10:04:00Z'));
    expect(timesFromQuestion('Since 08:43 UTC, users see failures', sources).window).toBeUndefined(); // before the data: defaults apply
  });
  it('reads "last N minutes" relative to the data end, and ignores questions without times', () => {
    expect(timesFromQuestion('what broke in the last 10 minutes?', sources).window).toEqual({ start: at('2025-06-03T10:10:00Z'), end: at('2025-06-03T10:20:00Z') });
    expect(timesFromQuestion('why is checkout slow?', sources).window).toBeUndefined();
  });
});

describe('playbook', () => {
  it('ranks the erroring service first and reports in the question language', async () => {
    const r = await runPlaybook(sources, 'Pourquoi les commandes échouent-elles depuis 10h04 ?');
    expect(r.lang).toBe('fr');
    expect(r.mode).toBe('playbook');
    expect(r.window.start).toBe('2025-06-03T10:04:00.000Z');
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects.map((s) => s.service).slice(0, 2)).toContain('ride');
    expect(r.suspects[0]!.parts.own_errors).toBeGreaterThan(0);
    const md = renderMarkdown(r);
    expect(md).toContain('# Enquête sur l\'incident');
    expect(md).toMatch(/3 juin 2025/);
    expect(JSON.parse(renderJson(r)).lang).toBe('fr');
  });

  it('turns a failing step and a step that runs out of time into partial lines', async () => {
    const finding = { kind: 'error' as const, service: 'checkout', title: 'INSERT INTO orders: pq: duplicate key value violates unique constraint "orders_pkey"', numbers: { count: 3 }, evidence: { query: { language: 'traceql' as const, text: '{ status = error }' } }, score: 9 };
    const stepList: NamedStep[] = [
      { name: 'traces', run: async (ctx) => ({ findings: [{ ...finding, details: { services: ctx.services.join(',') } }], partial: [], toolCalls: 1 }) },
      { name: 'logs', run: async () => { throw new Error('loki answered HTTP 503'); } },
      { name: 'metrics', run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) },
    ];
    const r = await runPlaybookWithSteps(stepList, sources, 'Why are orders failing?', { timeBudgetMs: 1500 });
    expect(r.findings[0]!.title).toContain('duplicate key');
    expect(r.findings[0]!.details!.services.split(',')[0]).toBe('checkout');
    expect(r.hints.map((h) => h.id)).toContain('unique-constraint');
    expect(r.partial).toContain('logs: loki answered HTTP 503');
    expect(r.partial.some((p) => /^metrics: no answer within \d+ ms/.test(p))).toBe(true);
    expect(r.lang).toBe('en');
    const md = renderMarkdown(r);
    expect(md).toContain('Unique-key violation on INSERT');
    expect(md).toContain('{ status = error }');
  });

  it('focuses the steps on --service first and honours --lang', async () => {
    let seen: string[] = [];
    const r = await runPlaybookWithSteps([{ name: 'traces', run: async (ctx) => ((seen = ctx.services), { findings: [], partial: [], toolCalls: 0 }) }], sources, 'why is it slow?', { service: 'ride', lang: 'de' });
    expect(seen[0]).toBe('ride');
    expect(r.lang).toBe('de');
    expect(renderMarkdown(r)).toContain('Verdächtige Dienste');
  });
});

describe('a window outside the recorded data', () => {
  it('says so in the partial lines instead of only "nothing moved"', async () => {
    const far = { start: Date.parse('2030-01-01T00:00:00Z'), end: Date.parse('2030-01-01T01:00:00Z') };
    const r = await runPlaybookWithSteps([], sources, 'why?', { window: far });
    expect(r.partial.some((p) => /lies outside the recorded data \(2025-06-03T/.test(p))).toBe(true);
    const inside = await runPlaybookWithSteps([], sources, 'why?');
    expect(inside.partial.some((p) => /outside the recorded data/.test(p))).toBe(false);
  });
});
