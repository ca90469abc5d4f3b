// Build step: writes the hint catalogue's validated definitions as JSON (dist/hints-catalogue.json) with
// the digest of the YAML they came from, for src/agent/hints.ts to load without parsing the YAML. Written
// only when the JSON gives back exactly the same definitions (JSON has no undefined, no Infinity).
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { HINTS_JSON, catalogueDefs, catalogueDigest, languageFiles } from '../src/agent/hints.js';
import { readPrompt } from '../src/agent/assets.js';

const main = readPrompt('hints.yaml');
const langs = languageFiles();
const defs = catalogueDefs(main, langs);
const json = JSON.stringify({ digest: catalogueDigest(main, langs), defs });
if (isDeepStrictEqual((JSON.parse(json) as { defs: unknown }).defs, defs)) writeFileSync(HINTS_JSON, json);
else process.stderr.write('hints-json: the catalogue does not survive JSON; the YAML will be parsed at run time\n');
