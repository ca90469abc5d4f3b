// The GitHub source under damaged answers (found by the remote fuzz campaign with `--backend github`):
// content that is not base64 or shorter than its size, a file too large for the contents API whose raw
// text comes as bytes, JSON cut short, answers past the size cap or the timeout, a connection reset,
// incomplete code search results. Each is a clear error naming GitHub (or a partial mark), never the
// token. Bodies and headers are shaped like GitHub's REST API (docs.github.com/rest).
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { loadTool } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';

afterEach(() => nock.cleanAll());

const API = 'http://gh.test';
const TOKEN = 'gh-tok-Test81kq';
const FILE = 'shop/payment/card.go';
const TEXT = 'package payment\n\n// Validate checks the card.\nfunc (c *Card) Validate() error {\n\treturn nil\n}\n';
const tree = { sha: 'c1', url: `${API}/repos/acme/shop/git/trees/c1`, tree: [{ path: FILE, mode: '100644', type: 'blob', sha: 'b1', size: TEXT.length, url: `${API}/repos/acme/shop/git/blobs/b1` }], truncated: false };
const contents = (over: Record<string, unknown> = {}) => ({
  type: 'file',
  encoding: 'base64',
  size: Buffer.byteLength(TEXT),
  name: 'card.go',
  path: FILE,
  content: Buffer.from(TEXT).toString('base64'),
  sha: 'b1',
  html_url: `https://github.com/acme/shop/blob/v1/${FILE}`,
  ...over,
});

async function lookup(args: Record<string, unknown>, env: Record<string, string> = {}) {
  const sources = await createSources(loadConfig({ GITHUB_API_URL: API, GITHUB_TOKEN: TOKEN, GITHUB_OWNER: 'acme', GITHUB_REPO: 'shop', GITHUB_REF: 'v1', QUERYLESS_TIMEOUT_MS: '2000', ...env }));
  return runTool((await loadTool('lookup_source'))!, args, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: 20_000 });
}
const withTree = () => nock(API).get('/repos/acme/shop/git/trees/v1').query(true).reply(200, tree);
const contentsPath = /^\/repos\/acme\/shop\/contents\//;

describe('GitHub under damaged answers', () => {
  it('content that is not base64 is an error naming GitHub and the file, not a garbled snippet', async () => {
    withTree();
    nock(API).get(contentsPath).query(true).reply(200, contents({ content: 'cGFja2FnZS%%% not base64 !!\n' }));
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub answered the content of acme\/shop\/shop\/payment\/card\.go as "base64" but it is not valid base64/);
    expect(r.text).toMatch(/\nWhat to do: retry/);
  });

  it('a file link that is no URL is left out and said, not printed as the link; so is a tree entry that is no object', async () => {
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).reply(200, { ...tree, tree: ['x', ...tree.tree] });
    nock(API).get(contentsPath).query(true).reply(200, contents({ html_url: 'x' }));
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(false);
    expect(r.text).not.toMatch(/^x#L/m);
    expect((r.structured?.problems as string[]).join('\n')).toMatch(/GitHub: 1 × file link \(html_url\) that is no URL/);
    expect((r.structured?.problems as string[]).join('\n')).toMatch(/GitHub: 1 × tree entry that is no object/);
  });

  it('content shorter than its size (cut on the way) is an error, not a shorter file', async () => {
    withTree();
    nock(API).get(contentsPath).query(true).reply(200, contents({ content: Buffer.from(TEXT.slice(0, 10)).toString('base64') }));
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub answered 10 of the \d+ bytes of acme\/shop\/shop\/payment\/card\.go \(the content was cut\)/);
  });

  it('a file too large for the contents API (encoding "none") is read raw, also when the raw answer comes as bytes', async () => {
    withTree();
    nock(API)
      .get(contentsPath)
      .query(true)
      .reply(function () {
        // The raw media type answers the file itself; GitHub calls some files binary (octet-stream).
        return /raw/.test(String(this.req.headers.accept)) ? [200, Buffer.from(TEXT), { 'content-type': 'application/octet-stream' }] : [200, contents({ content: '', encoding: 'none' })];
      })
      .persist();
    const r = await lookup({ file: FILE, function: 'Validate' });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/func \(c \*Card\) Validate\(\) error \{/);
    expect(r.text).not.toMatch(/ArrayBuffer/);
  });

  it('JSON cut short is an error naming GitHub and GITHUB_API_URL, not "not found"', async () => {
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).reply(200, JSON.stringify(tree).slice(0, 40), { 'content-type': 'application/json' });
    nock(API).get(contentsPath).query(true).reply(200, JSON.stringify(contents()).slice(0, 50), { 'content-type': 'application/json' }).persist();
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub at http:\/\/gh\.test answered the contents of acme\/shop\/.*card\.go with text that is not the JSON expected/);
    expect(r.text).toMatch(/What to do: check that GITHUB_API_URL points at the GitHub REST API/);
  });

  it('a list that is no directory listing (JSON 200,000 deep) is an error, not "no such file"', async () => {
    withTree();
    nock(API).get(contentsPath).query(true).reply(200, `${'['.repeat(200_000)}${']'.repeat(200_000)}`, { 'content-type': 'application/json' }).persist();
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub at http:\/\/gh\.test answered the contents of acme\/shop\/shop\/payment\/card\.go with (an array of 1|text that is not the JSON expected)/);
  });

  it('an answer past the size cap, or past the timeout, ends the lookup with a clear error', async () => {
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).reply(200, { ...tree, pad: 'x'.repeat(4000) });
    nock(API).get(contentsPath).query(true).reply(200, { ...contents(), pad: 'x'.repeat(4000) });
    const big = await lookup({ file: FILE }, { QUERYLESS_MAX_RESPONSE_BYTES: '2048' });
    expect(big.isError).toBe(true);
    expect(big.text).toMatch(/GitHub at http:\/\/gh\.test answered more than 2048 bytes for one request/);
    expect(big.text).toMatch(/raise QUERYLESS_MAX_RESPONSE_BYTES/);
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).delay(1500).reply(200, tree);
    nock(API).get(contentsPath).query(true).delay(1500).reply(200, contents());
    const slow = await lookup({ file: FILE }, { QUERYLESS_TIMEOUT_MS: '200' });
    expect(slow.isError).toBe(true);
    expect(slow.text).toMatch(/GitHub at http:\/\/gh\.test did not answer within 200 ms/);
  });

  it('a connection reset is "unreachable", not "GitHub answered HTTP 500"', async () => {
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).replyWithError('socket hang up');
    nock(API).get(contentsPath).query(true).replyWithError('socket hang up').persist();
    const r = await lookup({ file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub unreachable while reading acme\/shop\//);
    expect(r.text).not.toMatch(/HTTP 500/);
  });

  it('incomplete code search results mark the answer partial; an error page quoting the token never shows it', async () => {
    withTree();
    nock(API)
      .get('/search/code')
      .query(true)
      .reply(200, { total_count: 1, incomplete_results: true, items: [{ name: 'card.go', path: FILE, sha: 'b1', url: `${API}/repositories/1/contents/${FILE}?ref=b1`, html_url: `https://github.com/acme/shop/blob/b1/${FILE}`, repository: { full_name: 'acme/shop' }, score: 1 }] });
    nock(API).get(contentsPath).query(true).reply(200, contents());
    const r = await lookup({ function: 'Validate' });
    expect(r.isError).toBe(false);
    expect((r.structured?.problems as string[]).join('\n')).toMatch(/GitHub code search for .* timed out and answered incomplete results/);
    nock(API).get('/repos/acme/shop/git/trees/v1').query(true).reply(401, { message: `Bad credentials: Authorization: token ${TOKEN}` });
    nock(API).get(contentsPath).query(true).reply(401, { message: `Bad credentials: Authorization: token ${TOKEN}` }).persist();
    const denied = await lookup({ file: FILE });
    expect(denied.isError).toBe(true);
    expect(denied.text).toMatch(/GitHub rejected the token/);
    expect(denied.text).not.toContain(TOKEN);
  });
});
