// Logs go to stderr (stdout belongs to the stdio MCP transport); secrets are redacted.
import pino from 'pino';
import { maskDeep, maskSecrets } from './mask.js';

export const REDACT_PATHS = [
  'token',
  'password',
  'apiKey',
  'authorization',
  '*.token',
  '*.password',
  '*.apiKey',
  '*.authorization',
  '*.Authorization',
  'headers.*',
  '*.headers.*',
  'config.*.auth',
  'config.*.headers',
];

export function makeLogger(destination: pino.DestinationStream, level = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  // Redaction removes known secret keys; the hook masks secrets inside values and messages (a
  // backend's error text, a URL with a password), with the same masker as every other output.
  return pino(
    {
      name: 'queryless',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const masked = (args as unknown[]).map((a) => (typeof a === 'string' ? maskSecrets(a) : a instanceof Error ? maskError(a) : a && typeof a === 'object' ? maskObject(a as Record<string, unknown>) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

function maskError(e: Error): Error {
  const copy = new Error(maskSecrets(e.message));
  copy.name = e.name;
  copy.stack = e.stack ? maskSecrets(e.stack) : undefined;
  return copy;
}

function maskObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v instanceof Error ? maskError(v) : maskDeep(v);
  return out;
}

export const log = makeLogger(pino.destination({ fd: 2, sync: true }));

/** The masker lives in mask.ts (one pass for every output); re-exported here for older imports. */
export { maskSecrets, maskDeep, registerSecrets } from './mask.js';
