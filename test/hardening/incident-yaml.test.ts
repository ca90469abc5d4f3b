// incident.yaml from the fuzz campaign (scripts/fuzz-inputs.ts): a billion-laughs file, times of the
// wrong unit or type, a document that is not a mapping. Each is refused with the file, the key and what to write.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';

const MINI = path.resolve('test/fixtures/mini-bundle');

function miniWith(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-incident-'));
  cpSync(MINI, dir, { recursive: true });
  writeFileSync(path.join(dir, 'incident.yaml'), yaml);
  return dir;
}

describe('hostile or mistyped incident.yaml', () => {
  it('a YAML bomb is refused by name, quickly, without expanding it', async () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const [me, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      rows.push(`${me}: &${me} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const dir = miniWith(rows.join('\n') + '\nnotes: *i\n');
    await expect(openBundle(dir)).rejects.toThrow(new RegExp(`${path.join(dir, 'incident.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid YAML: .*alias.*write the values out`));
  });

  it('window.start: 12 is not read as 1970', async () => {
    await expect(openBundle(miniWith('window: {start: 12, end: "2025-01-01T10:10:00Z"}\n'))).rejects.toThrow(/incident\.yaml: invalid incident metadata: window\.start: not a plausible time: 12 is 1970 \(write an ISO 8601 time/);
  });

  it('epoch seconds and milliseconds of this century are still times', async () => {
    const b = await openBundle(miniWith('window: {start: 1735725600, end: 1735726200000}\n'));
    expect(b.defaults.window).toEqual({ start: Date.UTC(2025, 0, 1, 10), end: Date.UTC(2025, 0, 1, 10, 10) });
  });

  it('questions: "x" and a list for a document name the key and say every key is optional', async () => {
    await expect(openBundle(miniWith('questions: x\n'))).rejects.toThrow(/incident\.yaml: invalid incident metadata: questions: .*expected array.*every key of incident\.yaml is optional/);
    await expect(openBundle(miniWith('- a\n- b\n'))).rejects.toThrow(/incident\.yaml: expected a mapping of keys .* found a list/);
  });
});
