// `queryless mcp`: serve the tools and the investigation prompt over stdio (default) or Streamable HTTP.
import { tools } from '../../tools/index.js';
import { log } from '../log.js';
import { createMcpServer } from '../mcp/server.js';
import { AnswerCache } from '../../tools/cache.js';
import { SafeStdioServerTransport } from '../mcp/stdio.js';
import { HEALTH_PATH, parseListenAddress, startHttpServer } from '../mcp/http.js';
import { parseArgv, UsageError } from './args.js';
import { setup } from './context.js';

export const MCP_HELP = `Usage: queryless mcp [--http [HOST:]PORT] [--bundle DIR] [backend options]

Serves the Queryless tools (${tools.map((t) => t.name).join(', ')})
and the prompt "investigate-incident" over the Model Context Protocol.

  (default)            stdio: for Claude Desktop / Claude Code / Cursor / VS Code / the MCP Inspector.
                       stdout carries the protocol; logs go to stderr.
  --http [HOST:]PORT   Streamable HTTP on http://HOST:PORT/mcp (HOST defaults to 127.0.0.1;
                       0.0.0.0 or :: to listen on all interfaces). GET ${HEALTH_PATH} answers {"status":"ok"}.
  --bundle DIR         serve a folder of telemetry files (a recorded bundle, or any exports: see queryless inspect DIR) instead of live backends.

HTTP security (environment variable, or the matching flag):
  QUERYLESS_HTTP_TOKEN            require "Authorization: Bearer <token>" on /mcp (--http-token).
  QUERYLESS_HTTP_ALLOWED_HOSTS    extra Host values accepted, comma-separated: name, name:port, or *.
                                  localhost, 127.0.0.1 and [::1] on the bound port are always accepted.
  QUERYLESS_HTTP_ALLOWED_ORIGINS  extra browser Origins accepted (scheme://host[:port]), or *.
  QUERYLESS_SESSION_IDLE_MS       close a session after this long without requests (default 30 min).
Requests with another Host or Origin get 403 (DNS-rebinding protection).

Backends are configured as for every command (see .env.example); 'queryless --help' lists them.
Stops cleanly on SIGINT/SIGTERM (exit 0), and in stdio mode when stdin closes.`;

/**
 * After a clean close nothing should hold the event loop; if a stray handle (a backend socket,
 * a pending timer in a source) still does, leave anyway a moment later with the same exit code.
 */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 3000).unref();
}

/** Resolves on the first SIGINT/SIGTERM, then stops listening for them. */
function untilSignal(): { promise: Promise<NodeJS.Signals>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    const on = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
    dispose = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  });
  return { promise, dispose };
}

export async function mcpCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv, ['stdio']);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(MCP_HELP + '\n');
    return 0;
  }
  if (a.positionals.length) throw new UsageError(`mcp: unexpected argument "${a.positionals[0]}".\n\n${MCP_HELP}`);
  const flags = { ...a.flags };
  const httpArg = flags.http;
  delete flags.http;
  if (httpArg !== undefined && a.bools.has('stdio')) throw new UsageError('mcp: choose one transport, --stdio or --http.');
  let listen: { host: string; port: number } | undefined;
  if (httpArg !== undefined) {
    try {
      listen = parseListenAddress(httpArg);
    } catch (e) {
      throw new UsageError(`mcp: ${(e as Error).message}`);
    }
  }

  const { config, sources } = await setup(flags);
  // One answer cache for every session: they share the sources, so they share what was computed from them.
  const cache = new AnswerCache({ ttlMs: config.env.QUERYLESS_CACHE_TTL_MS, immutable: sources.immutable === true });
  const createServer = () => createMcpServer(sources, { deadlineMs: config.env.QUERYLESS_CALL_DEADLINE_MS, outputSchemas: config.env.QUERYLESS_OUTPUT_SCHEMAS, cache });
  const stop = untilSignal();

  if (listen) {
    const running = await startHttpServer({
      host: listen.host,
      port: listen.port,
      token: config.http.token,
      allowedHosts: config.http.allowedHosts,
      allowedOrigins: config.http.allowedOrigins,
      sessionIdleMs: config.http.sessionIdleMs,
      createServer,
    });
    // The URL goes to stderr as a log line: scripts (and CI) read the port from it.
    log.info({ url: running.url, source: sources.describe, auth: config.http.token ? 'bearer token' : 'none' }, 'queryless MCP server listening');
    const sig = await stop.promise;
    log.info({ signal: sig }, 'shutting down the MCP server');
    stop.dispose();
    await running.close();
    exitSoon(0);
    return 0;
  }

  const server = createServer();
  const transport = new SafeStdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The client closing stdin ends the session.
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  log.debug({ source: sources.describe }, 'queryless MCP server on stdio');
  const why = await Promise.race([closed.then(() => 'stdin closed'), stop.promise]);
  stop.dispose();
  log.debug({ why }, 'stopping the MCP server');
  await server.close().catch(() => undefined);
  // Nothing else should keep the process alive; stdin may still be referenced by the transport.
  process.stdin.pause();
  process.stdin.unref?.();
  exitSoon(0);
  return 0;
}
