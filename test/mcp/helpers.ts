// Shared pieces of the MCP server tests: fixture paths, a test-only slow tool, raw HTTP requests.
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { defineTool, type ToolDef } from '../../tools/types.js';

export const ROOT = process.cwd();
export const MINI_BUNDLE = path.join(ROOT, 'test/fixtures/mini-bundle');
export const CLI = path.join(ROOT, 'bin/queryless.js');

/** The spawned tests run the built CLI; `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/src/mcp/server.js'))) {
    throw new Error('dist/ is missing the MCP server: run `npx tsc -p .` (npm test does) before these tests');
  }
}

/**
 * A tool that only tests serve (never in the registry): reports progress, then either returns or
 * waits until its request is cancelled, and tells the test what its AbortSignal saw.
 */
export function slowProbe(): { def: ToolDef; cancelled: Promise<string> } {
  let seen!: (reason: string) => void;
  const cancelled = new Promise<string>((resolve) => (seen = resolve));
  const def = defineTool({
    name: 'slow_probe',
    title: 'Slow probe (test only)',
    description: 'Test-only tool: reports `steps` progress steps, then returns, or waits for cancellation when wait=true.',
    input: z.object({ steps: z.number().int().min(1).max(10).default(3), wait: z.boolean().default(false) }),
    output: z.object({ steps: z.number(), cancelled: z.boolean() }),
    annotations: { readOnlyHint: true },
    async handler(args, ctx) {
      for (let i = 1; i <= args.steps; i++) ctx.progress(i, args.steps, `step ${i} of ${args.steps}`);
      if (args.wait) {
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) return resolve();
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        seen(ctx.signal.aborted ? String(ctx.signal.reason ?? 'aborted') : 'not aborted');
      }
      return { data: { steps: args.steps, cancelled: ctx.signal.aborted }, text: [`${args.steps} step(s) done`] };
    },
  });
  return { def: def as unknown as ToolDef, cancelled };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP request with full control of Host/Origin (fetch forbids setting Host). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<RawResponse> {
  const u = new URL(url);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? (body ? 'POST' : 'GET'),
        headers: {
          ...(body ? { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // SSE answers stay open: one event is all these tests read.
          if (String(res.headers['content-type']).includes('text/event-stream') && Buffer.concat(chunks).includes('\n\n')) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '1.0.0' } },
};
