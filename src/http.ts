// One HTTP client for every backend: timeouts, retries of idempotent calls, a response-size cap,
// errors that name the backend, the status and what to do. Uses Node's global fetch (undici inside, and
// interceptable by nock in tests); the undici package adds proxy support from HTTP(S)_PROXY.
import type { BackendConfig } from './config.js';
import { maskSecrets } from './mask.js';
import { MAX_ERROR_TEXT_CHARS } from './limits.js';
import { isObject } from './util/objects.js';

/** Display names for messages ("Tempo at http://…"). */
export const BACKEND_TITLES: Record<string, string> = { prometheus: 'Prometheus', loki: 'Loki', tempo: 'Tempo', pyroscope: 'Pyroscope', github: 'GitHub' };
export const backendTitle = (name: string): string => BACKEND_TITLES[name] ?? name;

/** Cuts a text quoted from a backend (an error page can be megabytes) to a readable size. */
export function boundText(text: string, max = MAX_ERROR_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… [+${text.length - max} chars]` : text;
}

/** A few words on what a JSON value is, for "expected X, got Y" messages. */
export function describeJson(v: unknown): string {
  if (v === undefined) return 'nothing there (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    return keys.length ? `an object with keys ${keys.slice(0, 6).map((k) => JSON.stringify(boundText(k, 40))).join(', ')}${keys.length > 6 ? ', …' : ''}` : 'an empty object';
  }
  return `a ${typeof v}`;
}

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
    // Bounded: a backend's error page quoted whole once made a 46 MB error text.
    super(maskSecrets(boundText(message, MAX_ERROR_TEXT_CHARS * 2)));
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
  /**
   * The JSON shape this endpoint must answer, checked before any parsing code touches it: a wrong
   * shape (another service at this URL, a proxy's page, an unsupported version) becomes a readable
   * error naming the backend, the URL and what was expected, instead of a TypeError deep inside.
   */
  expect?: { what: string; test: (v: unknown) => boolean };
}

/** Shape helpers for `expect`. */
export { isObject };
export const optionalArray = (v: unknown): boolean => v === undefined || v === null || Array.isArray(v);

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
      let res: Response | undefined;
      try {
        const init: RequestInit = { method, headers, body, signal };
        res = await fetch(target, init);
        const text = await readBounded(res, this.cfg.maxResponseBytes, this.cfg.name);
        if (res.status === 429 || res.status >= 500) {
          const wait = retryAfterMs(res.headers.get('retry-after'));
          // A backend that asks for more than MAX_RETRY_WAIT_MS is not waited for: the caller hears it now.
          if (wait !== undefined && wait > MAX_RETRY_WAIT_MS) throw this.httpError(res.status, text, `the backend asks to retry after ${Math.ceil(wait / 1000)} s`);
          lastErr = this.httpError(res.status, text);
          if (attempt < retries) {
            await sleep(wait ?? 250 * 2 ** attempt, opts.signal);
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
          // Not retried: a backend that took the whole timeout once will likely take it again, and
          // three waits of QUERYLESS_TIMEOUT_MS would outlast the call's own deadline.
          throw new BackendError(this.cfg.name, undefined, `${this.cfg.name} did not answer within ${this.cfg.timeoutMs} ms (${method} ${path})`, 'narrow the time range, or raise QUERYLESS_TIMEOUT_MS');
        }
        const encoding = res?.headers.get('content-encoding');
        if (encoding && isDecodeError(e)) {
          // The body does not match its Content-Encoding (a proxy that rewrote one or the other): the
          // same answer comes again on a retry, and "unreachable" would send the user the wrong way.
          throw new BackendError(this.cfg.name, res!.status, `${backendTitle(this.cfg.name)} at ${this.cfg.url} answered ${path} with a body that is not valid ${encoding} although its Content-Encoding says so`, 'a proxy between Queryless and the backend may be rewriting the answer; try the backend directly');
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new BackendError(
        this.cfg.name,
        200,
        `${backendTitle(this.cfg.name)} at ${this.cfg.url} answered ${path} with something that is not JSON: ${JSON.stringify(boundText(body.trim(), 120))}`,
        this.wrongServiceHint(),
      );
    }
    if (opts.expect && !opts.expect.test(parsed)) {
      throw this.shapeError(path, opts.expect.what, describeJson(parsed));
    }
    return parsed as T;
  }

  /** "Tempo at URL answered … but Queryless expected …: check …" */
  shapeError(path: string, expected: string, got: string): BackendError {
    return new BackendError(this.cfg.name, 200, `${backendTitle(this.cfg.name)} at ${this.cfg.url} answered ${path} with ${got}, but Queryless expected ${expected}`, this.wrongServiceHint());
  }

  private wrongServiceHint(): string {
    const v = `${this.cfg.name.toUpperCase()}_URL`;
    return this.cfg.viaGrafana
      ? `check that the Grafana datasource UID (GRAFANA_${this.cfg.name.toUpperCase()}_UID) is a ${backendTitle(this.cfg.name)} datasource`
      : `check that ${v} points at ${backendTitle(this.cfg.name)} itself (not Grafana, a login page or another service${this.cfg.name === 'prometheus' ? '; for Mimir include /prometheus' : ''}) and that its version is supported`;
  }

  private httpError(status: number, body: string, extraHint?: string): BackendError {
    let detail = body.trim();
    try {
      // Only small bodies are parsed: an error page of megabytes is quoted by its head.
      const j = (detail.length < 1 << 20 ? JSON.parse(detail) : undefined) as { error?: unknown; message?: unknown } | undefined;
      const msg = j && typeof j === 'object' ? (j.error ?? j.message) : undefined;
      if (typeof msg === 'string') detail = msg;
    } catch {
      /* plain-text error bodies (Loki, Tempo) */
    }
    const hint = [extraHint, HINTS[status]].filter(Boolean).join('; ') || undefined;
    return new BackendError(this.cfg.name, status, `${this.cfg.name} answered HTTP ${status}: ${boundText(String(detail), MAX_ERROR_TEXT_CHARS)}`, hint);
  }
}

/** Longest wait a Retry-After header is honoured with before a retry; a longer one ends the call. */
export const MAX_RETRY_WAIT_MS = 5000;

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) && /[a-z]/i.test(v) ? Math.max(0, at - now) : undefined;
}

/** zlib's errors for a body that is not what its Content-Encoding says (undici reports them as the fetch's cause). */
function isDecodeError(e: unknown): boolean {
  for (let x = e as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; x && depth < 4; x = x.cause as typeof x, depth++) {
    if (typeof x.code === 'string' && /^Z_(DATA|BUF)_ERROR$|^ERR_BROTLI|^ERR__ZSTD/.test(x.code)) return true;
    if (typeof x.message === 'string' && /incorrect header check|invalid (stored )?block|unexpected end of file|Decompression failed/i.test(x.message)) return true;
  }
  return false;
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
