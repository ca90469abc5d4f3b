// The loopback HTTP server of the remote fuzz campaign (node:http on 127.0.0.1): answers like the four
// backends (backend-answers.ts), damaging the answers a case targets (backend-damage.ts). It counts what
// it served, so an unbounded read or a storm of requests is a finding too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { goodAnswer, type Backend } from './backend-answers.js';
import { ALL_DAMAGES, type DamageParams, type Limits, type Reply } from './backend-damage.js';
import { BAD_WORDS } from './run-case.js';

export interface CasePlan {
  backend: Backend;
  /** One endpoint family, or every answer of the backend. */
  endpoint?: string;
  damage: string;
  params: DamageParams;
}

export interface ServedStats {
  requests: number;
  damaged: number;
  /** Damaged answers that can cost data (not merely other values the API allows: see VALUES_ONLY). */
  lossy: number;
  /** Answers past the client's cap that the client read to their end. */
  hugeReadWhole: number;
  /** Requests per backend/endpoint, for the report of a case with too many. */
  byEndpoint: Record<string, number>;
  /** The words of BAD_WORDS the damaged answers held (a label value "NaN"), which the tools may rightly echo. */
  echoWords: string[];
}

/**
 * The worker's view of the case, over `/__fuzz/…` on the same server (not counted as requests): how many
 * answers were damaged so far and how many of them could cost data (`GET /__fuzz/state`), and a pause of the damage (`POST /__fuzz/healthy?on=1|0`)
 * so a call can be re-run against healthy answers and the two outputs compared.
 */
export const CONTROL_PREFIX = '/__fuzz/';

const CHUNK = 64 * 1024;

/**
 * Damages that leave an answer complete, with other values the API allows: NaN and ±Inf are sample values
 * Prometheus really answers, and a long list of one repeated entry is the backend's data (where a reader
 * cuts a list at its item cap, it says so: those notes are tested in test/hardening/partial-answers.test.ts).
 * GitHub's 404 is an answer too (no such file): lookup_source says so as an error, checked like any other.
 * Numbers as strings and back are read either way; a nanosecond time as a JSON number loses precision in any
 * JSON parser, so its values differ with nothing left out.
 */
const VALUES_ONLY = new Set(['nan-inf', 'many-items', 'numbers-as-strings-swapped', 'gh-not-found']);

export class FakeBackend {
  private server?: http.Server;
  private plan?: CasePlan;
  private timers = new Set<NodeJS.Timeout>();
  /** Damage paused by the worker (its healthy re-run of a call). */
  private healthy = false;
  /** Requests per request (method, URL and body) this case (the `attempt` a damage sees). */
  private attempts = new Map<string, number>();
  stats: ServedStats = { requests: 0, damaged: 0, lossy: 0, hugeReadWhole: 0, byEndpoint: {}, echoWords: [] };

  constructor(
    private readonly repo: string,
    readonly limits: Limits,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new case: its plan, fresh counters, and nothing left over from the last one. */
  begin(plan: CasePlan): void {
    this.end();
    this.plan = plan;
    this.healthy = false;
    this.attempts.clear();
    this.stats = { requests: 0, damaged: 0, lossy: 0, hugeReadWhole: 0, byEndpoint: {}, echoWords: [] };
  }

  end(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server?.closeAllConnections();
  }

  async stop(): Promise<void> {
    this.end();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      // Request bodies are small (forms, Connect JSON); a big one is read no further.
      if ((size += c.length) <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith(CONTROL_PREFIX)) return this.control(url, res);
      this.stats.requests++;
      const good = goodAnswer({ method: req.method ?? 'GET', url, body: Buffer.concat(chunks).toString('utf8'), accept: req.headers.accept }, this.repo);
      const key = good ? `${good.backend}/${good.endpoint}` : `404 ${url.pathname}`;
      this.stats.byEndpoint[key] = (this.stats.byEndpoint[key] ?? 0) + 1;
      if (!good) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      const p = this.plan;
      let reply: Reply;
      if (p && !this.healthy && good.raw === undefined && good.backend === p.backend && (p.endpoint === undefined || p.endpoint === good.endpoint)) {
        this.stats.damaged++;
        const urlKey = `${req.method} ${req.url} ${Buffer.concat(chunks).toString('latin1')}`;
        const attempt = (this.attempts.get(urlKey) ?? 0) + 1;
        this.attempts.set(urlKey, attempt);
        reply = ALL_DAMAGES[p.damage]!(good, p.params, this.limits, { authorization: req.headers.authorization, url: req.url ?? '/', attempt });
        if (!VALUES_ONLY.has(p.damage) && !reply.valuesOnly) this.stats.lossy++;
        const text = reply.body && reply.body.length < 1 << 22 ? reply.body.toString('latin1') : (reply.repeat?.unit ?? '');
        for (const w of BAD_WORDS) if (text.includes(w) && !this.stats.echoWords.includes(w)) this.stats.echoWords.push(w);
      } else if (good.raw !== undefined) reply = { status: good.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(good.raw) };
      else reply = { status: good.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(good.json)) };
      if (reply.delayMs) this.later(reply.delayMs, () => this.send(res, reply));
      else this.send(res, reply);
    });
  }

  private control(url: URL, res: http.ServerResponse): void {
    if (url.pathname === `${CONTROL_PREFIX}healthy`) this.healthy = url.searchParams.get('on') === '1';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ damaged: this.stats.damaged, lossy: this.stats.lossy, healthy: this.healthy }));
  }

  private send(res: http.ServerResponse, r: Reply): void {
    if (res.destroyed) return;
    if (r.repeat) return this.sendRepeated(res, r);
    const body = r.body ?? Buffer.alloc(0);
    res.writeHead(r.status, { ...r.headers, 'content-length': String(body.length) });
    if (!r.stallMs && !r.reset) {
      res.end(body);
      return;
    }
    const half = Math.floor(body.length / 2);
    res.write(body.subarray(0, half));
    if (r.reset) this.later(20, () => res.destroy());
    else this.later(r.stallMs!, () => !res.destroyed && res.end(body.subarray(half)));
  }

  /** Streams prefix + unit × count + suffix, respecting back-pressure; counts an answer read whole. */
  private sendRepeated(res: http.ServerResponse, r: Reply): void {
    const { prefix, unit, count, suffix, contentLength } = r.repeat!;
    const headers: Record<string, string> = { ...r.headers };
    if (contentLength) headers['content-length'] = String(Buffer.byteLength(prefix) + Buffer.byteLength(unit) * count + Buffer.byteLength(suffix));
    res.writeHead(r.status, headers);
    const perChunk = Math.max(1, Math.floor(CHUNK / Buffer.byteLength(unit)));
    const block = unit.repeat(Math.min(perChunk, count));
    let left = count;
    res.write(prefix);
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(perChunk, left);
        left -= n;
        const more = res.write(n === perChunk ? block : unit.repeat(n));
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      if (res.destroyed) return;
      // Counted only past the client's cap: a big answer under it is fine to read.
      const total = Buffer.byteLength(prefix) + Buffer.byteLength(unit) * count + Buffer.byteLength(suffix);
      res.end(suffix, () => {
        if (total > this.limits.maxResponseBytes * 4 && !res.destroyed) this.stats.hugeReadWhole++;
      });
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  }
}
