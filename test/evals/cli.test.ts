// `queryless eval` command wiring: exit codes, --min-top1, --junit/--markdown files, usage errors.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { evalCommand } from '../../src/commands/eval.js';

const root = mkdtempSync(path.join(tmpdir(), 'ql-evalcli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const b = path.join(root, 'untruthful');
mkdirSync(b);
writeFileSync(path.join(b, 'incident.yaml'), 'id: untruthful\nwindow: {start: "2025-06-03T09:50:00Z", end: "2025-06-03T10:20:00Z"}\nquestions: [{lang: en, text: "What happened?"}]\n');

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await evalCommand(args), out };
  } finally {
    spy.mockRestore();
  }
}

describe('queryless eval (command)', () => {
  it('skips a bundle without truth (exit 0), writes JUnit and Markdown, and fails a top-1 threshold with no scored case', async () => {
    const junit = path.join(root, 'out/junit.xml');
    const md = path.join(root, 'out/summary.md');
    const ok = await run([b, '--quiet', '--junit', junit, '--markdown', md]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/SKIP\s+untruthful\[en\]\/playbook/);
    expect(readFileSync(junit, 'utf8')).toContain('<skipped message="no truth in incident.yaml');
    expect(readFileSync(md, 'utf8')).toContain('1 case(s): 0 passed, 0 errors, 1 skipped.');
    const bad = await run([b, '--quiet', '--min-top1', '0.5']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('THRESHOLD FAILED: top-1: no scored case (threshold 0.5)');
    const json = await run([b, '--quiet', '--json']);
    expect(JSON.parse(json.out).cases[0].status).toBe('skip');
  });

  it('rejects bad options with what to do', async () => {
    await expect(evalCommand([])).rejects.toThrow(/at least one PATH/);
    await expect(evalCommand([b, '--mode', 'magic'])).rejects.toThrow(/--mode must be playbook or agent/);
    await expect(evalCommand([b, '--min-top1', '2'])).rejects.toThrow(/--min-top1 must be a number between 0 and 1/);
    await expect(evalCommand([path.join(root, 'nope')])).rejects.toThrow(/no such file or folder/);
  });
});
