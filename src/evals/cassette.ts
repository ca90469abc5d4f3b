// Model cassettes: the HTTP exchanges between the agent and its model, recorded once against a real
// (or scripted) OpenAI-compatible server and replayed with nock so agent-mode evals run with no key.
//
// Recording wraps the global fetch for URLs under the model base URL only (the OpenAI SDK uses the
// global fetch); nothing else is touched. Replay serves the recorded answers in order and compares
// each incoming request with the recorded one: a different conversation (model, tools, roles, tool
// calls and their arguments, sampling settings) is a mismatch that fails the case and names the
// request and the differing fields; a different *text* of tool results, user or system messages is
// reported as drift (the tools' wording changed since recording), and is a mismatch with --replay-strict.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import nock from 'nock';

export interface Exchange {
  method: string;
  /** Path and query under the origin, e.g. /v1/chat/completions. */
  path: string;
  request: unknown;
  status: number;
  headers: Record<string, string>;
  /** JSON body, or the raw text for non-JSON answers (e.g. server-sent events). */
  response: unknown;
}

export interface Cassette {
  version: 1;
  recordedAt: string;
  model: { name: string; baseUrl: string };
  case: { bundle: string; lang: string; question: string; run?: number };
  exchanges: Exchange[];
}

export interface ReplayIssue {
  /** 1-based request number within the case. */
  request: number;
  kind: 'mismatch' | 'drift' | 'extra' | 'unused';
  message: string;
}

const KEPT_RESPONSE_HEADERS = ['content-type', 'x-request-id', 'openai-model', 'openai-processing-ms'];

/** A cassette's file name; `gzip` gives `.json.gz` (a suite with many cases keeps its folder small:
 * the conversation repeats the tool results turn after turn, which compresses ~6×). */
export function cassetteFile(dir: string, bundleId: string, lang: string, run = 1, gzip = false): string {
  const safe = `${bundleId}.${lang || 'xx'}`.replace(/[^\w.-]+/g, '_');
  return path.join(dir, `${run > 1 ? `${safe}.r${run}` : safe}.json${gzip ? '.gz' : ''}`);
}

export async function readCassette(file: string): Promise<Cassette> {
  let text: string;
  try {
    const raw = await readFile(file);
    text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  } catch {
    throw new Error(`no model cassette at ${file}; record one with --record-model DIR (agent mode against a live or scripted model)`);
  }
  let c: Cassette;
  try {
    c = JSON.parse(text) as Cassette;
  } catch (e) {
    throw new Error(`model cassette ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (c.version !== 1 || !Array.isArray(c.exchanges) || !c.model?.baseUrl) throw new Error(`model cassette ${file}: unsupported format (expected version 1 with model.baseUrl and exchanges[])`);
  return c;
}

/** The cassette of a case: plain `.json` first, then `.json.gz`; a repeat run falls back to run 1's. */
export async function findCassette(dir: string, bundleId: string, lang: string, run = 1): Promise<string> {
  const either = (r: number) => [false, true].map((gz) => cassetteFile(dir, bundleId, lang, r, gz)).find((f) => existsSync(f));
  return either(run) ?? (run > 1 ? either(1) : undefined) ?? cassetteFile(dir, bundleId, lang, run);
}

/** Writes a cassette (gzipped when the name ends in .gz) and removes the other form of the same
 * name, so a stale copy cannot shadow the new recording on replay. */
export async function writeCassette(file: string, c: Cassette): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const text = JSON.stringify(c, null, 1) + '\n';
  const gz = file.endsWith('.gz');
  await writeFile(file, gz ? gzipSync(text, { level: 9 }) : text);
  await rm(gz ? file.slice(0, -3) : `${file}.gz`, { force: true });
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function bodyText(body: unknown): Promise<string | undefined> {
  if (body == null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (body instanceof URLSearchParams) return body.toString();
  if (typeof (body as Blob).text === 'function') return (body as Blob).text();
  return String(body);
}

/** Records exchanges with URLs under `baseUrl` until stop(). Only one recorder at a time. */
export class ModelRecorder {
  readonly exchanges: Exchange[] = [];
  private original?: typeof fetch;
  private readonly prefix: string;
  private readonly origin: string;

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.origin = u.origin;
    this.prefix = baseUrl.replace(/\/+$/, '');
  }

  start(): void {
    if (this.original) return;
    const original = globalThis.fetch;
    this.original = original;
    const self = this;
    globalThis.fetch = async function recordingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(self.prefix)) return original(input, init);
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const reqText = init?.body !== undefined ? await bodyText(init.body) : input instanceof Request ? await input.clone().text() : undefined;
      const res = await original(input, init);
      const resText = await res.clone().text();
      const headers: Record<string, string> = {};
      for (const h of KEPT_RESPONSE_HEADERS) {
        const v = res.headers.get(h);
        if (v) headers[h] = v;
      }
      const u = new URL(url);
      self.exchanges.push({ method, path: `${u.pathname}${u.search}`, request: reqText === undefined ? null : parseMaybeJson(reqText), status: res.status, headers, response: parseMaybeJson(resText) });
      void self.origin;
      return res;
    } as typeof fetch;
  }

  stop(): void {
    if (this.original) globalThis.fetch = this.original;
    this.original = undefined;
  }
}

// ------------------------------------------------------------------ comparison

interface Diff {
  path: string;
  expected: unknown;
  actual: unknown;
}

function diffJson(a: unknown, b: unknown, at: string, out: Diff[], limit = 50): void {
  if (out.length >= limit) return;
  if (Object.is(a, b)) return;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    out.push({ path: at || '(body)', expected: a, actual: b });
    return;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    out.push({ path: at, expected: a, actual: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ path: `${at}.length`, expected: a.length, actual: b.length });
    for (let i = 0; i < Math.min(a.length, b.length); i++) diffJson(a[i], b[i], `${at}[${i}]`, out, limit);
    return;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    if (ao[k] === undefined && bo[k] === undefined) continue;
    diffJson(ao[k], bo[k], at ? `${at}.${k}` : k, out, limit);
  }
}

/** Text-only differences: wording of tool results, user and system messages, tool descriptions (not the conversation's shape). */
function isDrift(d: Diff, expected: unknown): boolean {
  // Tool descriptions (and their parameters' descriptions) are prompt text too.
  if (/^tools\[\d+\]\.function\.(description|parameters\..*\.description)$/.test(d.path)) return true;
  const m = /^messages\[(\d+)\]\.content(\[\d+\]\.text)?$/.exec(d.path);
  if (!m) return false;
  const msg = (expected as { messages?: Array<{ role?: string }> })?.messages?.[Number(m[1])];
  return msg?.role === 'tool' || msg?.role === 'system' || msg?.role === 'user';
}

const show = (v: unknown) => {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
};

/** Where two long texts part: the character offset and a window of each around it. */
function showStringDiff(a: string, b: string): string {
  if (a.length <= 120 && b.length <= 120) return `recorded ${show(a)}, got ${show(b)}`;
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const from = Math.max(0, p - 30);
  const cut = (s: string) => `${from > 0 ? '…' : ''}${s.slice(from, p + 70)}${s.length > p + 70 ? '…' : ''}`;
  return `differs from character ${p}: recorded ${JSON.stringify(cut(a))}, got ${JSON.stringify(cut(b))}`;
}

export function compareRequest(exp: Exchange, method: string, pathQuery: string, body: unknown): { mismatch: string[]; drift: string[] } {
  const mismatch: string[] = [];
  const drift: string[] = [];
  if (exp.method !== method) mismatch.push(`method ${method}, recorded ${exp.method}`);
  if (exp.path !== pathQuery) mismatch.push(`path ${pathQuery}, recorded ${exp.path}`);
  const diffs: Diff[] = [];
  diffJson(exp.request, body, '', diffs);
  for (const d of diffs) {
    const line = typeof d.expected === 'string' && typeof d.actual === 'string' ? `${d.path}: ${showStringDiff(d.expected, d.actual)}` : `${d.path}: recorded ${show(d.expected)}, got ${show(d.actual)}`;
    (isDrift(d, exp.request) ? drift : mismatch).push(line);
  }
  return { mismatch, drift };
}

// ------------------------------------------------------------------ replay

export interface Replay {
  model: { name: string; baseUrl: string; apiKey: string };
  issues: ReplayIssue[];
  /** Ends the replay: removes interceptors, restores network access, notes unused recorded requests. */
  done(): ReplayIssue[];
}

/**
 * Serves a cassette with nock. Network access is disabled while it runs, so a request the
 * cassette does not cover fails loudly instead of reaching a real server.
 */
export function startReplay(c: Cassette, opts: { strict?: boolean } = {}): Replay {
  const base = new URL(c.model.baseUrl);
  const issues: ReplayIssue[] = [];
  let n = 0;
  const seenDrift = new Set<string>();
  nock.disableNetConnect();
  const scope = nock(base.origin).persist();
  const handler = (method: string) =>
    function (this: unknown, uri: string, requestBody: unknown): [number, unknown, Record<string, string>] {
      const k = n++;
      const exp = c.exchanges[k];
      const body = typeof requestBody === 'string' ? parseMaybeJson(requestBody) : requestBody;
      if (!exp) {
        const msg = `request ${k + 1} (${method} ${uri}) goes beyond the recording (${c.exchanges.length} recorded): the agent asked the model more than when recorded`;
        issues.push({ request: k + 1, kind: 'extra', message: msg });
        return [400, { error: { message: `cassette: ${msg}`, type: 'cassette_mismatch' } }, { 'content-type': 'application/json' }];
      }
      const { mismatch, drift: allDrift } = compareRequest(exp, method, uri, body);
      // Messages accumulate: a drifted message shows again in every later request; report it once.
      const drift = allDrift.filter((d) => !seenDrift.has(d));
      for (const d of drift) seenDrift.add(d);
      if (drift.length) issues.push({ request: k + 1, kind: opts.strict ? 'mismatch' : 'drift', message: `request ${k + 1} (${method} ${uri}): text differs from the recording in ${drift.length} new place(s): ${drift.slice(0, 3).join('; ')}` });
      if (mismatch.length) {
        const msg = `request ${k + 1} (${method} ${uri}) does not match the recording: ${mismatch.slice(0, 5).join('; ')}${mismatch.length > 5 ? ` (+${mismatch.length - 5} more)` : ''}`;
        issues.push({ request: k + 1, kind: 'mismatch', message: msg });
        return [400, { error: { message: `cassette: ${msg}`, type: 'cassette_mismatch' } }, { 'content-type': 'application/json' }];
      }
      if (opts.strict && drift.length) {
        return [400, { error: { message: `cassette (strict): ${issues.at(-1)!.message}`, type: 'cassette_mismatch' } }, { 'content-type': 'application/json' }];
      }
      const headers = { ...exp.headers };
      if (!headers['content-type']) headers['content-type'] = typeof exp.response === 'string' ? 'text/plain' : 'application/json';
      return [exp.status, typeof exp.response === 'string' ? exp.response : JSON.stringify(exp.response), headers];
    };
  const interceptors = [scope.post(() => true), scope.get(() => true)];
  interceptors[0]!.reply(handler('POST'));
  interceptors[1]!.reply(handler('GET'));
  const noMatch = (req: { method?: string; href?: string; path?: string; options?: { href?: string } }) => {
    issues.push({ request: n + 1, kind: 'extra', message: `unexpected request outside the cassette: ${req.method ?? ''} ${req.href ?? req.options?.href ?? req.path ?? ''}` });
  };
  nock.emitter.on('no match', noMatch);
  return {
    model: { name: c.model.name, baseUrl: c.model.baseUrl, apiKey: 'replay-no-key' },
    issues,
    done() {
      nock.emitter.removeListener('no match', noMatch);
      // Remove only this replay's interceptors: other nock users in the same process keep theirs.
      scope.persist(false);
      for (const i of interceptors) nock.removeInterceptor(i);
      nock.enableNetConnect();
      if (n < c.exchanges.length) issues.push({ request: n + 1, kind: 'unused', message: `${c.exchanges.length - n} recorded request(s) were not made (recorded ${c.exchanges.length}, replayed ${n}): the agent stopped earlier than when recorded` });
      return issues;
    },
  };
}
