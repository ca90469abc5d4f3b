import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { eld } from 'eld/extrasmall';
import { eldFile, eldFrom, eldVersion, loadEld, packNgrams, unpackNgrams, type EldTable } from '../../src/agent/eld-data.js';

// The build writes eld's n-gram table as JSON (scripts/eld-ngrams.ts) and eld-data.ts builds the
// detector from it: the detector must answer exactly as eld's own module on every question we have.
const set = YAML.parse(readFileSync(new URL('../fixtures/questions.yaml', import.meta.url), 'utf8')) as Record<string, string[]>;
const texts = Object.values(set).flat();

describe('eld from the JSON table', () => {
  it('gives eld\'s scores and answers on every question of the set', async () => {
    const { ngramsData } = (await import(eldFile('../ngrams/extrasmall.js').href)) as { ngramsData: unknown };
    // As the build writes it (JSON of the packed table) and as the detector reads it.
    const fromJson = await eldFrom(unpackNgrams(JSON.parse(JSON.stringify(packNgrams(ngramsData as EldTable)))));
    expect(texts.length).toBeGreaterThan(150);
    for (const t of texts) {
      const a = eld.detect(t);
      const b = fromJson.detect(t);
      expect(b.language, t).toBe(a.language);
      expect(b.getScores(), t).toEqual(a.getScores());
    }
    expect(fromJson.info()).toEqual(eld.info());
  });

  it('the packed table answers every n-gram as the original, and lists the same keys', async () => {
    const { ngramsData } = (await import(eldFile('../ngrams/extrasmall.js').href)) as { ngramsData: EldTable };
    const t = unpackNgrams(JSON.parse(JSON.stringify(packNgrams(ngramsData))));
    const keys = Object.keys(ngramsData.ngrams);
    expect(Object.keys(t.ngrams)).toEqual(keys);
    for (const k of keys.filter((_, i) => i % 97 === 0)) expect(t.ngrams[k]).toEqual(ngramsData.ngrams[k]);
    expect(t.ngrams['no such n-gram']).toBeUndefined();
    expect('no such n-gram' in t.ngrams).toBe(false);
    expect(keys[5]! in t.ngrams).toBe(true);
  });

  it('falls back to eld\'s module when no table was built for this eld', async () => {
    expect(eldVersion()).toMatch(/^\d+\.\d+\.\d+/);
    // From source, the table path (next to dist/) is not built: the module's detector comes back.
    const d = await loadEld();
    expect(d.detect('Pourquoi les commandes échouent-elles depuis 10h ?').language).toBe('fr');
  });
});
