import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, envSchema, loadConfig } from '../../src/config.js';
import { makeLogger, maskSecrets } from '../../src/log.js';

describe('configuration', () => {
  it('documents every variable in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    for (const key of Object.keys(envSchema.shape)) expect(example, key).toMatch(new RegExp(`^${key}=`, 'm'));
  });

  it('fails fast naming the variable and its flag', () => {
    expect(() => loadConfig({ PROMETHEUS_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ PROMETHEUS_URL: 'not a url' })).toThrow(/PROMETHEUS_URL \(or --prometheus-url\)/);
    expect(() => loadConfig({}, { 'loki-url': 'ftp://x' })).toThrow(/LOKI_URL/);
    expect(() => loadConfig({ QUERYLESS_TIMEOUT_MS: 'soon' })).toThrow(/QUERYLESS_TIMEOUT_MS/);
    expect(() => loadConfig({ TEMPO_URL: 'http://t', TEMPO_USER: 'u' })).toThrow(/TEMPO_USER\/TEMPO_PASSWORD/);
    expect(() => loadConfig({ GITHUB_REPOS: 'checkout=nonsense' })).toThrow(/GITHUB_REPOS/);
  });

  it('builds backend auth, tenant and extra headers; flags win over env', () => {
    const c = loadConfig(
      { PROMETHEUS_URL: 'http://env:9090', PROMETHEUS_USER: 'u', PROMETHEUS_PASSWORD: 'p', PROMETHEUS_TENANT: 't1', PROMETHEUS_HEADERS: 'X-A=1,X-B=2', LOKI_URL: 'http://loki:3100/', LOKI_TOKEN: 'tok' },
      { 'prometheus-url': 'http://flag:9090' },
    );
    expect(c.backends.prometheus).toMatchObject({ url: 'http://flag:9090', headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`, 'X-Scope-OrgID': 't1', 'X-A': '1', 'X-B': '2' } });
    expect(c.backends.loki).toMatchObject({ url: 'http://loki:3100', headers: { Authorization: 'Bearer tok' } });
    expect(c.backends.tempo).toBeUndefined();
  });

  it('reaches a backend through the Grafana datasource proxy when only a UID is given', () => {
    const c = loadConfig({ GRAFANA_URL: 'https://g.example.com', GRAFANA_TOKEN: 'glsa_abcdefghijklmnopqrstuvwx', GRAFANA_TEMPO_UID: 'tempo-1' });
    expect(c.backends.tempo).toMatchObject({ url: 'https://g.example.com/api/datasources/proxy/uid/tempo-1', viaGrafana: true, headers: { Authorization: 'Bearer glsa_abcdefghijklmnopqrstuvwx' } });
  });

  it('never exposes secrets in its printable description or in masked text', () => {
    const c = loadConfig({ PROMETHEUS_URL: 'http://p', PROMETHEUS_TOKEN: 'supersecret-token-value', GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123', OPENAI_API_KEY: 'sk-abcdefghijklmnopqrstuvwxyz' });
    const printed = JSON.stringify(describeConfig(c));
    expect(printed).not.toMatch(/supersecret|ghp_|sk-abc/);
    expect(printed).toContain('"token":"set"');
    expect(maskSecrets('GET http://user:pw@host/x Authorization: Bearer abcdefghijklmnop token=hunter22 ghp_abcdefghijklmnopqrstuvwxyz0123')).not.toMatch(/pw@|abcdefghijklmnop|hunter22|ghp_/);
  });

  it('redacts credentials in structured logs', () => {
    const lines: string[] = [];
    const logger = makeLogger({ write: (l: string) => void lines.push(l) }, 'info');
    logger.info({ token: 'tok-123456', config: { prometheus: { headers: { Authorization: 'Bearer xyz' } } }, backend: { password: 'pw-secret' } }, 'starting');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/tok-123456|Bearer xyz|pw-secret/);
    expect(lines[0]).toContain('[redacted]');
  });
});
