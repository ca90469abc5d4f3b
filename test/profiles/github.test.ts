// GitHub code source under nock, with bodies and headers shaped like GitHub's REST API
// (contents, git trees, code search, 404 and rate-limit answers).
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeSourceError, GitHubCodeSource, parseRepository } from '../../src/sources/remote/github.js';
import { runTool } from '../../tools/run.js';
import { lookupSource } from '../../tools/lookup_source.js';
import type { ToolDef } from '../../tools/types.js';
import type { Sources } from '../../src/sources/types.js';

const API = 'https://api.github.com';
const FILE = 'internal/driver/login_cache.go';
const TEXT = `package driver

import "sync"

type LoginCache struct{ mu sync.Mutex }

// Lookup scans every entry under the lock.
func (c *LoginCache) Lookup(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return false
}
`;
const SHA = '7638417db6d59f3c431d3e1f261cc637155684cd';
const COMMIT = '825ac3773694e0cd23ee74895fd5aeb535b27da4';

/** GitHub wraps base64 content at 60 characters with embedded newlines. */
function b64lines(s: string): string {
  return (Buffer.from(s).toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
}

function contentBody(path: string, ref: string) {
  return {
    type: 'file',
    encoding: 'base64',
    size: TEXT.length,
    name: path.split('/').pop(),
    path,
    content: b64lines(TEXT),
    sha: SHA,
    url: `${API}/repos/acme/ride/contents/${path}?ref=${ref}`,
    git_url: `${API}/repos/acme/ride/git/blobs/${SHA}`,
    html_url: `https://github.com/acme/ride/blob/${ref}/${path}`,
    download_url: `https://raw.githubusercontent.com/acme/ride/${ref}/${path}`,
    _links: { self: `${API}/repos/acme/ride/contents/${path}?ref=${ref}`, git: `${API}/repos/acme/ride/git/blobs/${SHA}`, html: `https://github.com/acme/ride/blob/${ref}/${path}` },
  };
}

const treeBody = {
  sha: COMMIT,
  url: `${API}/repos/acme/ride/git/trees/${COMMIT}`,
  tree: [
    { path: 'cmd', mode: '040000', type: 'tree', sha: 'a1', url: `${API}/repos/acme/ride/git/trees/a1` },
    { path: 'cmd/ride/main.go', mode: '100644', type: 'blob', sha: 'b1', size: 900, url: `${API}/repos/acme/ride/git/blobs/b1` },
    { path: FILE, mode: '100644', type: 'blob', sha: SHA, size: TEXT.length, url: `${API}/repos/acme/ride/git/blobs/${SHA}` },
    { path: 'internal/store/store.go', mode: '100644', type: 'blob', sha: 'b2', size: 1200, url: `${API}/repos/acme/ride/git/blobs/b2` },
  ],
  truncated: false,
};

const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content', status: '404' };
const contentsPath = (p: string) => new RegExp(`^/repos/acme/ride/contents/${p.split('/').join('(/|%2F)')}`);

function gh(opts: Partial<ConstructorParameters<typeof GitHubCodeSource>[0]> = {}) {
  return new GitHubCodeSource({ token: 'ghp_test', repos: { ride: 'acme/ride' }, ref: 'v1.8.0', ...opts });
}

function sourcesWith(code: GitHubCodeSource): Sources {
  return { code, defaults: { window: { start: 0, end: 1 } }, problems: [], describe: 'test' };
}
const call = (code: GitHubCodeSource, args: Record<string, unknown>) => runTool(lookupSource as unknown as ToolDef, args, { sources: sourcesWith(code), signal: new AbortController().signal, progress: () => {} });

afterEach(() => {
  nock.cleanAll();
});

describe('GitHub code source', () => {
  it('reads a file at the ref, resolving a build path through the repository tree', async () => {
    nock(API)
      .matchHeader('authorization', 'token ghp_test')
      .get('/repos/acme/ride/git/trees/v1.8.0')
      .query({ recursive: '1' })
      .reply(200, treeBody);
    nock(API).get(contentsPath(FILE)).query({ ref: 'v1.8.0' }).reply(200, contentBody(FILE, 'v1.8.0'));
    const f = await gh().readFile('ride', '/home/runner/work/ride/ride/internal/driver/login_cache.go');
    expect(f).toEqual({ repo: 'acme/ride', path: FILE, ref: 'v1.8.0', text: TEXT, url: `https://github.com/acme/ride/blob/v1.8.0/${FILE}` });
  });

  it('finds a function with code search, then locates its definition line', async () => {
    nock(API)
      .get('/search/code')
      .query((q) => q.q === 'Lookup LoginCache repo:acme/ride language:go path:internal/driver')
      .reply(200, {
        total_count: 1,
        incomplete_results: false,
        items: [
          {
            name: 'login_cache.go',
            path: FILE,
            sha: SHA,
            url: `${API}/repositories/167174/contents/${FILE}?ref=${COMMIT}`,
            git_url: `${API}/repositories/167174/git/blobs/${SHA}`,
            html_url: `https://github.com/acme/ride/blob/${COMMIT}/${FILE}`,
            repository: { id: 167174, name: 'ride', full_name: 'acme/ride', owner: { login: 'acme' } },
            score: 1,
          },
        ],
      });
    nock(API).get(contentsPath(FILE)).query({ ref: COMMIT }).reply(200, contentBody(FILE, COMMIT));
    const found = await gh({ ref: undefined }).findFunction('ride', 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup');
    expect(found.map((f) => [f.file.path, f.line, f.file.ref])).toEqual([[FILE, 8, COMMIT]]);
  });

  it('lookup_source shows the snippet and a GitHub link with the line range', async () => {
    nock(API).get('/repos/acme/ride/git/trees/v1.8.0').query(true).reply(200, treeBody);
    nock(API).get(contentsPath(FILE)).query(true).reply(200, contentBody(FILE, 'v1.8.0'));
    const r = await call(gh(), { service: 'ride', location: 'github.com/acme/ride/internal/driver/login_cache.go:9', function: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup' });
    expect(r.isError).toBe(false);
    const d = r.structured as any;
    expect([d.path, d.definition_line, d.start_line, d.end_line]).toEqual([FILE, 8, 8, 12]);
    expect(d.url).toBe(`https://github.com/acme/ride/blob/v1.8.0/${FILE}#L8-L12`);
    expect(r.text).toMatch(/> 9 │ {5}c\.mu\.Lock\(\)/);
  });

  it('not found: missing path and 404 answers give undefined, and the tool says so', async () => {
    nock(API).get('/repos/acme/ride/git/trees/v1.8.0').query(true).reply(200, treeBody);
    expect(await gh().readFile('ride', 'internal/billing/invoice.go')).toBeUndefined();
    nock(API).get('/repos/acme/ride/git/trees/v1.8.0').query(true).reply(404, notFound);
    nock(API).get(/\/repos\/acme\/ride\/contents\//).query(true).times(20).reply(404, notFound);
    const r = await call(gh({ ref: 'v1.8.0' }), { service: 'ride', file: 'internal/billing/invoice.go' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/file internal\/billing\/invoice\.go not found in the repository for service "ride"/);
  });

  it('rate-limited: 403 with x-ratelimit headers becomes a clear error with the reset time', async () => {
    const reset = 1_748_946_000;
    nock(API)
      .get('/repos/acme/ride/git/trees/v1.8.0')
      .query(true)
      .reply(
        403,
        { message: "API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)", documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' },
        { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '60', 'x-ratelimit-resource': 'core' },
      );
    const r = await call(gh({ token: undefined }), { service: 'ride', file: FILE });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub rate limit exceeded while listing acme\/ride@v1\.8\.0 \(core bucket, limit 60\); resets at 2025-06-03T10:20:00\.000Z/);
    expect(r.text).toMatch(/What to do: set GITHUB_TOKEN/);
    // Secondary limits answer 429 with retry-after.
    nock(API).get('/search/code').query(true).reply(429, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '60' });
    await expect(gh().findFunction('ride', 'Lookup')).rejects.toThrow(/rate limit exceeded while searching code .*retry after 60s/);
  });

  it('no token: code search is refused with what to set', async () => {
    const r = await call(gh({ token: undefined }), { service: 'ride', function: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/GitHub code search needs authentication, and no token is configured/);
    expect(r.text).toMatch(/set GITHUB_TOKEN/);
  });

  it('no repository: names the variables to set; repository can come from profile labels', async () => {
    const none = new GitHubCodeSource({ token: 't' });
    await expect(none.readFile('ride', FILE)).rejects.toThrow(CodeSourceError);
    const r = await call(none, { service: 'ride', file: FILE });
    expect(r.text).toMatch(/no GitHub repository is configured for service "ride"/);
    expect(r.text).toMatch(/GITHUB_REPOS=service=owner\/repo/);
    const viaLabels = new GitHubCodeSource({ token: 't', resolveRepo: async () => ({ repository: 'https://github.com/acme/ride.git', ref: 'abc123' }) });
    expect(await viaLabels.repoFor('ride')).toEqual({ owner: 'acme', repo: 'ride', ref: 'abc123', rootPath: undefined });
    expect(parseRepository('git@github.com:acme/ride.git')).toEqual({ owner: 'acme', repo: 'ride' });
  });
});
