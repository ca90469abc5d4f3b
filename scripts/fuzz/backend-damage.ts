// The ways a fake backend's answer is damaged in the remote fuzz campaign: broken JSON, wrong types,
// missing fields, answers past the size cap, HTML with 200, 429/503 with Retry-After, answers past the
// timeout, a gzip header over a plain body, error pages that echo the request's credentials.
import { gzipSync } from 'node:zlib';
import type { Good } from './backend-answers.js';
import type { Rng } from './rng.js';

/** How the server answers one request. `repeat` streams prefix + unit × count + suffix (huge answers). */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  repeat?: { prefix: string; unit: string; count: number; suffix: string; contentLength: boolean };
  /** Wait before the head (ms). */
  delayMs?: number;
  /** Send half the body, then wait this long before the rest. */
  stallMs?: number;
  /** Send half the body, then close the connection. */
  reset?: boolean;
  /** The damaged answer is still one the API could give (a field it may leave out): it costs no data. */
  valuesOnly?: boolean;
}

/** Per-case choices, drawn once so a case is the same whatever order the tools ask in. */
export interface DamageParams {
  fraction: number;
  pick: number;
}

export interface Limits {
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface RequestInfo {
  authorization?: string;
  url: string;
  /** 1 for the first request of this case to this URL (method and path with query), 2 for its retry, … */
  attempt: number;
}

const json = (status: number, v: unknown, headers: Record<string, string> = {}): Reply => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(v)) });
const text = (status: number, t: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Reply => ({ status, headers: { 'content-type': type, ...headers }, body: Buffer.from(t) });

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every (container, key) of a JSON value, depth first, at most `max`. */
function slots(v: unknown, max = 20_000): Slot[] {
  const out: Slot[] = [];
  const walk = (x: unknown) => {
    if (out.length >= max || x === null || typeof x !== 'object') return;
    if (Array.isArray(x))
      x.forEach((c, i) => {
        out.push({ parent: x, key: i });
        walk(c);
      });
    else
      for (const [k, c] of Object.entries(x)) {
        out.push({ parent: x as Record<string, unknown>, key: k });
        walk(c);
      }
  };
  walk(v);
  return out;
}

/**
 * Fields the APIs leave out when empty or unset: Loki's `data` of a list (omitempty), Tempo's root names
 * (root span not received yet), OTLP/JSON's optional fields (parent, status, kind, events…), warnings and
 * statistics. Pyroscope and Tempo's traces are protojson, where every field is left out at its default value.
 */
const OPTIONAL_KEYS = new Set(['warnings', 'infos', 'stats', 'metrics', 'encodingFlags', 'limit', 'parentSpanId', 'status', 'kind', 'events', 'links', 'traceState', 'scope', 'attributes', 'droppedAttributesCount', 'message', 'code', 'structuredMetadata', 'parsed', 'rootServiceName', 'rootTraceName', 'spanSet', 'spanSets', 'matched', 'name', 'version', 'schemaUrl', 'help', 'unit']);

/** Whether removing this field leaves an answer the API could give (see OPTIONAL_KEYS; a label of a label set). */
function mayBeLeftOut(g: Good, s: Slot): boolean {
  // Both answer protojson (Tempo's traces are OTLP/JSON): any field may be left out at its default.
  if (g.backend === 'pyroscope' || (g.backend === 'tempo' && g.endpoint === 'trace')) return true;
  if (OPTIONAL_KEYS.has(String(s.key))) return true;
  if (g.backend === 'loki' && s.key === 'data' && !['query_range', 'query'].includes(g.endpoint)) return true;
  // A label set (every value text): one label less is another series, not a damaged one.
  const values = Object.values(s.parent as Record<string, unknown>);
  return values.length > 0 && values.every((x) => typeof x === 'string') && !['contents', 'tree', 'search'].includes(g.endpoint);
}

const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
const set = (s: Slot, v: unknown) => ((s.parent as Record<string | number, unknown>)[s.key] = v);
const clone = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

/** The first array in the answer (with elements at most `maxUnit` characters long, when asked). */
function firstArray(v: unknown, maxUnit = Infinity): unknown[] | undefined {
  for (const s of slots({ v })) {
    const x = get(s);
    if (Array.isArray(x) && x.length && JSON.stringify(x[0]).length <= maxUnit) return x;
  }
  return undefined;
}

/** The answer with the first fitting array's first element repeated `count` times, streamed. */
function repeated(good: Good, count: (unitLength: number) => number, contentLength: boolean, maxUnit = Infinity): Reply {
  const v = clone(good.json);
  const arr = firstArray(v, maxUnit) ?? firstArray(v);
  if (!arr) return json(200, v);
  const mark = JSON.stringify('\u0000fuzz-repeat\u0000');
  const unitValue = arr[0];
  arr.splice(0, arr.length, '\u0000fuzz-repeat\u0000');
  const s = JSON.stringify(v);
  const at = s.indexOf(mark);
  const unit = JSON.stringify(unitValue);
  const n = count(unit.length + 1);
  return { status: 200, headers: { 'content-type': 'application/json' }, repeat: { prefix: s.slice(0, at), unit: `${unit},`, count: n - 1, suffix: unit + s.slice(at + mark.length), contentLength } };
}

let bomb: Buffer | undefined;

export type Damage = (good: Good, p: DamageParams, lim: Limits, req: RequestInfo) => Reply;

export const DAMAGES: Record<string, Damage> = {
  'truncated-json': (g, p) => {
    const s = JSON.stringify(g.json);
    return text(200, s.slice(0, Math.max(1, Math.floor(s.length * (0.05 + 0.9 * p.fraction)))), 'application/json');
  },
  'wrong-type': (g, p) => {
    const v = clone(g.json);
    const all = slots(v);
    const replacement = [{}, [], 42, 'x', null, true, -1][Math.floor(p.pick * 7)];
    if (!all.length || p.fraction < 0.1) return json(200, replacement);
    const slot = all[Math.floor(p.fraction * all.length)]!;
    // A scalar for a scalar is another value (a label 42, a sample 42): the answer keeps its shape.
    const scalar = (x: unknown) => x !== null && typeof x !== 'object';
    const valuesOnly = scalar(get(slot)) && scalar(replacement);
    set(slot, replacement);
    return { ...json(200, v), valuesOnly };
  },
  'result-object': (g, p) => {
    // The usual "result": {} / "data": {} of a proxy or another version, on whichever list the answer has.
    const v = clone(g.json);
    const lists = slots(v).filter((s) => Array.isArray(get(s)));
    const s = lists[Math.floor(p.fraction * lists.length)];
    if (s) set(s, p.pick < 0.5 ? {} : 'none');
    return json(200, s ? v : {});
  },
  'numbers-as-strings-swapped': (g) => {
    const v = clone(g.json);
    for (const s of slots(v)) {
      const x = get(s);
      if (typeof x === 'string' && x !== '' && Number.isFinite(Number(x))) set(s, Number(x));
      else if (typeof x === 'number') set(s, String(x));
    }
    return json(200, v);
  },
  'nan-inf': (g, p) => {
    const v = clone(g.json);
    const odd = ['NaN', '+Inf', '-Inf', 'Inf', 'Infinity', '1e999'];
    let i = Math.floor(p.pick * odd.length);
    for (const s of slots(v)) {
      const x = get(s);
      if ((typeof x === 'string' && x !== '' && Number.isFinite(Number(x))) || typeof x === 'number') if (++i % 2 === 0) set(s, odd[i % odd.length]);
    }
    return json(200, v);
  },
  'missing-field': (g, p) => {
    const v = clone(g.json);
    const keyed = slots(v).filter((s) => !Array.isArray(s.parent));
    // One to three fields gone; the answer stays valid when each was one the API may leave out.
    let valid = true;
    for (let k = 0; k < 1 + Math.floor(p.pick * 3) && keyed.length; k++) {
      const s = keyed.splice(Math.floor(((p.fraction + k * 0.37) % 1) * keyed.length), 1)[0]!;
      valid &&= mayBeLeftOut(g, s);
      delete (s.parent as Record<string, unknown>)[s.key as string];
    }
    return { ...json(200, v), valuesOnly: valid };
  },
  'huge-answer': (g, p, lim) => repeated(g, (unit) => Math.ceil((32 * lim.maxResponseBytes) / unit), p.pick < 0.5),
  'many-items': (g, _p, lim) => repeated(g, (unit) => Math.min(120_000, Math.floor((0.8 * lim.maxResponseBytes) / unit)), true, 64),
  'html-200': () => text(200, `<!DOCTYPE html><html><head><title>Grafana</title></head><body><div id="reactRoot">Loading…</div><script>window.grafanaBootData = {"user":{}}</script>${'<p>filler</p>'.repeat(200)}</body></html>`, 'text/html; charset=utf-8'),
  'rate-limited': (_g, p) => {
    const retryAfter = ['1', '2', '3600', 'Wed, 21 Oct 2099 07:28:00 GMT', 'soon', '-5'][Math.floor(p.pick * 6)]!;
    return text(p.fraction < 0.5 ? 429 : 503, p.fraction < 0.5 ? 'too many outstanding requests' : 'upstream connect error or disconnect/reset before headers', 'text/plain', { 'retry-after': retryAfter });
  },
  // A backend that fails once and then answers (a restarting pod): the client's retry recovers it whole,
  // so the tools must answer as if nothing happened; a partial mark or a different answer would be wrong.
  'unavailable-once': (g, p, _lim, req) => (req.attempt > 1 ? json(200, g.json) : text(p.pick < 0.5 ? 503 : 429, 'upstream connect error or disconnect/reset before headers', 'text/plain', { 'retry-after': '0' })),
  'slow-head': (g, _p, lim) => ({ ...json(200, g.json), delayMs: lim.timeoutMs + 1000 }),
  'slow-body': (g, _p, lim) => ({ ...json(200, g.json), stallMs: lim.timeoutMs + 1000 }),
  'reset-mid-body': (g) => ({ ...json(200, g.json), reset: true }),
  'gzip-lie': (g) => json(200, g.json, { 'content-encoding': 'gzip' }),
  'gzip-bomb': (g) => {
    // Valid gzip whose inflated size (64 MiB of JSON whitespace) is far past the answer cap.
    bomb ??= gzipSync(Buffer.concat([Buffer.from(JSON.stringify(g.json)), Buffer.alloc(64 << 20, 0x20)]), { level: 1 });
    return { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb };
  },
  'echo-credentials': (_g, p, _lim, req) => {
    // Proxies and debug pages that quote the request: the credentials must not reach the answer.
    const said = `request GET ${req.url} with Authorization: ${req.authorization ?? '(none)'} was refused`;
    const status = [401, 403, 500, 200][Math.floor(p.pick * 4)]!;
    return status === 200 ? json(200, { status: 'error', errorType: 'internal', error: said, message: said }) : p.fraction < 0.5 ? json(status, { status: 'error', error: said, message: said }) : text(status, said);
  },
  'deep-json': () => text(200, `${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'application/json'),
  'empty-body': () => text(200, '', 'application/json'),
  'json-null': () => json(200, null),
};

export const DAMAGE_KINDS = Object.keys(DAMAGES);

/**
 * GitHub's own failures (docs.github.com/rest: rate limits, contents): drawn only in `--backend github`
 * cases, after the kinds above. On an endpoint they do not fit, the answer stays healthy.
 */
export const GITHUB_DAMAGES: Record<string, Damage> = {
  'gh-rate-limit': (_g, p) =>
    p.pick < 0.5
      ? json(403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600), 'x-ratelimit-used': '5000', 'x-ratelimit-resource': p.fraction < 0.5 ? 'core' : 'code_search' })
      : json(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }, { 'retry-after': '60' }),
  'gh-not-found': () => json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }),
  'gh-bad-base64': (g) => {
    const v = clone(g.json) as Record<string, unknown> | null;
    if (g.endpoint === 'contents' && v && typeof v.content === 'string') v.content = `${v.content.slice(0, 20)}%%% not base64 !!\n`;
    return json(g.status, v);
  },
  'gh-base64-cut': (g) => {
    // Valid base64, but only half the file (a proxy that cut the JSON string): the size field says more.
    const v = clone(g.json) as Record<string, unknown> | null;
    if (g.endpoint === 'contents' && v && typeof v.content === 'string') v.content = Buffer.from(Buffer.from(v.content, 'base64').subarray(0, 8)).toString('base64');
    return json(g.status, v);
  },
  'gh-too-large': (g) => {
    // Files of 1-100 MB: no content, encoding "none"; the raw media type gives the text.
    const v = clone(g.json) as Record<string, unknown> | null;
    if (g.endpoint === 'contents' && v && typeof v.content === 'string') Object.assign(v, { content: '', encoding: 'none' });
    return json(g.status, v);
  },
};
export const GITHUB_DAMAGE_KINDS = Object.keys(GITHUB_DAMAGES);
export const ALL_DAMAGES: Record<string, Damage> = { ...DAMAGES, ...GITHUB_DAMAGES };
