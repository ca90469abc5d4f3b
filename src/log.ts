// Logs go to stderr (stdout belongs to the stdio MCP transport); secrets are redacted.
import pino from 'pino';

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
  return pino({ name: 'queryless', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export const log = makeLogger(pino.destination({ fd: 2, sync: true }));

/** Mask anything that looks like a credential in free text (URLs with userinfo, bearer tokens, known token shapes). */
export function maskSecrets(text: string): string {
  return text
    .replace(/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[redacted]@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]')
    .replace(/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}|glsa_[A-Za-z0-9_]{16,})\b/g, '[redacted]')
    .replace(/\b(password|passwd|pwd|secret|api[_-]?key|token)(["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi, '$1$2[redacted]');
}
