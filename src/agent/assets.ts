// Locates the prompts/ folder (templates, i18n strings, hint catalogue) from both src/ (vitest) and dist/ (CLI).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function promptsDir(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'prompts');
    if (existsSync(path.join(candidate, 'hints.yaml'))) return (cached = candidate);
    dir = path.dirname(dir);
  }
  throw new Error('prompts/ folder not found next to the installed package (expected prompts/hints.yaml)');
}

export function readPrompt(rel: string): string {
  return readFileSync(path.join(promptsDir(), rel), 'utf8');
}
