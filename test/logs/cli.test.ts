import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { patternsCommand } from '../../src/commands/patterns.js';

afterEach(() => vi.restoreAllMocks());

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await patternsCommand(argv);
  return { code, out };
}

describe('queryless patterns', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-pat-'));
  const a = path.join(dir, 'a.log');
  const b = path.join(dir, 'b.log');
  writeFileSync(a, ['conn 1 opened from 10.0.0.1', 'conn 2 opened from 10.0.0.2', 'disk full on /dev/sda1', ''].join('\n'));
  writeFileSync(b, ['conn 3 opened from 10.0.0.3\n'].join('\n'));

  it('--json prints one object per pattern with count and 1-based line numbers across files', async () => {
    const { code, out } = await capture([a, b, '--json']);
    expect(code).toBe(0);
    const objs = out.trim().split('\n').map((l) => JSON.parse(l) as { pattern: string; template: string; count: number; lines: number[] });
    expect(objs[0]).toMatchObject({ template: 'conn <*> opened from <*>', pattern: 'conn <_> opened from <_>', count: 3, lines: [1, 2, 4] });
    expect(objs[1]).toMatchObject({ count: 1, lines: [3] });
  });

  it('text output lists patterns with counts', async () => {
    const { out } = await capture([a, '--top', '1']);
    expect(out).toMatch(/2 pattern\(s\) in 3 line\(s\)/);
    expect(out).toMatch(/2 {2}conn <\*> opened from <\*>/);
  });

  it('rejects a missing file clearly', async () => {
    await expect(patternsCommand([path.join(dir, 'nope.log')])).rejects.toThrow(/file not found/);
  });
});
