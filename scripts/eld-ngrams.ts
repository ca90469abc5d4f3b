// Build step: writes eld's extra-small n-gram table (dist/eld-ngrams-extrasmall.json), with the eld
// version it came from, for src/agent/eld-data.ts. The ~50k n-grams are two strings (keys, and each
// key's scores as JSON, joined by NUL): parsing them is a copy, and the detector parses only the few
// scores a question's n-grams ask for, where parsing the table as an object took ~90 ms cold.
import { writeFileSync } from 'node:fs';
import { ELD_JSON, eldFile, eldVersion, packNgrams, type EldTable } from '../src/agent/eld-data.js';

const { ngramsData } = (await import(eldFile('../ngrams/extrasmall.js').href)) as { ngramsData: EldTable };
writeFileSync(ELD_JSON, JSON.stringify({ eld: eldVersion(), packed: packNgrams(ngramsData) }));
