// The eval harness itself (planning, skipping, failing one case, thresholds, outputs), with a test
// double for the investigator so these tests do not depend on the playbook's current quality.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/agent/findings.js';
import type { BundleSources } from '../../src/sources/bundle/load.js';
import { planEval } from '../../src/evals/suite.js';
import { runEval } from '../../src/evals/run.js';
import { renderJunit } from '../../src/evals/junit.js';
import { groupRows, renderMarkdown, renderTable } from '../../src/evals/output.js';

const root = mkdtempSync(path.join(tmpdir(), 'ql-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bundle(name: string, yaml: string): string {
  const dir = path.join(root, 'bundles', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'incident.yaml'), yaml);
  return dir;
}

const head = (id: string) => `id: ${id}\nwindow: {start: "2025-06-03T09:50:00Z", end: "2025-06-03T10:20:00Z"}\n`;
bundle('a-good', head('a-good') + 'questions:\n  - {lang: en, text: "Why are orders failing?"}\n  - {lang: fr, text: "Pourquoi les commandes échouent-elles ?"}\ntruth: {service: checkout, fault: exception}\n');
bundle('b-notruth', head('b-notruth') + 'questions:\n  - {lang: en, text: "What happened?"}\n');
bundle('c-broken', 'id: c-broken\nwindow: {start: "not a time", end: 3\n');
bundle('d-wrong', head('d-wrong') + 'questions:\n  - {lang: en, text: "Why is it slow?"}\ntruth: {service: ride, fault: cpu_contention}\n');

// Test double: blames the service named in the bundle's traces folder… here simply "checkout",
// answering in French when the question is French (as a language detector would).
const calls: string[] = [];
async function playbook(sources: unknown, question: string): Promise<Report> {
  const b = sources as BundleSources;
  calls.push(`${b.incident.id}:${question}`);
  const fr = /Pourquoi/.test(question);
  return {
    question,
    lang: fr ? 'fr' : 'en',
    mode: 'playbook',
    window: { start: '', end: '' },
    suspects: [{ service: 'checkout', score: 3, parts: {}, evidence: [] }, { service: 'ride', score: 1, parts: {}, evidence: [] }],
    findings: [{ kind: 'error', service: 'checkout', title: 'INSERT INTO orders failed', numbers: {}, evidence: {}, score: 3 }],
    hints: [],
    partial: [],
    stats: { toolCalls: 4, ms: 5 },
  };
}

describe('eval runner', () => {
  it('plans a folder of bundles and scores each, skipping bundles without truth and failing broken ones only', async () => {
    const plan = await planEval([path.join(root, 'bundles')]);
    expect(plan.cases.map((c) => c.id)).toEqual(['a-good', 'b-notruth', 'c-broken', 'd-wrong']);
    const res = await runEval(plan, { investigators: { playbook } });
    const by = Object.fromEntries(res.cases.map((c) => [c.id, c]));
    expect(by['a-good']!.status).toBe('pass');
    expect(by['a-good']!.lang).toBe('en');
    expect(by['a-good']!.stats.toolCalls).toBe(4);
    expect(by['b-notruth']!.status).toBe('skip');
    expect(by['b-notruth']!.reasons[0]).toMatch(/no truth/);
    expect(by['c-broken']!.status).toBe('error');
    expect(by['c-broken']!.reasons[0]).toMatch(/incident\.yaml.*invalid YAML/);
    expect(by['d-wrong']!.status).toBe('fail');
    expect(by['d-wrong']!.score!.rank).toBe(2);
    expect(by['d-wrong']!.reasons.join(' ')).toMatch(/ranked #2/);
    // Skipped cases are not counted; the broken one counts as a miss.
    expect(res.summary.top1).toEqual({ n: 3, hits: 1, rate: 1 / 3 });
    expect(res.summary.top3).toEqual({ n: 3, hits: 2, rate: 2 / 3 });
    expect(res.summary.skipped).toBe(1);
    expect(res.summary.errors).toBe(1);
  });

  it('asks every question with --lang all and checks the report language', async () => {
    const plan = await planEval([path.join(root, 'bundles', 'a-good')], { langs: ['*'] });
    const res = await runEval(plan, { investigators: { playbook } });
    expect(res.cases.map((c) => [c.lang, c.status, c.score?.reportLang])).toEqual([
      ['en', 'pass', 'en'],
      ['fr', 'pass', 'fr'],
    ]);
    const missing = await runEval(await planEval([path.join(root, 'bundles', 'a-good')], { langs: ['de'] }), { investigators: { playbook } });
    expect(missing.cases[0]!.status).toBe('skip');
    expect(missing.cases[0]!.reasons[0]).toMatch(/no question in "de"/);
  });

  it('reads suites relative to the suite file, applies thresholds, and skips optional data cleanly', async () => {
    const suite = path.join(root, 'suite.yaml');
    writeFileSync(suite, 'name: t\nbundles: [bundles/a-good, bundles/d-wrong]\nlangs: [en]\nthresholds: {top1: 0.9}\n');
    const res = await runEval(await planEval([suite]), { investigators: { playbook } });
    expect(res.summary.top1.rate).toBe(0.5);
    expect(res.summary.failures[0]).toMatch(/top-1 0\.500 < threshold 0\.9/);
    const opt = path.join(root, 'optional.yaml');
    writeFileSync(opt, 'name: opt\nbundles: [does/not/exist]\noptional: true\n');
    const plan = await planEval([opt]);
    expect(plan.cases).toEqual([]);
    expect(plan.skipped[0]!.reason).toMatch(/opt-in data not present/);
    const bad = path.join(root, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nbundles: [does/not/exist]\n');
    await expect(planEval([bad])).rejects.toThrow(/holds no bundle/);
    writeFileSync(bad, 'bundlez: []\n');
    await expect(planEval([bad])).rejects.toThrow(/bundles/);
  });

  it('fails the case clearly when the investigator throws, and renders table, Markdown and JUnit', async () => {
    const plan = await planEval([path.join(root, 'bundles')]);
    const res = await runEval(plan, {
      investigators: {
        playbook: async (s, q) => {
          if ((s as BundleSources).incident.id === 'd-wrong') throw new Error('traces backend down');
          return playbook(s, q);
        },
      },
    });
    const d = res.cases.find((c) => c.id === 'd-wrong')!;
    expect(d.status).toBe('error');
    expect(d.reasons[0]).toBe('playbook failed: traces backend down');
    const table = renderTable(res);
    expect(table).toMatch(/PASS\s+a-good\[en\]\/playbook\s+checkout\s+#1/);
    expect(table).toMatch(/top-1 33\.3% \(1\/3\)/);
    // Per-system and per-fault-type rows over the scored cases.
    const rows = groupRows(res);
    const all = rows.find((r) => r.fault === 'all')!;
    expect(all.n).toBe(res.cases.filter((c) => c.score).length);
    expect(rows.find((r) => r.fault === 'exception')).toMatchObject({ top1: 1 });
    expect(rows.every((r) => r.mode === 'playbook')).toBe(true);
    expect(table).toMatch(/^system\s+mode\s+fault\s+cases\s+top-1\s+top-3\s+fault kind\s+span\s+function\s+file\s+pass$/m);
    const md = renderMarkdown(res);
    expect(md).toContain('| top-1 root-cause service | 33.3% (1/3) |');
    expect(md).toMatch(/\| system \| mode \| fault \| cases \| top-1 \| top-3 \| fault kind \| span \| function \| file \| pass \|/);
    const xml = renderJunit(res);
    expect(xml).toMatch(/<testsuites name="queryless eval" tests="4" failures="0" errors="2" skipped="1">/);
    expect(xml).toContain('<skipped message="no truth in incident.yaml');
    expect(xml).toContain('<error message="playbook failed: traces backend down"');
  });

  it('repeats agent cases and reports pass rate and variance', async () => {
    let n = 0;
    const agent = async (s: unknown, q: string) => {
      const r = await playbook(s, q);
      // Alternate: every other run blames the wrong service first.
      if (n++ % 2) r.suspects.reverse();
      return { ...r, mode: 'agent' as const, stats: { toolCalls: 2, tokens: 100, ms: 1 } };
    };
    const plan = await planEval([path.join(root, 'bundles', 'a-good')], { mode: 'agent' });
    const res = await runEval(plan, { repeat: 4, model: { name: 'test' }, investigators: { agent } });
    expect(res.cases).toHaveLength(4);
    const g = res.summary.groups[0]!;
    expect(g).toMatchObject({ runs: 4, passRate: 0.5, top1Rate: 0.5 });
    expect(g.passVariance).toBeCloseTo(1 / 3);
    expect(res.summary.tokens).toBe(400);
  });

  it('agent mode without a model or cassette fails the case with what to set', async () => {
    const plan = await planEval([path.join(root, 'bundles', 'a-good')], { mode: 'agent' });
    const res = await runEval(plan, { investigators: { agent: async () => { throw new Error('unreachable'); } } });
    expect(res.cases[0]!.status).toBe('error');
    expect(res.cases[0]!.reasons[0]).toMatch(/OPENAI_BASE_URL/);
  });
});
