// MCP over stdio, hardened. The SDK's StdioServerTransport closes the whole session (and so the
// process exits 0 with requests unanswered) when one message is over its 10 MiB buffer, and drops
// unparsable lines silently. Here one bad message costs only itself: an over-size line is skipped
// as it streams in (never buffered whole), and the client gets a JSON-RPC error for it (with the
// request id when it could be read from the line's head) plus a log line on stderr.
import process from 'node:process';
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';

/** Largest JSON-RPC message accepted on stdin (the SDK's default, kept). */
export const MAX_STDIO_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Bytes of an over-size message kept to find its id. */
const HEAD_BYTES = 4096;

const INVALID_REQUEST = -32600;
const PARSE_ERROR = -32700;

type Id = string | number | null;

/** The request id from the start of a message, when it appears there (most clients write it first). */
function idFromHead(head: string): Id {
  const m = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  if (!m) return null;
  try {
    return JSON.parse(m[1]!) as string | number;
  } catch {
    return null;
  }
}

export class SafeStdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Inside an over-size line: its head (for the id) and how many bytes were skipped. */
  private skipping?: { head: string; bytes: number };
  private started = false;

  constructor(
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
    private readonly maxBytes = MAX_STDIO_MESSAGE_BYTES,
  ) {}

  private readonly ondata = (chunk: Buffer) => this.accept(chunk);
  private readonly onstreamerror = (e: Error) => this.onerror?.(e);

  async start(): Promise<void> {
    if (this.started) throw new Error('SafeStdioServerTransport already started');
    this.started = true;
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstreamerror);
  }

  private accept(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(10, from);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(from, end);
      if (this.skipping) this.skipping.bytes += piece.length;
      else if (this.size + piece.length > this.maxBytes) {
        // Start skipping: keep the head for the id, drop the rest as it streams in.
        const head = Buffer.concat([...this.chunks, piece]).subarray(0, HEAD_BYTES).toString('utf8');
        this.skipping = { head, bytes: this.size + piece.length };
        this.chunks = [];
        this.size = 0;
      } else if (piece.length) {
        this.chunks.push(piece);
        this.size += piece.length;
      }
      if (nl < 0) break;
      this.endOfLine();
      from = nl + 1;
    }
  }

  private endOfLine(): void {
    if (this.skipping) {
      const { head, bytes } = this.skipping;
      this.skipping = undefined;
      const id = idFromHead(head);
      log.warn({ bytes, max: this.maxBytes, id }, 'MCP message over the size limit skipped; the session goes on');
      this.reply(id, INVALID_REQUEST, `message too large (${bytes} bytes, at most ${this.maxBytes}): send smaller arguments`);
      return;
    }
    const line = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'MCP message that is not JSON skipped');
      this.reply(idFromHead(line.slice(0, HEAD_BYTES)), PARSE_ERROR, `parse error: the message is not JSON (${(e as Error).message})`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      const id = json && typeof json === 'object' && 'id' in json ? ((json as { id: unknown }).id as Id) : null;
      log.warn('MCP message that is not JSON-RPC 2.0 skipped');
      this.reply(typeof id === 'string' || typeof id === 'number' ? id : null, INVALID_REQUEST, 'invalid request: not a JSON-RPC 2.0 message (needs "jsonrpc":"2.0" and a "method", or a result/error with an "id")');
      return;
    }
    try {
      this.onmessage?.(parsed.data);
    } catch (e) {
      this.onerror?.(e as Error);
    }
  }

  private reply(id: Id, code: number, message: string): void {
    // A notification (no id) gets no answer in JSON-RPC, except when the id could not be read at all.
    void this.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }) + '\n');
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(text)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(JSON.stringify(message) + '\n');
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstreamerror);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.size = 0;
    this.onclose?.();
  }
}
