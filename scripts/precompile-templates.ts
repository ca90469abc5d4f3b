// Build step: writes the report template precompiled (dist/templates/report.md.hbs.cjs) with the digest
// of its text and options, for src/agent/templates.ts to load without running Handlebars' compiler.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readPrompt } from '../src/agent/assets.js';
import { REPORT_TEMPLATE } from '../src/agent/report.js';
import { precompiledFile, precompiledModule } from '../src/agent/templates.js';

for (const { name, options } of [REPORT_TEMPLATE]) {
  const file = precompiledFile(name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, precompiledModule(readPrompt(name), options));
}
