// Configuration from environment variables and matching CLI flags, validated with zod at start-up.
// A flag `--prometheus-url X` is the same as PROMETHEUS_URL=X; flags win over the environment.
import { z } from 'zod';
import { registerSecrets } from './mask.js';

const url = (name: string, userinfo: 'basic-auth' | 'refuse' = 'refuse') =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, `${name} must be an http(s) URL, e.g. http://localhost:9090`)
    // Backend URLs turn user:pass@ into basic auth (see loadConfig); elsewhere it would be printed
    // in links or refused by fetch on the first request, so it is refused here, by name.
    .refine((v) => {
      if (userinfo === 'basic-auth') return true;
      try {
        const u = new URL(v);
        return !u.username && !u.password;
      } catch {
        return true;
      }
    }, `${name} must not carry user:password@; use the matching token variable`)
    .transform((v) => v.replace(/\/+$/, ''));

const optionalString = z.string().trim().min(1).optional();

/** Every variable Queryless reads. Keep in sync with .env.example (a test checks it). */
export const envSchema = z.object({
  QUERYLESS_BUNDLE: optionalString,
  QUERYLESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  QUERYLESS_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  QUERYLESS_CALL_DEADLINE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  QUERYLESS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  // Off by default: full output schemas would cost every chat client ~9,500 tokens of tools/list.
  QUERYLESS_OUTPUT_SCHEMAS: z.enum(['0', '1', 'false', 'true']).default('0').transform((v) => v === '1' || v === 'true'),
  QUERYLESS_HTTP_TOKEN: optionalString,
  QUERYLESS_HTTP_ALLOWED_HOSTS: optionalString,
  QUERYLESS_HTTP_ALLOWED_ORIGINS: optionalString,
  QUERYLESS_SESSION_IDLE_MS: z.coerce.number().int().min(1000).default(30 * 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  PROMETHEUS_URL: url('PROMETHEUS_URL', 'basic-auth').optional(),
  PROMETHEUS_USER: optionalString,
  PROMETHEUS_PASSWORD: optionalString,
  PROMETHEUS_TOKEN: optionalString,
  PROMETHEUS_TENANT: optionalString,
  PROMETHEUS_HEADERS: optionalString,

  LOKI_URL: url('LOKI_URL', 'basic-auth').optional(),
  LOKI_USER: optionalString,
  LOKI_PASSWORD: optionalString,
  LOKI_TOKEN: optionalString,
  LOKI_TENANT: optionalString,
  LOKI_HEADERS: optionalString,

  TEMPO_URL: url('TEMPO_URL', 'basic-auth').optional(),
  TEMPO_USER: optionalString,
  TEMPO_PASSWORD: optionalString,
  TEMPO_TOKEN: optionalString,
  TEMPO_TENANT: optionalString,
  TEMPO_HEADERS: optionalString,

  PYROSCOPE_URL: url('PYROSCOPE_URL', 'basic-auth').optional(),
  PYROSCOPE_USER: optionalString,
  PYROSCOPE_PASSWORD: optionalString,
  PYROSCOPE_TOKEN: optionalString,
  PYROSCOPE_TENANT: optionalString,
  PYROSCOPE_HEADERS: optionalString,

  GRAFANA_URL: url('GRAFANA_URL').optional(),
  GRAFANA_TOKEN: optionalString,
  GRAFANA_PROMETHEUS_UID: optionalString,
  GRAFANA_LOKI_UID: optionalString,
  GRAFANA_TEMPO_UID: optionalString,
  GRAFANA_PYROSCOPE_UID: optionalString,

  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: url('GITHUB_API_URL').optional(),
  GITHUB_OWNER: optionalString,
  GITHUB_REPO: optionalString,
  GITHUB_REF: optionalString,
  GITHUB_REPOS: optionalString,

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url('OPENAI_BASE_URL').optional(),
  QUERYLESS_MODEL: optionalString,
});

export type Env = z.infer<typeof envSchema>;

export type BackendName = 'prometheus' | 'loki' | 'tempo' | 'pyroscope';

export interface BackendConfig {
  name: BackendName;
  /** Base URL: the backend itself, or Grafana's datasource proxy for it. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /** True when reached through Grafana's datasource proxy. */
  viaGrafana: boolean;
}

export interface Config {
  env: Env;
  bundle?: string;
  backends: Partial<Record<BackendName, BackendConfig>>;
  grafana?: { url: string; token?: string; uids: Partial<Record<BackendName, string>> };
  github: { token?: string; apiUrl?: string; owner?: string; repo?: string; ref?: string; repos: Record<string, string>; timeoutMs?: number; maxResponseBytes?: number };
  model?: { apiKey?: string; baseUrl?: string; name: string };
  http: { token?: string; allowedHosts: string[]; allowedOrigins: string[]; sessionIdleMs: number };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `k=v,k2=v2` or a JSON object of headers. */
export function parseKeyValues(text: string | undefined, variable: string): Record<string, string> {
  if (!text) return {};
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      throw new ConfigError(`${variable}: invalid JSON object`);
    }
  }
  const out: Record<string, string> = {};
  for (const part of t.split(',')) {
    if (!part.trim()) continue;
    const i = part.search(/[=:]/);
    if (i <= 0) throw new ConfigError(`${variable}: expected key=value pairs separated by commas, got "${part.trim().slice(0, 40)}"`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Flags such as `--loki-url`, `--bundle`, `--model` mapped onto variable names. */
const FLAG_ALIASES: Record<string, keyof Env> = {
  bundle: 'QUERYLESS_BUNDLE',
  model: 'QUERYLESS_MODEL',
  timeout: 'QUERYLESS_TIMEOUT_MS',
  'http-token': 'QUERYLESS_HTTP_TOKEN',
  'log-level': 'LOG_LEVEL',
};

export function flagToVariable(flag: string): keyof Env | undefined {
  const alias = FLAG_ALIASES[flag];
  if (alias) return alias;
  const name = flag.replace(/-/g, '_').toUpperCase();
  return name in envSchema.shape ? (name as keyof Env) : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Record<string, string> = {}): Config {
  const merged: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  for (const [flag, value] of Object.entries(flags)) {
    const variable = flagToVariable(flag);
    if (variable) merged[variable] = value;
  }
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? '');
    const flag = `--${variable.toLowerCase().replace(/_/g, '-')}`;
    throw new ConfigError(`configuration error in ${variable} (or ${flag}): ${issue.message}`);
  }
  const e = parsed.data;

  const grafana = e.GRAFANA_URL
    ? {
        url: e.GRAFANA_URL,
        token: e.GRAFANA_TOKEN,
        uids: {
          prometheus: e.GRAFANA_PROMETHEUS_UID,
          loki: e.GRAFANA_LOKI_UID,
          tempo: e.GRAFANA_TEMPO_UID,
          pyroscope: e.GRAFANA_PYROSCOPE_UID,
        },
      }
    : undefined;

  const backends: Config['backends'] = {};
  for (const name of ['prometheus', 'loki', 'tempo', 'pyroscope'] as const) {
    const P = name.toUpperCase();
    const get = (k: string) => (e as Record<string, unknown>)[`${P}_${k}`] as string | undefined;
    const headers: Record<string, string> = parseKeyValues(get('HEADERS'), `${P}_HEADERS`);
    const direct = get('URL');
    const uid = grafana?.uids[name];
    let base: string | undefined;
    let viaGrafana = false;
    if (direct) {
      base = direct;
      let user = get('USER');
      let password = get('PASSWORD');
      const token = get('TOKEN');
      // user:pass@ in the URL: fetch refuses URLs with credentials, so it becomes basic auth here
      // (and leaves the URL, which is printed in links and errors).
      const u = new URL(direct);
      if (u.username || u.password) {
        if (user !== undefined || password !== undefined || token !== undefined) {
          throw new ConfigError(`configuration error in ${P}_URL: it carries user:password@ and ${P}_USER/${P}_PASSWORD/${P}_TOKEN are set too; keep one`);
        }
        if (!u.username || !u.password) throw new ConfigError(`configuration error in ${P}_URL: user:password@ needs both a user and a password (or use ${P}_USER and ${P}_PASSWORD)`);
        user = decodeURIComponent(u.username);
        password = decodeURIComponent(u.password);
        u.username = '';
        u.password = '';
        base = u.toString().replace(/\/+$/, '');
      }
      if (user !== undefined || password !== undefined) {
        if (!user || !password) throw new ConfigError(`configuration error in ${P}_USER/${P}_PASSWORD: basic auth needs both`);
        registerSecrets([password]);
        headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      } else if (token) headers.Authorization = `Bearer ${token}`;
    } else if (grafana && uid) {
      base = `${grafana.url}/api/datasources/proxy/uid/${encodeURIComponent(uid)}`;
      viaGrafana = true;
      if (grafana.token) headers.Authorization = `Bearer ${grafana.token}`;
    }
    if (!base) continue;
    const tenant = get('TENANT');
    if (tenant) headers['X-Scope-OrgID'] = tenant;
    for (const [k, v] of Object.entries(headers)) {
      if (/^(authorization|x-api-key|api-key|cookie)$/i.test(k)) registerSecrets([v, v.replace(/^\S+\s+/, '')]);
    }
    backends[name] = { name, url: base, headers, timeoutMs: e.QUERYLESS_TIMEOUT_MS, maxResponseBytes: e.QUERYLESS_MAX_RESPONSE_BYTES, viaGrafana };
  }

  const repos = parseKeyValues(e.GITHUB_REPOS, 'GITHUB_REPOS');
  for (const [svc, repo] of Object.entries(repos)) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new ConfigError(`configuration error in GITHUB_REPOS: "${svc}" maps to "${repo}", expected owner/repo`);
  }

  // Every configured secret is masked by value in every output, even echoed bare by a backend.
  const envSecrets = Object.entries(e)
    .filter(([k, v]) => typeof v === 'string' && /(_TOKEN|_PASSWORD|_API_KEY|_SECRET)$/.test(k))
    .map(([, v]) => v as string);
  registerSecrets(envSecrets);

  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  return {
    env: e,
    bundle: e.QUERYLESS_BUNDLE,
    backends,
    grafana,
    github: { token: e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL, owner: e.GITHUB_OWNER, repo: e.GITHUB_REPO, ref: e.GITHUB_REF, repos, timeoutMs: e.QUERYLESS_TIMEOUT_MS, maxResponseBytes: e.QUERYLESS_MAX_RESPONSE_BYTES },
    model: e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, name: e.QUERYLESS_MODEL ?? 'gpt-4o-mini' } : undefined,
    http: { token: e.QUERYLESS_HTTP_TOKEN, allowedHosts: list(e.QUERYLESS_HTTP_ALLOWED_HOSTS), allowedOrigins: list(e.QUERYLESS_HTTP_ALLOWED_ORIGINS), sessionIdleMs: e.QUERYLESS_SESSION_IDLE_MS },
  };
}

/** A description of the configuration safe to print: no secrets, only which parts are set. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    bundle: c.bundle,
    backends: Object.fromEntries(Object.entries(c.backends).map(([k, b]) => [k, { url: b.url, viaGrafana: b.viaGrafana, auth: 'Authorization' in b.headers, tenant: b.headers['X-Scope-OrgID'] }])),
    grafana: c.grafana ? { url: c.grafana.url, token: c.grafana.token ? 'set' : 'unset' } : undefined,
    github: { token: c.github.token ? 'set' : 'unset', owner: c.github.owner, repo: c.github.repo, repos: c.github.repos },
    model: c.model ? { baseUrl: c.model.baseUrl, name: c.model.name, apiKey: c.model.apiKey ? 'set' : 'unset' } : undefined,
  };
}
