import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { eld } from 'eld/extrasmall';
import { eldFile, eldFrom, eldVersion, loadEld } from '../../src/agent/eld-data.js';

// The build writes eld's n-gram table as JSON (scripts/eld-ngrams.ts) and eld-data.ts builds the
// detector from it: the detector must answer exactly as eld's own module on every question we have.
const set = YAML.parse(readFileSync(new URL('../fixtures/questions.yaml', import.meta.url), 'utf8')) as Record<string, string[]>;
const texts = Object.values(set).flat();

describe('eld from the JSON table', () => {
  it('gives eld\'s scores and answers on every question of the set', async () => {
    const { ngramsData } = (await import(eldFile('../ngrams/extrasmall.js').href)) as { ngramsData: unknown };
    const fromJson = await eldFrom(JSON.parse(JSON.stringify(ngramsData)));
    expect(texts.length).toBeGreaterThan(150);
    for (const t of texts) {
      const a = eld.detect(t);
      const b = fromJson.detect(t);
      expect(b.language, t).toBe(a.language);
      expect(b.getScores(), t).toEqual(a.getScores());
    }
    expect(fromJson.info()).toEqual(eld.info());
  });

  it('falls back to eld\'s module when no table was built for this eld', async () => {
    expect(eldVersion()).toMatch(/^\d+\.\d+\.\d+/);
    // From source, the table path (next to dist/) is not built: the module's detector comes back.
    const d = await loadEld();
    expect(d.detect('Pourquoi les commandes échouent-elles depuis 10h ?').language).toBe('fr');
  });
});
