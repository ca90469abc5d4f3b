// Writes the binary fixtures of test/fixtures/formats/ (OTLP protobuf) from their field-by-field
// definitions in scripts/fixtures/. Run: npx tsc -p . && node dist/scripts/make-format-fixtures.js
import { writeFileSync } from 'node:fs';
import { logsBinpb, tracesBinpb } from './fixtures/otlp-binpb.js';

writeFileSync('test/fixtures/formats/otlp-proto/traces.binpb', tracesBinpb());
writeFileSync('test/fixtures/formats/otlp-proto/logs.binpb', logsBinpb());
process.stderr.write('wrote test/fixtures/formats/otlp-proto/{traces,logs}.binpb\n');
