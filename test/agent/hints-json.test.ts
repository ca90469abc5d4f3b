import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogueDefs, catalogueDigest, compileCatalogue, languageFiles } from '../../src/agent/hints.js';
import { readPrompt } from '../../src/agent/assets.js';

// The build saves the validated hint definitions as JSON (scripts/hints-json.ts) and hints.ts loads them
// instead of the YAML when their digest matches: the JSON must give back exactly what the YAML gives.
const main = readPrompt('hints.yaml');
const langs = languageFiles();

describe('hint catalogue saved as JSON', () => {
  it('survives a JSON round trip unchanged', () => {
    const defs = catalogueDefs(main, langs);
    expect(defs.length).toBeGreaterThan(5);
    expect(JSON.parse(JSON.stringify(defs))).toStrictEqual(defs);
    // compileCatalogue is the definitions plus their regexes.
    expect(compileCatalogue(main, langs).map((h) => h.def)).toStrictEqual(defs);
  });

  it('the digest names the texts: another text, another digest', () => {
    expect(catalogueDigest(main, langs)).toBe(catalogueDigest(main, { ...langs }));
    expect(catalogueDigest(`${main}\n`, langs)).not.toBe(catalogueDigest(main, langs));
  });

  const built = fileURLToPath(new URL('../../dist/hints-catalogue.json', import.meta.url));
  it.skipIf(!existsSync(built))('the built file, when it is for these texts, holds the YAML\'s definitions', () => {
    const saved = JSON.parse(readFileSync(built, 'utf8')) as { digest: string; defs: unknown };
    if (saved.digest !== catalogueDigest(main, langs)) return; // built from other texts: not used at run time
    expect(saved.defs).toStrictEqual(catalogueDefs(main, langs));
  });
});
