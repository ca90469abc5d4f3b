// One remote fuzz case, in the worker process: points the four backends at the loopback fake (with a
// bearer token or basic auth each), opens them as the CLI does, runs every tool through `runTool` and
// returns what looks wrong: exceptions, hangs, errors that name no backend, stack traces, NaN/undefined
// in answers, and any credential in an answer.
import { setup } from '../../src/commands/context.js';
import type { Sources } from '../../src/sources/types.js';
import { loadTool, TOOL_NAMES } from '../../tools/lazy.js';
import { runTool, type ToolResult } from '../../tools/run.js';
import { CONTROL_PREFIX } from './backend-server.js';
import { GH_REPO, METRIC, PREFIX, TRACE_ID } from './backend-answers.js';
import { badOutput, RAW_JS_ERROR, type Finding } from './run-case.js';

export interface RemoteCaseMsg {
  base: string;
  /** A case that damages GitHub: its lookups are run too. */
  github?: boolean;
  budgetMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Credentials the case configures; none may appear in an answer, whole or base64'd. */
export const SECRETS = { github: 'gh-tok-Vb46ws', prometheus: 'prom-tok-Zx81fq', tempo: 'tempo-tok-Qw27hv', pyroscope: 'pyro-tok-Lk93mb', lokiUser: 'fuzzuser', lokiPassword: 'loki-pw-Rt55cn' };

const SECRET_FORMS = [SECRETS.github, SECRETS.prometheus, SECRETS.tempo, SECRETS.pyroscope, SECRETS.lokiPassword, Buffer.from(`${SECRETS.lokiUser}:${SECRETS.lokiPassword}`).toString('base64')];

const ARGS: Record<string, Record<string, unknown>> = {
  explore_metric: { metric: METRIC },
  breakdown_metric: { metric: METRIC },
  investigate: { question: 'Why are checkout requests failing?' },
  lookup_source: { function: 'main' },
  compare_attributes: { selection: 'errors' },
  get_trace: { trace_id: TRACE_ID },
  search_logs: { contains: ['error'] },
  native_query: { language: 'promql', query: `sum(rate(${METRIC}[5m]))` },
};
const EXTRA_CALLS: Array<[string, Record<string, unknown>]> = [
  ['native_query', { language: 'logql', query: 'sum by (service_name) (count_over_time({service_name=~".+"} |= "error" [5m]))' }],
  ['native_query', { language: 'logql', query: '{service_name="checkout"} |= "error"' }],
  ['native_query', { language: 'traceql', query: '{ status = error }' }],
];
/** In GitHub cases: a file by its build path (through the tree), and a function (through code search). */
const GITHUB_CALLS: Array<[string, Record<string, unknown>]> = [
  ['lookup_source', { service: 'payment', file: 'shop/payment/card.go' }],
  ['lookup_source', { service: 'payment', function: 'shop/payment.(*Card).Validate' }],
];
const SERVICE_TOOLS = ['find_prevalent_errors', 'find_slow_spans', 'compare_attributes', 'hot_functions', 'log_patterns', 'search_logs', 'log_fields', 'service_red', 'explore_metric'];

/** What an output says it left out: its problems, warnings, notes and partial lines (tools name them so). */
export function partialMarks(res: ToolResult): Set<string> {
  const out = new Set<string>();
  const s = res.structured ?? {};
  for (const k of ['problems', 'warnings', 'notes', 'partial']) {
    const v = s[k];
    if (Array.isArray(v)) for (const x of v) out.add(`${k}: ${String(x)}`);
    else if (v === true) out.add(k);
  }
  return out;
}

async function control(base: string, what: string): Promise<{ lossy: number }> {
  const res = await fetch(`${base}${CONTROL_PREFIX}${what}`, { method: what.startsWith('healthy') ? 'POST' : 'GET' });
  return (await res.json()) as { lossy: number };
}

/**
 * A call that read damaged answers (that could cost data: backend-server.ts VALUES_ONLY) and answered without an error must say what it left out: when its
 * output differs from the same call's over healthy answers and it carries no problem, warning, note or
 * partial line the healthy one lacks, the damage passed as a complete answer. A damage the client fully
 * recovers from (a retried 503, a field nobody reads) gives the healthy output and is no finding.
 */
function silentPartial(label: string, hurt: ToolResult, healthy: ToolResult): Finding[] {
  if (hurt.isError || healthy.isError || hurt.text === healthy.text) return [];
  const before = partialMarks(healthy);
  if ([...partialMarks(hurt)].some((m) => !before.has(m))) return [];
  let at = 0;
  while (at < hurt.text.length && hurt.text[at] === healthy.text[at]) at++;
  const near = (t: string) => JSON.stringify(t.slice(Math.max(0, at - 60), at + 100));
  return [{ kind: 'silent-partial', detail: `${label}: read damaged answers, answered differently from healthy ones and marked nothing as partial; damaged …${near(hurt.text)}… healthy …${near(healthy.text)}…` }];
}

function configure(msg: RemoteCaseMsg): void {
  for (const k of Object.keys(process.env)) if (/^(PROMETHEUS|LOKI|TEMPO|PYROSCOPE|GRAFANA|GITHUB|OPENAI|QUERYLESS)_/.test(k)) delete process.env[k];
  const hostPort = msg.base.replace(/^http:\/\//, '');
  Object.assign(process.env, {
    PROMETHEUS_URL: `${msg.base}${PREFIX.prometheus}`,
    PROMETHEUS_TOKEN: SECRETS.prometheus,
    LOKI_URL: `http://${SECRETS.lokiUser}:${SECRETS.lokiPassword}@${hostPort}${PREFIX.loki}`,
    TEMPO_URL: `${msg.base}${PREFIX.tempo}`,
    TEMPO_TOKEN: SECRETS.tempo,
    PYROSCOPE_URL: `${msg.base}${PREFIX.pyroscope}`,
    PYROSCOPE_TOKEN: SECRETS.pyroscope,
    GITHUB_API_URL: `${msg.base}${PREFIX.github}`,
    GITHUB_TOKEN: SECRETS.github,
    GITHUB_OWNER: GH_REPO.owner,
    GITHUB_REPO: GH_REPO.repo,
    GITHUB_REF: GH_REPO.ref,
    QUERYLESS_TIMEOUT_MS: String(msg.timeoutMs),
    QUERYLESS_MAX_RESPONSE_BYTES: String(msg.maxResponseBytes),
    QUERYLESS_CACHE_TTL_MS: '0',
  });
}

function secretLeaks(where: string, text: string): Finding[] {
  const out: Finding[] = [];
  for (const s of SECRET_FORMS) {
    const i = text.indexOf(s);
    if (i >= 0) out.push({ kind: 'secret-leak', detail: `${where}: a credential in the answer: …${text.slice(Math.max(0, i - 80), i).replace(s, '<secret>')}<secret>…` });
  }
  return out;
}

export async function runRemoteCase(msg: RemoteCaseMsg, step: (what: string) => void = () => {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  configure(msg);
  step('open');
  let sources: Sources;
  try {
    sources = (await setup({})).sources;
  } catch (e) {
    findings.push({ kind: 'uncaught', detail: `setup: ${(e as Error).stack?.slice(0, 400)}` });
    return findings;
  }
  const echo = new Set<string>();
  let service: string | undefined;
  const call = async (name: string, callArgs: Record<string, unknown>) => {
    const tool = (await loadTool(name))!;
    const label = `${name} ${JSON.stringify(callArgs).slice(0, 80)}`;
    step(label);
    const run = () => runTool(tool, callArgs, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: msg.budgetMs });
    const lossyBefore = (await control(msg.base, 'state')).lossy;
    const res = await run();
    if (!res.isError && (await control(msg.base, 'state')).lossy > lossyBefore) {
      await control(msg.base, 'healthy?on=1');
      const healthy = await run().finally(() => control(msg.base, 'healthy?on=0'));
      findings.push(...silentPartial(label, res, healthy));
    }
    if (res.isError && /did not finish within its/.test(res.text)) findings.push({ kind: 'hang', detail: `${label}: ${res.text.split('\n')[0]}` });
    else if (res.isError && (new RegExp(`^${name} failed: `).test(res.text) || RAW_JS_ERROR.test(res.text.replace(/^\S+: /, '')))) findings.push({ kind: 'tool-exception', detail: `${label}: ${res.text.slice(0, 300)}` });
    // A clear error names the backend that answered badly, or says what to do about what is missing.
    else if (res.isError && !/prometheus|mimir|loki|tempo|pyroscope|github/i.test(res.text) && !/\nWhat to do: \S/.test(res.text)) findings.push({ kind: 'unclear-error', detail: `${label}: an error naming no backend and no next step: ${res.text.slice(0, 300)}` });
    findings.push(...badOutput(label, res.text, echo), ...secretLeaks(label, res.text));
    if (res.structured) {
      const s = JSON.stringify(res.structured);
      findings.push(...badOutput(`${label} (structured)`, s, echo), ...secretLeaks(`${label} (structured)`, s));
    }
    if (name === 'list_services') service = (res.structured?.services as Array<{ service?: unknown }> | undefined)?.find((x) => typeof x.service === 'string')?.service as string | undefined;
  };
  for (const name of TOOL_NAMES) await call(name, ARGS[name] ?? {});
  for (const [name, a] of [...EXTRA_CALLS, ...(msg.github ? GITHUB_CALLS : [])]) await call(name, a);
  for (const name of SERVICE_TOOLS) await call(name, { ...(ARGS[name] ?? {}), service: service ?? 'checkout' });
  return findings;
}
