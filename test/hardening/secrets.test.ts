// One masking pass on every output path: the shapes credentials take in telemetry, and the exact
// value of every configured secret; userinfo in backend URLs becomes basic auth.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, maskDeep, maskSecrets, registerSecrets } from '../../src/mask.js';
import { loadConfig } from '../../src/config.js';
import { makeLogger } from '../../src/log.js';
import { assertBuilt, CLI, MINI_BUNDLE, ROOT } from '../mcp/helpers.js';

const run = promisify(execFile);

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const SAMPLES: Array<[string, string]> = [
  [`Authorization: Bearer ${JWT}`, JWT],
  [`jwt in a log line ${JWT} end`, JWT],
  ['login failed password=hunter2pw for user bob', 'hunter2pw'],
  ['config: password "c0rrect horse" loaded', 'c0rrect horse'],
  ["config: password 'single-quoted' loaded", 'single-quoted'],
  ['oauth client_secret: cs-abc123xyz refused', 'cs-abc123xyz'],
  ['{"client_secret":"cs-json-456"}', 'cs-json-456'],
  ['Authorization: token 0123456789abcdef0123', '0123456789abcdef0123'],
  ['dial postgres://cart:pg-pass-9@db.internal:5432/cart failed', 'pg-pass-9'],
  ['AWS key AKIAIOSFODNN7EXAMPLE in env', 'AKIAIOSFODNN7EXAMPLE'],
  ['api_key=sk-live-abcdefghijklmnop', 'sk-live-abcdefghijklmnop'],
];

afterEach(() => clearSecrets());

describe('maskSecrets', () => {
  for (const [text, secret] of SAMPLES) {
    it(`masks ${JSON.stringify(text.slice(0, 40))}`, () => {
      const out = maskSecrets(text);
      expect(out).not.toContain(secret);
      expect(out).toContain('[redacted]');
    });
  }

  it('keeps prose and numbers readable', () => {
    for (const s of ['token expired for user bob', 'budget 2000 tokens', 'the password field was empty', 'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7']) {
      expect(maskSecrets(s)).toBe(s);
    }
  });

  it('masks the exact value of every configured secret, even echoed bare by a backend', () => {
    loadConfig({ LOKI_URL: 'http://127.0.0.1:3100', LOKI_TOKEN: 'plainvalue42', GITHUB_TOKEN: 'another-plain-one', QUERYLESS_HTTP_TOKEN: 'http-tok-3' });
    const echoed = 'loki: 401 Unauthorized: invalid credentials plainvalue42 (also another-plain-one, http-tok-3)';
    const out = maskSecrets(echoed);
    for (const s of ['plainvalue42', 'another-plain-one', 'http-tok-3']) expect(out).not.toContain(s);
    expect(maskDeep({ a: [echoed], n: 3, d: new Date(0) })).toEqual({ a: [out], n: 3, d: new Date(0) });
  });

  it('is linear on long hostile text', () => {
    const hostile = 'a-'.repeat(200_000) + 'eyJ'.repeat(50_000) + '//a:'.repeat(50_000);
    const t = performance.now();
    maskSecrets(hostile);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('masks log lines (messages and fields)', () => {
    registerSecrets(['configured-secret-1']);
    let out = '';
    const dest = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const logger = makeLogger(dest as never, 'info');
    logger.info({ err: new Error('boom password=hunter2pw'), url: 'http://u:pw-in-url@h/x', note: 'configured-secret-1' }, 'calling with Bearer abcdefghijklmnopqrstuvwxyz');
    for (const s of ['hunter2pw', 'pw-in-url', 'configured-secret-1', 'abcdefghijklmnopqrstuvwxyz']) expect(out).not.toContain(s);
  });
});

describe('userinfo in backend URLs', () => {
  it('becomes basic auth and leaves the URL', () => {
    const c = loadConfig({ PROMETHEUS_URL: 'http://alice:s3cr%40t@127.0.0.1:9090/prometheus' });
    expect(c.backends.prometheus!.url).toBe('http://127.0.0.1:9090/prometheus');
    expect(c.backends.prometheus!.headers.Authorization).toBe(`Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`);
    expect(maskSecrets('echo s3cr@t')).not.toContain('s3cr@t');
  });

  it('is refused at start-up, by name, when ambiguous or where it cannot be used', () => {
    expect(() => loadConfig({ LOKI_URL: 'http://a:b@127.0.0.1:3100', LOKI_TOKEN: 'tok12345' })).toThrow(/LOKI_URL.*user:password@/);
    expect(() => loadConfig({ TEMPO_URL: 'http://onlyuser@127.0.0.1:3200' })).toThrow(/TEMPO_URL/);
    expect(() => loadConfig({ GRAFANA_URL: 'http://admin:admin@127.0.0.1:3000' })).toThrow(/GRAFANA_URL must not carry user:password@/);
  });
});

describe('queryless investigate masks its reports', () => {
  it('Markdown and --json carry no secret from telemetry', async () => {
    assertBuilt();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ql-secrets-')), 'bundle');
    cpSync(MINI_BUNDLE, dir, { recursive: true });
    const file = path.join(dir, 'traces', 'traces.json');
    const leaky = `connection refused: dial postgres://cart:pg-pass-9@db:5432 password=hunter2pw Bearer ${JWT}`;
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('connection refused', leaky));
    for (const extra of [[], ['--json']]) {
      const { stdout } = await run(process.execPath, [CLI, 'investigate', '--bundle', dir, ...extra, 'Why does the cart fail since 10:05?'], { cwd: ROOT, env: { ...process.env, QUERYLESS_BUNDLE: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }, maxBuffer: 64 << 20 });
      expect(stdout).toMatch(/connection refused: dial/);
      expect(stdout).toContain('[redacted]');
      for (const s of ['pg-pass-9', 'hunter2pw', JWT]) expect(stdout).not.toContain(s);
      if (extra.length) expect(() => JSON.parse(stdout)).not.toThrow();
    }
  }, 60_000);
});
