// One remote fuzz case, in the worker process: points the four backends at the loopback fake (with a
// bearer token or basic auth each), opens them as the CLI does, runs every tool through `runTool` and
// returns what looks wrong: exceptions, hangs, errors that name no backend, stack traces, NaN/undefined
// in answers, and any credential in an answer.
import { setup } from '../../src/commands/context.js';
import type { Sources } from '../../src/sources/types.js';
import { loadTool, TOOL_NAMES } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';
import { METRIC, PREFIX, TRACE_ID } from './backend-answers.js';
import { badOutput, RAW_JS_ERROR, type Finding } from './run-case.js';

export interface RemoteCaseMsg {
  base: string;
  budgetMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Credentials the case configures; none may appear in an answer, whole or base64'd. */
export const SECRETS = { prometheus: 'prom-tok-Zx81fq', tempo: 'tempo-tok-Qw27hv', pyroscope: 'pyro-tok-Lk93mb', lokiUser: 'fuzzuser', lokiPassword: 'loki-pw-Rt55cn' };

const SECRET_FORMS = [SECRETS.prometheus, SECRETS.tempo, SECRETS.pyroscope, SECRETS.lokiPassword, Buffer.from(`${SECRETS.lokiUser}:${SECRETS.lokiPassword}`).toString('base64')];

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
const SERVICE_TOOLS = ['find_prevalent_errors', 'find_slow_spans', 'compare_attributes', 'hot_functions', 'log_patterns', 'search_logs', 'log_fields', 'service_red', 'explore_metric'];

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
    const res = await runTool(tool, callArgs, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: msg.budgetMs });
    if (res.isError && /did not finish within its/.test(res.text)) findings.push({ kind: 'hang', detail: `${label}: ${res.text.split('\n')[0]}` });
    else if (res.isError && (new RegExp(`^${name} failed: `).test(res.text) || RAW_JS_ERROR.test(res.text.replace(/^\S+: /, '')))) findings.push({ kind: 'tool-exception', detail: `${label}: ${res.text.slice(0, 300)}` });
    // A clear error names the backend that answered badly, or says what to do about what is missing.
    else if (res.isError && !/prometheus|mimir|loki|tempo|pyroscope/i.test(res.text) && !/\nWhat to do: \S/.test(res.text)) findings.push({ kind: 'unclear-error', detail: `${label}: an error naming no backend and no next step: ${res.text.slice(0, 300)}` });
    findings.push(...badOutput(label, res.text, echo), ...secretLeaks(label, res.text));
    if (res.structured) {
      const s = JSON.stringify(res.structured);
      findings.push(...badOutput(`${label} (structured)`, s, echo), ...secretLeaks(`${label} (structured)`, s));
    }
    if (name === 'list_services') service = (res.structured?.services as Array<{ service?: unknown }> | undefined)?.find((x) => typeof x.service === 'string')?.service as string | undefined;
  };
  for (const name of TOOL_NAMES) await call(name, ARGS[name] ?? {});
  for (const [name, a] of EXTRA_CALLS) await call(name, a);
  for (const name of SERVICE_TOOLS) await call(name, { ...(ARGS[name] ?? {}), service: service ?? 'checkout' });
  return findings;
}
