import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { readPrompt } from '../../src/agent/assets.js';
import { REPORT_TEMPLATE } from '../../src/agent/report.js';
import { precompiledModule, templateDigest } from '../../src/agent/templates.js';

describe('precompiled templates', () => {
  it('the build\'s precompiled report template renders exactly what compiling it renders', () => {
    const source = readPrompt(REPORT_TEMPLATE.name);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ql-tpl-')), 'report.md.hbs.cjs');
    writeFileSync(file, precompiledModule(source, REPORT_TEMPLATE.options));
    const saved = createRequire(import.meta.url)(file) as { digest: string; spec: Parameters<typeof Handlebars.template>[0] };
    expect(saved.digest).toBe(templateDigest(source, REPORT_TEMPLATE.options));
    const view = {
      question: 'why | <b>?',
      window: { start: 1, end: 2 },
      modeLine: 'playbook',
      summary: [{ label: 'top', text: '`checkout` <x>' }],
      suspects: [{ rank: 1, service: 'checkout', score: '3,2', parts: 'a', evidence: 'e' }],
      partial: ['one'],
      statsLine: '1 tool',
    };
    const helpers = { t: (k: string) => `[${k}]`, date: (v: number) => `d${v}` };
    const precompiled = Handlebars.template(saved.spec)(view, { helpers });
    expect(precompiled).toBe(Handlebars.compile(source, REPORT_TEMPLATE.options)(view, { helpers }));
    expect(precompiled).toContain('why | <b>?');
  });

  it('a digest changes with the text and with the options', () => {
    const a = templateDigest('{{x}}', { noEscape: true });
    expect(templateDigest('{{y}}', { noEscape: true })).not.toBe(a);
    expect(templateDigest('{{x}}', { noEscape: false })).not.toBe(a);
  });
});
