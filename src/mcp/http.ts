// Streamable HTTP transport for the MCP server: path /mcp, stateful sessions with idle expiry,
// Host/Origin validation against DNS rebinding, optional bearer token, /healthz, graceful close.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_SESSIONS = 1000;

export interface HttpServerOptions {
  /** Address to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Bearer token required on /mcp when set. */
  token?: string;
  /** Extra accepted Host values: `name` (any port), `name:port`, or `*` (no Host check). */
  allowedHosts?: string[];
  /** Extra accepted Origin values (`scheme://host[:port]`), or `*` (no Origin check). */
  allowedOrigins?: string[];
  /** A session with no request for this long is closed. */
  sessionIdleMs: number;
  maxSessions?: number;
  /** Builds the MCP server of a new session. */
  createServer: () => McpServer;
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:3000/mcp */
  url: string;
  port: number;
  host: string;
  sessionCount: () => number;
  close: () => Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** POST requests still being answered: a session is never expired under a running call. */
  inflight: number;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `3000`, `:3000`, `0.0.0.0:3000`, `[::1]:3000`, `localhost:3000` → host and port. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const v = value.trim();
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`--http expects [host:]port (e.g. 3000, 127.0.0.1:3000, 0.0.0.0:3000, [::1]:3000), got "${value}"`);
  }
  const rawHost = m[1] ?? '';
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  return { host: host || '127.0.0.1', port };
}

/** How a host appears in a Host header or URL (IPv6 in brackets). */
function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Splits a Host header into lowercase hostname and port ('' when absent). */
function splitHost(value: string): { name: string; port: string } | undefined {
  try {
    const u = new URL(`http://${value}`);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    // URL drops the default port 80; keep it explicit so `host:80` entries still compare.
    return { name: u.hostname.toLowerCase(), port: u.port || '80' };
  } catch {
    return undefined;
  }
}

/** Accepted Host values: loopback names on the bound port, the bound name, and configured extras. */
export function hostAllowList(boundHost: string, port: number, extra: string[] = []): (hostHeader: string | undefined) => boolean {
  if (extra.includes('*')) return () => true;
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const n of LOOPBACK_NAMES) exact.add(`${n}:${port}`);
  if (!isWildcard(boundHost)) exact.add(`${hostForUrl(boundHost).toLowerCase()}:${port}`);
  for (const raw of extra) {
    const e = raw.trim();
    const parts = splitHost(e);
    if (!parts) {
      log.warn({ host: e }, 'ignoring an allowed host that is not host[:port]');
      continue;
    }
    const hasPort = /^\[[^\]]+\]:\d+$/.test(e) || /^[^:[\]]+:\d+$/.test(e);
    if (hasPort) exact.add(`${parts.name}:${parts.port}`);
    else anyPort.add(parts.name);
  }
  return (hostHeader) => {
    if (!hostHeader) return false;
    const parts = splitHost(hostHeader);
    if (!parts) return false;
    return exact.has(`${parts.name}:${parts.port}`) || anyPort.has(parts.name);
  };
}

/** Accepted Origin values: absent (non-browser clients), loopback origins on the bound port, configured extras. */
export function originAllowList(boundHost: string, port: number, extra: string[] = []): (origin: string | undefined) => boolean {
  if (extra.includes('*')) return () => true;
  const allowed = new Set<string>();
  const names = [...LOOPBACK_NAMES, ...(isWildcard(boundHost) ? [] : [hostForUrl(boundHost).toLowerCase()])];
  for (const n of names) for (const scheme of ['http', 'https']) allowed.add(`${scheme}://${n}:${port}`);
  for (const e of extra) {
    try {
      allowed.add(new URL(e.trim()).origin.toLowerCase());
    } catch {
      log.warn({ origin: e }, 'ignoring an allowed origin that is not a URL (expected scheme://host[:port])');
    }
  }
  return (origin) => {
    if (origin === undefined) return true;
    try {
      return allowed.has(new URL(origin).origin.toLowerCase());
    } catch {
      return false; // "null" (sandboxed or file pages) and garbage are refused
    }
  };
}

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  // Hash both sides: equal-length buffers for timingSafeEqual, and no length leak.
  const presented = createHash('sha256').update(m ? m[1]! : '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(presented, expected) && m !== null;
}

function sendJsonRpcError(res: http.ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Past this many bytes an over-size body is no longer drained: the connection is closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

/**
 * Reads a body up to MAX_BODY_BYTES. An over-size body is drained (discarded) so the client can
 * read the 413 that follows; destroying the socket at once, as before, showed up as a connection
 * reset. Only a body past MAX_DRAIN_BYTES (or announced as such) closes the connection.
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > MAX_DRAIN_BYTES) {
      reject(new BodyTooLarge(`request body of ${announced} bytes, over ${MAX_BODY_BYTES}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      if (size > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => (over ? reject(new BodyTooLarge(`request body of ${size} bytes, over ${MAX_BODY_BYTES}`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const sessions = new Map<string, Session>();
  const maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
  let hostOk: (h: string | undefined) => boolean = () => false;
  let originOk: (o: string | undefined) => boolean = () => false;
  let closing = false;

  const dropSession = async (id: string | undefined, why: string) => {
    if (!id) return;
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    log.debug({ session: id, why }, 'MCP session closed');
    await s.transport.close().catch(() => undefined);
    await s.server.close().catch(() => undefined);
  };

  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    origin
      ? {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Expose-Headers': 'Mcp-Session-Id, WWW-Authenticate',
          Vary: 'Origin',
        }
      : {};

  const handleMcp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const origin = req.headers.origin;
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host and Origin.
    if (!hostOk(req.headers.host)) {
      log.warn({ host: req.headers.host }, 'rejected an MCP request with a Host header not allowed');
      return sendJsonRpcError(res, 403, -32000, `Forbidden: Host "${req.headers.host ?? ''}" is not allowed (set QUERYLESS_HTTP_ALLOWED_HOSTS to accept it).`);
    }
    if (!originOk(origin)) {
      log.warn({ origin }, 'rejected an MCP request from an Origin not allowed');
      return sendJsonRpcError(res, 403, -32000, `Forbidden: Origin "${origin}" is not allowed (set QUERYLESS_HTTP_ALLOWED_ORIGINS to accept it).`);
    }
    const cors = corsHeaders(origin);
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    if (opts.token !== undefined && !tokenMatches(req.headers.authorization, opts.token)) {
      const presented = req.headers.authorization !== undefined;
      return sendJsonRpcError(res, 401, -32001, presented ? 'Unauthorized: the bearer token is wrong.' : 'Unauthorized: send "Authorization: Bearer <QUERYLESS_HTTP_TOKEN>".', {
        'WWW-Authenticate': presented ? 'Bearer realm="queryless", error="invalid_token"' : 'Bearer realm="queryless"',
      });
    }
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      return sendJsonRpcError(res, 405, -32000, 'Method not allowed: use POST, GET or DELETE on /mcp.', { Allow: 'GET, POST, DELETE' });
    }

    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req);
      } catch (e) {
        if (!(e instanceof BodyTooLarge)) return; // the client went away mid-body
        log.warn({ err: (e as Error).message }, 'MCP HTTP request over the size limit refused (413)');
        return sendJsonRpcError(res, 413, -32600, `Request too large: ${(e as Error).message}; send smaller arguments`, { Connection: 'close' });
      }
      try {
        body = JSON.parse(text);
      } catch (e) {
        return sendJsonRpcError(res, 400, -32700, `Parse error: the body is not JSON (${(e as Error).message}).`);
      }
    }

    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    let session: Session | undefined;
    if (sessionId) {
      session = sessions.get(sessionId);
      if (!session) return sendJsonRpcError(res, 404, -32001, 'Session not found: it expired or the server restarted. Send a new initialize request.');
    } else if (req.method === 'POST' && (isInitializeRequest(body) || (Array.isArray(body) && body.some((m) => isInitializeRequest(m))))) {
      if (closing) return sendJsonRpcError(res, 503, -32000, 'The server is shutting down.');
      if (sessions.size >= maxSessions) return sendJsonRpcError(res, 503, -32000, `Too many open sessions (${maxSessions}); retry later.`);
      session = await openSession();
    } else {
      return sendJsonRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id header; start with an initialize request.');
    }

    const s = session;
    s.lastSeen = Date.now();
    const counted = req.method === 'POST';
    if (counted) s.inflight++;
    res.on('close', () => {
      if (counted) s.inflight--;
      s.lastSeen = Date.now();
    });
    try {
      await s.transport.handleRequest(req, res, body);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'MCP request failed');
      sendJsonRpcError(res, 500, -32603, 'Internal error while handling the MCP request.');
    }
    // An initialize that failed leaves a transport without a session: nothing else can reach it.
    if (!s.transport.sessionId) {
      await s.transport.close().catch(() => undefined);
      await s.server.close().catch(() => undefined);
    }
  };

  const openSession = async (): Promise<Session> => {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        log.debug({ session: id, sessions: sessions.size }, 'MCP session opened');
      },
      onsessionclosed: (id) => {
        void dropSession(id, 'closed by the client');
      },
    });
    const server = opts.createServer();
    const session: Session = { transport, server, lastSeen: Date.now(), inflight: 0 };
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.get(id) === session) sessions.delete(id);
    };
    await server.connect(transport);
    return session;
  };

  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      // Health carries no data, so probes need neither a known Host nor the token.
      res.writeHead(closing ? 503 : 200, { 'Content-Type': 'application/json' });
      return res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: closing ? 'closing' : 'ok', sessions: sessions.size }));
    }
    if (url.pathname !== MCP_PATH) {
      return sendJsonRpcError(res, 404, -32000, `Not found: the MCP endpoint is ${MCP_PATH} (health: ${HEALTH_PATH}).`);
    }
    handleMcp(req, res).catch((e: unknown) => {
      log.error({ err: (e as Error).message }, 'MCP HTTP handler failed');
      sendJsonRpcError(res, 500, -32603, 'Internal error.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, bindHost, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  hostOk = hostAllowList(bindHost, port, opts.allowedHosts);
  originOk = originAllowList(bindHost, port, opts.allowedOrigins);

  // Idle expiry: check a few times per idle period, at most once a minute.
  const sweepEvery = Math.max(250, Math.min(60_000, Math.floor(opts.sessionIdleMs / 4)));
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) {
      if (s.inflight === 0 && now - s.lastSeen > opts.sessionIdleMs) void dropSession(id, `idle for over ${opts.sessionIdleMs} ms`);
    }
  }, sweepEvery);
  sweeper.unref();

  const urlHost = isWildcard(bindHost) ? 'localhost' : hostForUrl(bindHost);
  if (!isLoopback(bindHost) && opts.token === undefined) {
    log.warn({ host: bindHost }, 'MCP over HTTP is bound beyond loopback without QUERYLESS_HTTP_TOKEN: anyone who can reach this port can call the tools');
  }

  return {
    url: `http://${urlHost}:${port}${MCP_PATH}`,
    port,
    host: bindHost,
    sessionCount: () => sessions.size,
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(sweeper);
      await Promise.all([...sessions.keys()].map((id) => dropSession(id, 'server shutting down')));
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Streams and keep-alive sockets would hold close() open; sessions are already ended.
        httpServer.closeAllConnections();
      });
    },
  };
}
