// The demo generator is deterministic, and the committed bundle is what it generates.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../scripts/make-demo.js';

const COMMITTED = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');

function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTree(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

const content = (file: string): Buffer => {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
};

describe('demo generator', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ql-demo-'));
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');

  beforeAll(async () => {
    await generateDemo(a);
    await generateDemo(b);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes every signal of the bundle format', () => {
    const files = listTree(a);
    expect(files).toContain('incident.yaml');
    expect(files).toContain('traces/traces.json.gz');
    expect(files).toContain('logs/logs.json.gz');
    expect(files).toContain('metrics/metrics.om.gz');
    expect(files.filter((f) => f.startsWith('profiles/ride/') && f.endsWith('.pb.gz')).length).toBeGreaterThan(100);
    expect(files.filter((f) => f.startsWith('profiles/checkout/')).length).toBeGreaterThan(30);
    expect(files).toContain('source/ride/internal/driver/login_cache.go');
    expect(files).toContain('source/checkout/internal/orders/repository.go');
  });

  it('is deterministic: two runs give byte-identical files (gzip headers carry no time)', () => {
    const fa = listTree(a);
    expect(listTree(b)).toEqual(fa);
    for (const f of fa) expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f))), f).toBe(true);
    const gz = readFileSync(path.join(a, 'traces/traces.json.gz'));
    expect(gz.readUInt32LE(4)).toBe(0); // MTIME field of the gzip header
  });

  it('matches the committed bundle (regenerate with `npm run demo:generate` after changing the generator)', () => {
    const fa = listTree(a);
    expect(listTree(COMMITTED)).toEqual(fa);
    // Compare decompressed content: gzip bytes may differ across zlib builds, the data must not.
    for (const f of fa) expect(content(path.join(COMMITTED, f)).equals(content(path.join(a, f))), f).toBe(true);
  });

  it('keeps the compressed bundle small', () => {
    const size = (f: string) => statSync(path.join(a, f)).size;
    expect(size('traces/traces.json.gz')).toBeLessThan(1.6 * 1024 * 1024);
    expect(size('logs/logs.json.gz')).toBeLessThan(1024 * 1024);
    expect(size('metrics/metrics.om.gz')).toBeLessThan(512 * 1024);
  });
});
