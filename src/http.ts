// One HTTP client for every backend: timeouts, retries of idempotent calls, a response-size cap,
// errors that name the backend, the status and what to do. Uses Node's global fetch (undici inside, and
// interceptable by nock in tests); the undici package adds proxy support from HTTP(S)_PROXY.
import type { BackendConfig } from './config.js';
import { maskSecrets } from './log.js';

// Loaded only when a proxy is configured: undici costs ~0.1 s of start-up otherwise.
if (process.env.HTTPS_PROXY || process.env.HTTP_PROXY || process.env.https_proxy || process.env.http_proxy) {
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(new EnvHttpProxyAgent());
}

export class BackendError extends Error {
  constructor(
    readonly backend: string,
    readonly status: number | undefined,
    message: string,
    readonly hint?: string,
  ) {
    super(maskSecrets(message));
    this.name = 'BackendError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | undefined | Array<string | number>>;
  /** Form body (application/x-www-form-urlencoded) for POST. */
  form?: Record<string, string | number | undefined | Array<string | number>>;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Retries for idempotent requests on 429/5xx/network errors (default 2). */
  retries?: number;
  accept?: string;
}

function encodeParams(p: Record<string, string | number | undefined | Array<string | number>>): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) sp.append(k, String(x));
    else sp.append(k, String(v));
  }
  return sp;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('aborted'));
    });
  });

const HINTS: Record<number, string> = {
  400: 'the backend rejected the request; check the query or parameters',
  401: 'authentication failed: check the token or user/password variables',
  403: 'permission denied: the credentials lack access (or the tenant header is wrong)',
  404: 'not found: check the URL (path prefix such as /prometheus for Mimir) or the id',
  429: 'rate-limited: retry later or narrow the time range',
  502: 'the backend or a proxy in front of it is unreachable',
  503: 'the backend is unavailable',
  504: 'the backend timed out: narrow the time range or the selector',
};

export class HttpClient {
  constructor(readonly cfg: BackendConfig) {}

  private url(path: string, query?: RequestOptions['query']): string {
    const base = this.cfg.url.replace(/\/+$/, '');
    const qs = query ? encodeParams(query).toString() : '';
    return `${base}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
  }

  /** Performs the request and returns the body as text (bounded by maxResponseBytes). */
  async text(path: string, opts: RequestOptions = {}): Promise<{ status: number; body: string; headers: Headers }> {
    const method = opts.method ?? 'GET';
    const retries = opts.retries ?? 2;
    const headers: Record<string, string> = { ...this.cfg.headers, ...(opts.headers ?? {}) };
    if (opts.accept) headers.Accept = opts.accept;
    let body: string | undefined;
    if (opts.form) {
      body = encodeParams(opts.form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = 'application/json';
    }
    const target = this.url(path, opts.query);
    let lastErr: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const timeout = AbortSignal.timeout(this.cfg.timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      try {
        const init: RequestInit = { method, headers, body, signal };
        const res = await fetch(target, init);
        const text = await readBounded(res, this.cfg.maxResponseBytes, this.cfg.name);
        if (res.status === 429 || res.status >= 500) {
          lastErr = this.httpError(res.status, text);
          if (attempt < retries) {
            const ra = Number(res.headers.get('retry-after'));
            await sleep(Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 5000) : 250 * 2 ** attempt, opts.signal);
            continue;
          }
          throw lastErr;
        }
        if (res.status >= 400) throw this.httpError(res.status, text);
        return { status: res.status, body: text, headers: res.headers as unknown as Headers };
      } catch (e) {
        if (e instanceof BackendError) throw e;
        if (opts.signal?.aborted) throw new BackendError(this.cfg.name, undefined, `${this.cfg.name} request cancelled`);
        if (timeout.aborted) {
          lastErr = new BackendError(this.cfg.name, undefined, `${this.cfg.name} did not answer within ${this.cfg.timeoutMs} ms (${method} ${path})`, 'narrow the time range, or raise QUERYLESS_TIMEOUT_MS');
        } else {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          lastErr = new BackendError(this.cfg.name, undefined, `${this.cfg.name} unreachable at ${this.cfg.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, `check ${this.cfg.name.toUpperCase()}_URL and that the service is running`);
        }
        if (attempt < retries) {
          await sleep(250 * 2 ** attempt, opts.signal);
          continue;
        }
        throw lastErr;
      }
    }
    throw lastErr;
  }

  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const { body } = await this.text(path, { accept: 'application/json', ...opts });
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new BackendError(this.cfg.name, 200, `${this.cfg.name} answered ${path} with something that is not JSON: ${body.slice(0, 120)}`);
    }
  }

  private httpError(status: number, body: string): BackendError {
    let detail = body.trim();
    try {
      const j = JSON.parse(detail) as { error?: string; message?: string };
      detail = j.error ?? j.message ?? detail;
    } catch {
      /* plain-text error bodies (Loki, Tempo) */
    }
    return new BackendError(this.cfg.name, status, `${this.cfg.name} answered HTTP ${status}: ${detail.slice(0, 500)}`, HINTS[status]);
  }
}

async function readBounded(res: Response, max: number, name: string): Promise<string> {
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > max) {
    await res.body?.cancel();
    throw new BackendError(name, res.status, `${name} answer too large (${len} bytes > ${max})`, 'narrow the time range or selector, or raise QUERYLESS_MAX_RESPONSE_BYTES');
  }
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      await res.body.cancel().catch(() => {});
      throw new BackendError(name, res.status, `${name} answer too large (over ${max} bytes)`, 'narrow the time range or selector, or raise QUERYLESS_MAX_RESPONSE_BYTES');
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
