// A guard in front of the SDK's request handling. Requests whose params are not an object, or
// tools/call requests whose `arguments` are not an object, would get a raw zod dump as a -32603
// internal error from the SDK (or no answer at all, when params is not an object): they are
// answered here with a readable -32602 that says what was expected.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import { maskSecrets } from '../mask.js';

const INVALID_PARAMS = -32602;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** What is wrong with a request's params, or undefined when the SDK can take it from here. */
export function paramsProblem(method: string, params: unknown): string | undefined {
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    return `params of ${method} must be a JSON object, not ${kindOf(params)}`;
  }
  if (method !== 'tools/call') return undefined;
  const p = (params ?? {}) as Record<string, unknown>;
  if (typeof p.name !== 'string') return `tools/call needs "name", the tool's name as a string (got ${kindOf(p.name)}); list them with tools/list`;
  const args = p.arguments;
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    return `arguments of tool ${JSON.stringify(p.name.slice(0, 100))} must be a JSON object such as {"service":"checkout"}, not ${kindOf(args)}; see the tool's input schema in tools/list`;
  }
  return undefined;
}

/**
 * Installs the guard on a connected transport (after McpServer.connect has set its onmessage).
 * `checkCall` validates a tools/call's arguments; the text it returns is the answer (an error result).
 */
export function guardTransport(transport: Transport, checkCall?: (name: string, args: unknown) => string | undefined): void {
  const inner = transport.onmessage;
  if (!inner) return;
  transport.onmessage = (message: JSONRPCMessage, extra?: unknown) => {
    const m = message as { id?: string | number; method?: unknown; params?: unknown };
    if (typeof m.method === 'string' && m.id !== undefined) {
      const problem = paramsProblem(m.method, m.params);
      if (problem) {
        log.debug({ method: m.method, id: m.id }, 'request refused by the guard');
        transport.send({ jsonrpc: '2.0', id: m.id, error: { code: INVALID_PARAMS, message: `Invalid params: ${problem}` } }, { relatedRequestId: m.id }).catch((e: unknown) => log.debug({ err: (e as Error).message }, 'could not answer a refused request'));
        return;
      }
      if (m.method === 'tools/call' && checkCall) {
        const p = m.params as { name: string; arguments?: unknown };
        const text = checkCall(p.name, p.arguments);
        if (text !== undefined) {
          const result = { content: [{ type: 'text', text: maskSecrets(text) }], isError: true };
          transport.send({ jsonrpc: '2.0', id: m.id, result }, { relatedRequestId: m.id }).catch((e: unknown) => log.debug({ err: (e as Error).message }, 'could not answer an invalid call'));
          return;
        }
      }
    }
    (inner as (msg: JSONRPCMessage, extra?: unknown) => void).call(transport, message, extra);
  };
}
