// The one masking pass for everything Queryless prints: tool answers (MCP text and structured
// content, CLI `call`), reports (Markdown, JSON), eval reports and log lines. Telemetry is untrusted
// text and may carry credentials (a token in a log line, a password in a connection string); so may
// a backend's error page echoing our own request. Shapes are masked by pattern, and the exact value
// of every configured secret (registered at start-up by config.ts) is masked wherever it appears.

const REDACTED = '[redacted]';

/** Exact values of configured secrets (tokens, passwords, basic-auth strings), longest first. */
let secrets: string[] = [];

/** Secrets shorter than this are not masked by value: masking "a" would garble every text. */
const MIN_SECRET_CHARS = 4;

/** Registers configured secret values (their exact text is masked in every output). */
export function registerSecrets(values: Array<string | undefined>): void {
  const next = new Set(secrets);
  for (const v of values) {
    if (!v || v.length < MIN_SECRET_CHARS) continue;
    next.add(v);
    // The same secret often travels encoded: in a URL, or as basic auth.
    next.add(encodeURIComponent(v));
  }
  secrets = [...next].sort((a, b) => b.length - a.length);
}

/** Forgets registered secrets (tests). */
export function clearSecrets(): void {
  secrets = [];
}

// The prefix is bounded: an unbounded one rescans a long hyphenated blob from every word boundary.
const KEYWORD = String.raw`[A-Za-z0-9_-]{0,40}(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token|credentials?)`;

// Each pattern is anchored on a literal (a keyword, `//`, `eyJ`) so it stays linear on long text.
const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:pass@host (Postgres, Redis, AMQP, HTTP…)
  [/(\/\/)[^/\s:@]{1,256}:[^/\s@]{1,256}@/g, `$1${REDACTED}@`],
  // Authorization schemes, and Octokit's `token <x>` (only a value with a digit: "token expired" is prose)
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\b(token)\s+(?=[A-Za-z0-9._~+/=-]{0,512}\d)[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // JSON Web Tokens anywhere (header.payload.signature, base64url, header starting {" → eyJ)
  [/\beyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192}/g, REDACTED],
  // Well-known token shapes: GitHub, OpenAI-style keys, Grafana service accounts, AWS access keys, Slack
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}|glsa_[A-Za-z0-9_]{16,}|AKIA[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,})\b/g, REDACTED],
  // key=value, key: value, "key": "value", key='value' (password=…, client_secret: x, api_key="…")
  [new RegExp(String.raw`\b(${KEYWORD})(["']?\s*[:=]\s*["']?)[^\s"',;&}]{2,}`, 'gi'), `$1$2${REDACTED}`],
  // key "value" / key 'value' (password "x" in a config dump or a CLI echo)
  [new RegExp(String.raw`\b(${KEYWORD})(\s+)(["'])[^"'\n]{1,512}\3`, 'gi'), `$1$2$3${REDACTED}$3`],
];

/** Masks anything that looks like a credential, and every configured secret, in free text. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

/**
 * maskSecrets on every string of a JSON-like value (object keys are kept: they are field names).
 * Only arrays and plain objects are copied; anything else (Date, Map, typed arrays) is kept as is.
 */
export function maskDeep<T>(v: T): T {
  if (typeof v === 'string') return maskSecrets(v) as T;
  if (Array.isArray(v)) return v.map((x) => maskDeep(x)) as T;
  if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x);
    return out as T;
  }
  return v;
}
