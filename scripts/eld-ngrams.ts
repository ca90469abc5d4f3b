// Build step: writes eld's extra-small n-gram table as JSON (dist/eld-ngrams-extrasmall.json), with the
// eld version it came from, for src/agent/eld-data.ts to load without compiling eld's 1 MB literal.
import { writeFileSync } from 'node:fs';
import { ELD_JSON, eldFile, eldVersion } from '../src/agent/eld-data.js';

const { ngramsData } = (await import(eldFile('../ngrams/extrasmall.js').href)) as { ngramsData: unknown };
writeFileSync(ELD_JSON, JSON.stringify({ eld: eldVersion(), ngrams: ngramsData }));
