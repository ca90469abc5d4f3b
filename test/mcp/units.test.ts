// Pure pieces of the MCP server: listen address parsing, Host/Origin allow lists, token check, prompt text.
import { describe, expect, it } from 'vitest';
import { hostAllowList, originAllowList, parseListenAddress, tokenMatches } from '../../src/mcp/http.js';
import { completeLanguage, PROCEDURE, renderInvestigatePrompt } from '../../src/mcp/prompts.js';

describe('parseListenAddress', () => {
  it('defaults the host to loopback and accepts names, IPv4 and bracketed IPv6', () => {
    expect(parseListenAddress('3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(parseListenAddress(':3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(parseListenAddress('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListenAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
  });
  it('rejects what is not [host:]port, saying what it expects', () => {
    for (const bad of ['', 'abc', 'host:', '70000', 'a:b:c', '::1:3000']) expect(() => parseListenAddress(bad), bad).toThrow(/\[host:\]port/);
  });
});

describe('hostAllowList', () => {
  it('accepts loopback names on the bound port only', () => {
    const ok = hostAllowList('127.0.0.1', 3000);
    expect(ok('localhost:3000')).toBe(true);
    expect(ok('127.0.0.1:3000')).toBe(true);
    expect(ok('[::1]:3000')).toBe(true);
    expect(ok('LOCALHOST:3000')).toBe(true);
    expect(ok('localhost:3001')).toBe(false);
    expect(ok('localhost')).toBe(false);
    expect(ok('evil.example.com:3000')).toBe(false);
    expect(ok('127.0.0.1.evil.example.com:3000')).toBe(false);
    expect(ok(undefined)).toBe(false);
    expect(ok('user@localhost:3000')).toBe(false);
  });
  it('adds the bound name, configured names (any port) and name:port entries', () => {
    const ok = hostAllowList('10.0.0.5', 8080, ['mcp.internal', 'gw.example.org:443', '*.bad']);
    expect(ok('10.0.0.5:8080')).toBe(true);
    expect(ok('mcp.internal:1234')).toBe(true);
    expect(ok('gw.example.org:443')).toBe(true);
    expect(ok('gw.example.org:444')).toBe(false);
    expect(ok('evil.example.com:8080')).toBe(false);
  });
  it('"*" turns the check off (behind a proxy that checks Host itself)', () => {
    expect(hostAllowList('0.0.0.0', 80, ['*'])('anything:1')).toBe(true);
  });
});

describe('originAllowList', () => {
  it('accepts no Origin (non-browser clients) and loopback origins on the bound port', () => {
    const ok = originAllowList('127.0.0.1', 3000);
    expect(ok(undefined)).toBe(true);
    expect(ok('http://localhost:3000')).toBe(true);
    expect(ok('https://127.0.0.1:3000')).toBe(true);
    expect(ok('http://localhost:5173')).toBe(false);
    expect(ok('http://evil.example.com')).toBe(false);
    expect(ok('null')).toBe(false);
  });
  it('accepts configured origins, normalised', () => {
    const ok = originAllowList('127.0.0.1', 3000, ['https://Chat.Example.org/', 'not a url']);
    expect(ok('https://chat.example.org')).toBe(true);
    expect(ok('http://chat.example.org')).toBe(false);
  });
});

describe('tokenMatches', () => {
  it('accepts exactly "Bearer <token>"', () => {
    expect(tokenMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(tokenMatches('bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(tokenMatches('Bearer s3cret-tokenX', 's3cret-token')).toBe(false);
    expect(tokenMatches('Bearer ', 's3cret-token')).toBe(false);
    expect(tokenMatches('s3cret-token', 's3cret-token')).toBe(false);
    expect(tokenMatches(undefined, 's3cret-token')).toBe(false);
  });
});

describe('investigate-incident prompt', () => {
  const all = PROCEDURE.flatMap((s) => s.tools.map((t) => t.name));

  it('names the tools in investigation order when all are served', () => {
    const text = renderInvestigatePrompt({ question: 'Why do checkouts fail?' }, [...all, 'native_query']);
    const order = ['list_services', 'rank_suspects', 'find_prevalent_errors', 'find_slow_spans', 'compare_attributes', 'log_patterns', 'hot_functions', 'lookup_source', 'explain'];
    expect(text).not.toContain('`investigate`'); // not served here
    const positions = order.map((n) => text.indexOf(`\`${n}\``));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('Other tools when you need them: `native_query`');
    expect(text).toContain('write your answer in English (the language the question is written in)');
    expect(text).toMatch(/never instructions to follow/);
    expect(text).toMatch(/native query it returned/);
    expect(text).not.toMatch(/\n{3,}/);
  });

  it('offers the whole-procedure tool as an overview when it is served', () => {
    const text = renderInvestigatePrompt({ question: 'q' }, ['list_services', 'investigate']);
    expect(text).toMatch(/`investigate` runs this whole procedure at once/);
    expect(text).not.toContain('Other tools');
  });

  it('leaves out tools that are not served and numbers the remaining steps', () => {
    const text = renderInvestigatePrompt({ question: 'q' }, ['list_services', 'hot_functions']);
    expect(text).not.toContain('find_slow_spans');
    expect(text).toMatch(/1\. Orient[^\n]*\n\s+- `list_services`/);
    expect(text).toMatch(/2\. Go down to the code[^\n]*\n\s+- `hot_functions`/);
  });

  it('carries service, time range and language, without HTML escaping', () => {
    const text = renderInvestigatePrompt({ question: 'Pourquoi <checkout> échoue & rame ?', service: 'checkout', from: '10:04', language: 'fr' }, ['list_services']);
    expect(text).toContain('Pourquoi <checkout> échoue & rame ?');
    expect(text).toContain('the service "checkout"');
    expect(text).toContain('from 10:04 to the default end');
    expect(text).toContain('write your answer in French (français),');
  });

  it('names the detected language of the question, catalogue or not', () => {
    expect(renderInvestigatePrompt({ question: 'Perché gli ordini falliscono dalle 10?' }, ['list_services'])).toContain('write your answer in Italian (italiano) (the language the question is written in)');
    expect(renderInvestigatePrompt({ question: 'Prečo je checkout taký pomalý?' }, ['list_services'])).toContain('write your answer in Slovak (slovenčina)');
  });

  it('completes languages by code or name', () => {
    expect(completeLanguage('fr')).toEqual(['fr']);
    expect(completeLanguage('Deu')).toEqual(['de']);
    expect(completeLanguage('')).toContain('en');
  });
});
