// Bundle reading never leaves the bundle's real path: links out, loops and dangling links are
// skipped and reported, and the rest of the bundle stays usable.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import { lookupSource } from '../../tools/lookup_source.js';
import type { ToolDef } from '../../tools/types.js';

const MINI = path.resolve('test/fixtures/mini-bundle');
const SECRET_TEXT = 'TOP-SECRET-OUTSIDE-THE-BUNDLE';

function hostileBundle(): { dir: string; outside: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'ql-links-'));
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(outside, 'deep'), { recursive: true });
  writeFileSync(path.join(outside, 'secret.go'), `package x\n// ${SECRET_TEXT}\nfunc Leak() {}\n`);
  writeFileSync(path.join(outside, 'deep', 'other.go'), `package y\n// ${SECRET_TEXT}\nfunc Deep() {}\n`);
  writeFileSync(path.join(outside, 'traces.json'), '{"resourceSpans": []}');
  const dir = path.join(base, 'bundle');
  cpSync(MINI, dir, { recursive: true });
  // traces/: a dangling link, a link to a file outside, a loop
  symlinkSync(path.join(dir, 'traces', 'nowhere.json'), path.join(dir, 'traces', 'dangling.json'));
  symlinkSync(path.join(outside, 'traces.json'), path.join(dir, 'traces', 'outside.json'));
  symlinkSync(path.join(dir, 'traces', 'loop-b.json'), path.join(dir, 'traces', 'loop-a.json'));
  symlinkSync(path.join(dir, 'traces', 'loop-a.json'), path.join(dir, 'traces', 'loop-b.json'));
  // source/: a real file, a file link and a directory link outside, a directory loop, a link inside (allowed)
  mkdirSync(path.join(dir, 'source', 'cart'), { recursive: true });
  writeFileSync(path.join(dir, 'source', 'cart', 'cart.go'), 'package cart\n\nfunc Checkout() error {\n\treturn nil\n}\n');
  symlinkSync(path.join(outside, 'secret.go'), path.join(dir, 'source', 'cart', 'secret.go'));
  symlinkSync(path.join(outside, 'deep'), path.join(dir, 'source', 'cart', 'deep'));
  symlinkSync(path.join(dir, 'source'), path.join(dir, 'source', 'cart', 'again'));
  symlinkSync(path.join(dir, 'source', 'cart', 'cart.go'), path.join(dir, 'source', 'cart', 'alias.go'));
  // profiles/: a directory link outside
  mkdirSync(path.join(dir, 'profiles'));
  symlinkSync(outside, path.join(dir, 'profiles', 'cart'));
  return { dir, outside };
}

const ctx = (sources: Awaited<ReturnType<typeof openBundle>>) => ({ sources, signal: new AbortController().signal, progress: () => {} });

describe('bundle symlink containment', () => {
  it('skips and reports links out, loops and dangling links; the rest stays usable', async () => {
    const { dir } = hostileBundle();
    const sources = await openBundle(dir);
    const r = await runTool(listServices as unknown as ToolDef, {}, ctx(sources));
    expect(r.isError).toBe(false);
    const names = (r.structured!.services as Array<{ service: string }>).map((s) => s.service);
    expect(names).toEqual(expect.arrayContaining(['cart', 'shop-web']));
    const problems = sources.problems.join('\n');
    expect(problems).toMatch(/dangling\.json: a dangling symbolic link/);
    expect(problems).toMatch(/outside\.json: a symbolic link pointing outside the bundle/);
    expect(problems).toMatch(/loop-a\.json: a symbolic link loop/);
  });

  it('lookup_source never prints a file outside the bundle, and does not hang on a directory loop', async () => {
    const { dir } = hostileBundle();
    const sources = await openBundle(dir);
    const own = await runTool(lookupSource as unknown as ToolDef, { service: 'cart', function: 'cart.Checkout' }, ctx(sources));
    expect(own.isError).toBe(false);
    expect(own.text).toMatch(/func Checkout/);
    for (const args of [
      { service: 'cart', function: 'x.Leak' },
      { service: 'cart', function: 'y.Deep' },
      { service: 'cart', file: 'secret.go' },
      { service: 'cart', file: 'deep/other.go' },
    ]) {
      const r = await runTool(lookupSource as unknown as ToolDef, args, ctx(sources));
      expect(r.text).not.toContain(SECRET_TEXT);
      expect(JSON.stringify(r.structured ?? {})).not.toContain(SECRET_TEXT);
    }
    expect(sources.problems.join('\n')).toMatch(/secret\.go: a symbolic link pointing outside the bundle/);
    // The inside alias is allowed: same real file, still in the bundle.
    const alias = await sources.code!.readFile('cart', 'alias.go');
    expect(alias?.text).toMatch(/func Checkout/);
  });

  it('profiles: a folder linked outside the bundle is not read', async () => {
    const { dir } = hostileBundle();
    const sources = await openBundle(dir);
    // No profile file is left inside the bundle, so there is no profile source at all.
    expect((await sources.profiles?.services({ start: 0, end: Date.now() })) ?? []).toEqual([]);
    expect(sources.problems.join('\n')).toMatch(/profiles\/cart: a symbolic link pointing outside the bundle/);
  });
});
