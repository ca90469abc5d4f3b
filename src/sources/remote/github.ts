// GitHub as a code source, through Octokit: file contents at a ref (paths from stack traces are
// resolved against the repository tree by longest common suffix), and code search to find where a
// function is defined when only its name is known. Repository per service from GITHUB_REPOS, else
// GITHUB_OWNER/GITHUB_REPO, else Pyroscope's service_repository/service_git_ref labels.
// Rate limits (403/429 with x-ratelimit-* headers) become a clear error with the reset time.
import type { Octokit } from '@octokit/rest';
import type { CodeSource, SourceFile } from '../types.js';
import { definitionPatterns, likelyExtensions, parseSymbol } from '../../analysis/profiles/symbols.js';
import { commonSuffixSegments } from '../bundle/source.js';
import { boundText, describeJson } from '../../http.js';
import { noteLeftOut, noteLine } from './answer-notes.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 64 << 20;

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * A file's base64 content as text. Buffer.from(…, 'base64') skips what is not base64 without a word,
 * which would show a garbled file as the source: such content, or content shorter than the file's
 * size, is an error naming the file.
 */
export function decodeBase64(content: string, where: string, size?: number): string {
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new CodeSourceError(`GitHub answered the content of ${where} as "base64" but it is not valid base64 (${JSON.stringify(boundText(content, 40))}).`, 'retry; if it persists, check that GITHUB_API_URL points at the GitHub REST API and no proxy rewrites its answers.');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (size !== undefined && bytes.length !== size) {
    throw new CodeSourceError(`GitHub answered ${bytes.length} of the ${size} bytes of ${where} (the content was cut).`, 'retry; if it persists, check the network path to GitHub (a proxy that cuts answers).');
  }
  return bytes.toString('utf8');
}

/**
 * fetch for Octokit with the limits every backend has: a timeout per request (head and body) and a cap
 * on the answer's size, so a stalled or endless GitHub answer ends the lookup with a clear error.
 */
export function boundedFetch(timeoutMs: number, maxBytes: number, api: string): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const tooLarge = () => new CodeSourceError(`GitHub at ${api} answered more than ${maxBytes} bytes for one request.`, 'pass a narrower file, or raise QUERYLESS_MAX_RESPONSE_BYTES.');
    try {
      const res = await fetch(input, { ...init, signal });
      const len = Number(res.headers.get('content-length'));
      if (Number.isFinite(len) && len > maxBytes) {
        await res.body?.cancel().catch(() => {});
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let total = 0;
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          total += chunk.length;
          if (total > maxBytes) {
            await res.body.cancel().catch(() => {});
            throw tooLarge();
          }
          chunks.push(Buffer.from(chunk));
        }
      }
      const body = res.status === 204 || res.status === 205 || res.status === 304 ? null : Buffer.concat(chunks);
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (e) {
      if (e instanceof CodeSourceError) throw e;
      if (timeout.aborted && !init?.signal?.aborted) throw new CodeSourceError(`GitHub at ${api} did not answer within ${timeoutMs} ms.`, 'retry later, or raise QUERYLESS_TIMEOUT_MS.');
      throw e;
    }
  };
}

/** A code lookup that could not be done: what was wrong and what to do. */
export class CodeSourceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CodeSourceError';
  }
}

export interface RepoRef {
  owner: string;
  repo: string;
  ref?: string;
  /** Path prefix of the service inside the repository (Pyroscope's service_root_path). */
  rootPath?: string;
}

export interface GitHubOptions {
  token?: string;
  apiUrl?: string;
  owner?: string;
  repo?: string;
  ref?: string;
  /** service → owner/repo */
  repos?: Record<string, string>;
  /** Per-request limits, as for the other backends (QUERYLESS_TIMEOUT_MS, QUERYLESS_MAX_RESPONSE_BYTES). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Last resort: ask the profiles backend (service_repository / service_git_ref labels). */
  resolveRepo?: (service: string, signal?: AbortSignal) => Promise<{ repository: string; ref?: string; rootPath?: string } | undefined>;
}

const LANGUAGE: Record<string, string> = { go: 'go', java: 'java', kt: 'kotlin', py: 'python', rb: 'ruby', rs: 'rust', cs: 'csharp', js: 'javascript', ts: 'typescript', scala: 'scala', php: 'php' };

/** `https://github.com/acme/ride`, `git@github.com:acme/ride.git`, `github.com/acme/ride`, `acme/ride` → owner/repo. */
export function parseRepository(text: string): { owner: string; repo: string } | undefined {
  const t = text.trim().replace(/\.git$/, '').replace(/\/+$/, '');
  const m = /(?:github\.com[/:])?([\w.-]+)\/([\w.-]+)$/.exec(t.replace(/^https?:\/\//, ''));
  if (!m) return undefined;
  return { owner: m[1]!, repo: m[2]! };
}

interface OctokitError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

export class GitHubCodeSource implements CodeSource {
  readonly kind = 'github' as const;
  private octokitP: Promise<Octokit> | undefined;
  private readonly trees = new Map<string, Promise<string[] | undefined>>();
  private readonly repoCache = new Map<string, Promise<RepoRef>>();

  constructor(private readonly opts: GitHubOptions) {}

  /** The Octokit client, loaded on the first request: Octokit's modules cost start-up to every
   * command that merely has GitHub configured, and most runs never read code from it. */
  private octokit(): Promise<Octokit> {
    this.octokitP ??= import('@octokit/rest').then(
      ({ Octokit }) =>
        new Octokit({
          auth: this.opts.token,
          baseUrl: this.opts.apiUrl ?? 'https://api.github.com',
          userAgent: 'queryless',
          request: { retries: 0, fetch: boundedFetch(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, this.opts.maxResponseBytes ?? DEFAULT_MAX_BYTES, this.api()) },
          log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        }),
    );
    return this.octokitP;
  }

  /** The repository holding a service's code, or a CodeSourceError saying how to configure one. */
  repoFor(service: string | undefined, signal?: AbortSignal): Promise<RepoRef> {
    const key = service ?? '';
    let p = this.repoCache.get(key);
    if (!p) {
      p = this.resolve(service, signal);
      this.repoCache.set(key, p);
      p.catch(() => this.repoCache.delete(key));
    }
    return p;
  }

  private async resolve(service: string | undefined, signal?: AbortSignal): Promise<RepoRef> {
    const mapped = service ? this.opts.repos?.[service] : undefined;
    if (mapped) {
      const r = parseRepository(mapped);
      if (r) return { ...r, ref: this.opts.ref };
    }
    if (this.opts.owner && this.opts.repo) return { owner: this.opts.owner, repo: this.opts.repo, ref: this.opts.ref };
    if (service && this.opts.resolveRepo) {
      const hit = await this.opts.resolveRepo(service, signal).catch(() => undefined);
      const r = hit ? parseRepository(hit.repository) : undefined;
      if (r) return { ...r, ref: hit!.ref ?? this.opts.ref, rootPath: hit!.rootPath };
    }
    throw new CodeSourceError(
      `no GitHub repository is configured${service ? ` for service "${service}"` : ''}.`,
      'set GITHUB_REPOS=service=owner/repo[,…] (or GITHUB_OWNER and GITHUB_REPO), or label profiles with service_repository and service_git_ref.',
    );
  }

  /** Maps Octokit failures onto clear errors; 404 → undefined. */
  private async call<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      // The bounded fetch's own errors (timeout, answer too large) come wrapped by Octokit.
      const cause = (e as { cause?: unknown }).cause;
      if (e instanceof CodeSourceError) throw e;
      if (cause instanceof CodeSourceError) throw cause;
      const err = e as OctokitError;
      const h = err.response?.headers ?? {};
      const status = err.status;
      if (status === 404) return undefined;
      const remaining = h['x-ratelimit-remaining'];
      const msg = String((err.response?.data as { message?: string } | undefined)?.message ?? err.message ?? '');
      if ((status === 403 || status === 429) && (remaining === '0' || /rate limit/i.test(msg))) {
        const reset = Number(h['x-ratelimit-reset']);
        const retryAfter = Number(h['retry-after']);
        const when = Number.isFinite(reset) && reset > 0 ? `resets at ${new Date(reset * 1000).toISOString()}` : Number.isFinite(retryAfter) && retryAfter > 0 ? `retry after ${retryAfter}s` : 'wait at least a minute';
        const resource = h['x-ratelimit-resource'] ? ` (${h['x-ratelimit-resource']} bucket, limit ${h['x-ratelimit-limit'] ?? '?'})` : '';
        throw new CodeSourceError(
          `GitHub rate limit exceeded while ${what}${resource}; ${when}.`,
          this.opts.token ? 'wait for the reset, or use a token with a higher limit.' : 'set GITHUB_TOKEN: unauthenticated requests are limited to 60 per hour.',
        );
      }
      if (status === 401) throw new CodeSourceError(`GitHub rejected the token while ${what} (HTTP 401: ${msg}).`, 'check GITHUB_TOKEN (expired or revoked?).');
      if (status === 403) throw new CodeSourceError(`GitHub denied access while ${what} (HTTP 403: ${msg}).`, 'check that GITHUB_TOKEN can read the repository.');
      if (status === 422) throw new CodeSourceError(`GitHub could not run the request while ${what} (HTTP 422: ${msg}).`, 'check the repository name in GITHUB_REPOS and that the token can read it.');
      // Octokit reports a request that got no answer (reset, refused) as status 500 without a response.
      if (status && err.response) throw new CodeSourceError(`GitHub answered HTTP ${status} while ${what}: ${boundText(msg, 300)}`, status >= 500 ? 'GitHub or a proxy in front of it failed; retry later.' : undefined);
      throw new CodeSourceError(`GitHub unreachable while ${what}: ${(e as Error).message}`, 'check network access to api.github.com (or GITHUB_API_URL).');
    }
  }

  private api(): string {
    return (this.opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  }

  /** "GitHub at URL answered X with Y, but Queryless expected Z", with what to check. */
  private shapeError(what: string, got: unknown, expected: string): CodeSourceError {
    const said = typeof got === 'string' ? `text that is not the JSON expected (${JSON.stringify(got.slice(0, 80))}${got.length > 80 ? '…' : ''})` : describeJson(got);
    return new CodeSourceError(`GitHub at ${this.api()} answered ${what} with ${said}, but Queryless expected ${expected}.`, 'check that GITHUB_API_URL points at the GitHub REST API (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise) and retry; a proxy may be cutting or rewriting answers.');
  }

  /** Every blob path of the repository at the ref (one request), or undefined when truncated/unavailable. */
  private tree(r: RepoRef, signal?: AbortSignal): Promise<string[] | undefined> {
    const key = `${r.owner}/${r.repo}@${r.ref ?? 'HEAD'}`;
    let t = this.trees.get(key);
    if (!t) {
      t = this.call(`listing ${key}`, async () => {
        const res = await (await this.octokit()).rest.git.getTree({ owner: r.owner, repo: r.repo, tree_sha: r.ref ?? 'HEAD', recursive: '1', request: { signal } });
        const data: unknown = res.data;
        if (!isRecord(data) || !Array.isArray(data.tree)) throw this.shapeError(`the tree of ${key}`, data, '{"tree":[…]}');
        if (data.truncated) return undefined;
        const entries = data.tree.filter(isRecord);
        noteLeftOut('GitHub', 'tree entry that is no object', data.tree.length - entries.length);
        const blobs = entries.filter((e) => e.type === 'blob' && typeof e.path === 'string');
        return blobs.map((e) => e.path as string);
      });
      this.trees.set(key, t);
      t.catch(() => this.trees.delete(key));
    }
    return t;
  }

  private async content(r: RepoRef, path: string, signal?: AbortSignal): Promise<SourceFile | undefined> {
    const res = await this.call(`reading ${r.owner}/${r.repo}/${path}`, async () =>
      (await this.octokit()).rest.repos.getContent({ owner: r.owner, repo: r.repo, path, ...(r.ref ? { ref: r.ref } : {}), request: { signal } }),
    );
    if (!res) return undefined;
    const data: unknown = res.data;
    // A directory answers a list of entries; any other list, or anything else but an object, is no contents answer.
    if (Array.isArray(data) && data.every((e) => isRecord(e) && typeof e.type === 'string')) return undefined;
    if (!isRecord(data) || typeof data.type !== 'string') throw this.shapeError(`the contents of ${r.owner}/${r.repo}/${path}`, data, '{"type":"file","encoding":"base64","content":…}');
    if (data.type !== 'file') return undefined;
    const size = typeof data.size === 'number' ? data.size : undefined;
    let text: string;
    if (data.encoding === 'base64' && typeof data.content === 'string') {
      text = decodeBase64(data.content, `${r.owner}/${r.repo}/${path}`, size);
    } else {
      // Files over 1 MB come without content (encoding "none"): ask for the raw media type.
      const raw = await this.call(`reading ${path} (raw)`, async () =>
        (await this.octokit()).rest.repos.getContent({ owner: r.owner, repo: r.repo, path, ...(r.ref ? { ref: r.ref } : {}), mediaType: { format: 'raw' }, request: { signal } }),
      );
      if (!raw) return undefined;
      const body: unknown = raw.data;
      // The raw media type comes as text, or as bytes when GitHub calls it binary.
      if (typeof body === 'string') text = body;
      else if (body instanceof ArrayBuffer) text = Buffer.from(body).toString('utf8');
      else throw this.shapeError(`the raw contents of ${r.owner}/${r.repo}/${path}`, body, 'the file as text');
      if (size !== undefined && Buffer.byteLength(text) < size) {
        throw new CodeSourceError(`GitHub answered ${Buffer.byteLength(text)} of the ${size} bytes of ${r.owner}/${r.repo}/${path} (the answer was cut).`, 'retry; if it persists, check the network path to GitHub (a proxy that cuts answers).');
      }
    }
    // The link shown with the code: GitHub's html_url, when it is one.
    const url = typeof data.html_url === 'string' && /^https?:\/\//.test(data.html_url) ? data.html_url : undefined;
    if (data.html_url !== undefined && data.html_url !== null && !url) noteLeftOut('GitHub', 'file link (html_url) that is no URL');
    return { repo: `${r.owner}/${r.repo}`, path: typeof data.path === 'string' ? data.path : path, ref: r.ref, text, url };
  }

  /** Candidate repository paths for a path from a stack trace, most specific first. */
  private candidates(r: RepoRef, p: string): string[] {
    let x = p.replace(/\\/g, '/').replace(/^\/+/, '');
    // Module-qualified paths (`github.com/acme/ride/internal/x.go`) and -trimpath forms.
    const prefix = `github.com/${r.owner}/${r.repo}/`;
    const i = x.indexOf(prefix);
    if (i >= 0) x = x.slice(i + prefix.length).replace(/^v\d+\//, '');
    const segs = x.split('/').filter(Boolean);
    const out: string[] = [];
    for (let k = 0; k < segs.length && out.length < 12; k++) {
      const tail = segs.slice(k).join('/');
      if (r.rootPath) out.push(`${r.rootPath.replace(/\/+$/, '')}/${tail}`);
      out.push(tail);
    }
    return [...new Set(out)];
  }

  async readFile(service: string | undefined, p: string, signal?: AbortSignal): Promise<SourceFile | undefined> {
    const r = await this.repoFor(service, signal);
    // Dependencies from the module cache are not in the service repository.
    if (/\/pkg\/mod\/|@v\d/.test(p)) return undefined;
    const tree = await this.tree(r, signal).catch((e) => {
      if (e instanceof CodeSourceError && /rate limit/.test(e.message)) throw e;
      return undefined;
    });
    if (tree) {
      let best: string | undefined;
      let score = 0;
      for (const f of tree) {
        const s = commonSuffixSegments(f, p);
        if (s > score || (s === score && s > 0 && best && f.length < best.length)) {
          best = f;
          score = s;
        }
      }
      return best ? this.content(r, best, signal) : undefined;
    }
    for (const c of this.candidates(r, p)) {
      const f = await this.content(r, c, signal);
      if (f) return f;
    }
    return undefined;
  }

  async findFunction(service: string | undefined, functionName: string, signal?: AbortSignal): Promise<Array<{ file: SourceFile; line: number }>> {
    const r = await this.repoFor(service, signal);
    if (!this.opts.token) {
      throw new CodeSourceError('GitHub code search needs authentication, and no token is configured.', 'set GITHUB_TOKEN (a token that can read the repository), or pass the file path (file=… or location=file:line) instead of only the function name.');
    }
    const sym = parseSymbol(functionName);
    const exts = likelyExtensions(functionName);
    const lang = exts.length ? LANGUAGE[exts[0]!] : undefined;
    // Code search ignores punctuation: search the bare words (`Lookup LoginCache`), not `(*LoginCache).Lookup`.
    const words = [sym.func, sym.owner].filter(Boolean).join(' ');
    const base = `${words} repo:${r.owner}/${r.repo}${lang ? ` language:${lang}` : ''}`;
    const queries = sym.dir ? [`${base} path:${sym.dir}`, base] : [base];
    const out: Array<{ file: SourceFile; line: number }> = [];
    for (const q of queries) {
      const res = await this.call(`searching code (${q})`, async () => (await this.octokit()).rest.search.code({ q, per_page: 10, request: { signal } }));
      const data: unknown = res?.data;
      if (res && (!isRecord(data) || !Array.isArray(data.items))) throw this.shapeError('a code search', data, '{"total_count":…,"items":[…]}');
      // GitHub stops a search that takes too long and says so: what it found is a part.
      if (isRecord(data) && data.incomplete_results === true) noteLine(`GitHub code search for ${q} timed out and answered incomplete results: the function may be defined elsewhere too`);
      const items = (isRecord(data) && Array.isArray(data.items) ? data.items : []).filter((i): i is { path: string; url: string } => isRecord(i) && typeof i.path === 'string');
      for (const item of items.slice(0, 5)) {
        const ref = r.ref ?? /[?&]ref=([^&]+)/.exec(typeof item.url === 'string' ? item.url : '')?.[1];
        const file = await this.content({ ...r, ref }, item.path, signal);
        if (!file) continue;
        const ext = item.path.slice(item.path.lastIndexOf('.') + 1).toLowerCase();
        const patterns = definitionPatterns(ext, sym);
        const lines = file.text.split('\n');
        const idx = lines.findIndex((l) => l.includes(sym.func) && patterns.some((re) => re.test(l)));
        if (idx >= 0) out.push({ file, line: idx + 1 });
      }
      if (out.length) break;
    }
    return out;
  }
}

export function createGitHubCodeSource(opts: GitHubOptions): GitHubCodeSource {
  return new GitHubCodeSource(opts);
}

/**
 * GitHub code source from the configuration. Always built for live backends so that lookups can say
 * precisely what is missing (token, repository); repositories can also come from the profiles backend.
 */
export function githubFromConfig(
  gh: import('../../config.js').Config['github'],
  profiles: import('../types.js').ProfileSource | undefined,
  window: import('../types.js').TimeRange,
  extraRepos: Record<string, string> = {},
): GitHubCodeSource {
  return new GitHubCodeSource({
    token: gh.token,
    apiUrl: gh.apiUrl,
    owner: gh.owner,
    repo: gh.repo,
    ref: gh.ref,
    repos: { ...extraRepos, ...gh.repos },
    timeoutMs: gh.timeoutMs,
    maxResponseBytes: gh.maxResponseBytes,
    resolveRepo: profiles?.repository ? (service, signal) => profiles.repository!(service, window, signal) : undefined,
  });
}
