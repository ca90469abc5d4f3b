// The agent loop: an OpenAI-compatible model drives the registry's tools, starting from the playbook's
// findings (so it never starts blind), within budgets on steps, tokens and time, and always ends with a
// report in the findings format plus the model's narrative.
//
// Robustness toward models and compatible servers (API.md §7): tool-call arguments are validated (bad
// JSON and unknown tools get an error message the model can read), exact repeat calls are refused,
// parallel calls run concurrently, 429/5xx are retried with backoff (honouring retry-after), empty or
// duplicate call ids are synthesised, and a forced final answer is requested when a budget runs out.
import OpenAI from 'openai';
import Handlebars from 'handlebars';
import type { Report } from './findings.js';
import type { Sources, TimeRange } from '../sources/types.js';
import { tools as registry } from '../../tools/index.js';
import { runTool } from '../../tools/run.js';
import { listedInputSchema, SCOPE_GUIDE } from '../../tools/listing.js';
import type { ToolDef } from '../../tools/types.js';
import { runPlaybook } from './playbook.js';
import { detectLanguage, languageName, normaliseLang } from './language.js';
import { readPrompt } from './assets.js';
import { maskSecrets } from '../log.js';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
type Completion = OpenAI.Chat.Completions.ChatCompletion;

export interface AgentOptions {
  model: { apiKey?: string; baseUrl?: string; name: string };
  lang?: string;
  window?: TimeRange;
  baseline?: TimeRange;
  service?: string;
  maxSteps?: number;
  maxTokens?: number;
  timeBudgetMs?: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/** Tools the model is not offered: the investigation itself (it would recurse). */
const EXCLUDED_TOOLS = new Set(['investigate']);
const MAX_RETRIES = 3;
const RETRY_BASE_MS = 500;
/** Cap on one tool answer sent back to the model (the runner already fits the budget; this guards odd tools). */
const MAX_TOOL_CHARS = 24_000;

/**
 * The registry's tools as OpenAI function definitions: the same compact schemas an MCP client lists
 * (tools/listing.ts), so our loop pays what a chat client pays; the shared arguments are described
 * once, in the system prompt (SCOPE_GUIDE).
 */
export function toolDefinitions(defs: ToolDef[] = registry): ChatTool[] {
  return defs
    .filter((d) => !EXCLUDED_TOOLS.has(d.name))
    .map((d) => ({ type: 'function' as const, function: { name: d.name, description: d.description, parameters: structuredClone(listedInputSchema(d)) } }));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function retryDelay(err: unknown, attempt: number): number {
  const headers = (err as { headers?: Headers | Record<string, string> }).headers;
  const get = (k: string) => (headers instanceof Headers ? headers.get(k) : (headers as Record<string, string> | undefined)?.[k]) ?? undefined;
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 60_000);
  const s = Number(get('retry-after'));
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 60_000);
  return RETRY_BASE_MS * 2 ** attempt * (0.8 + Math.random() * 0.4);
}

function isRetryable(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError && !(err instanceof OpenAI.APIUserAbortError)) return true;
  const status = (err as { status?: number }).status;
  return status === 429 || (typeof status === 'number' && status >= 500);
}

/** Stable JSON for repeat detection (key order does not make a call different). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A compact view of the playbook's report for the model: what it found, with numbers and queries. */
function playbookDigest(r: Report): unknown {
  return {
    window: r.window,
    baseline: r.baseline,
    suspects: r.suspects.slice(0, 5).map((s) => ({ service: s.service, score: s.score, parts: s.parts, evidence: s.evidence.slice(0, 3) })),
    findings: r.findings.slice(0, 12).map((f, i) => ({
      n: i + 1,
      kind: f.kind,
      service: f.service,
      title: f.title,
      numbers: f.numbers,
      details: f.details,
      source: f.source ? { repo: f.source.repo, path: f.source.path, lines: `${f.source.startLine}-${f.source.endLine}`, function: f.source.function } : undefined,
      query: f.evidence.query?.text,
      traceIds: f.evidence.traceIds?.slice(0, 2),
      hints: f.hints,
    })),
    hints: r.hints.map((h) => ({ id: h.id, title: h.title, findings: h.findings.map((i) => i + 1) })),
    partial: r.partial,
  };
}

export async function runAgent(sources: Sources, question: string, opts: AgentOptions): Promise<Report> {
  const t0 = performance.now();
  const progress = opts.onProgress ?? (() => {});
  // The model is told the asker's real language, catalogue or not: it can write Swedish even where the
  // deterministic report falls back to English.
  const askedLang = normaliseLang(opts.lang) ?? detectLanguage(question);
  const answerIn = languageName(askedLang);
  const maxSteps = opts.maxSteps ?? 8;
  const maxTokens = opts.maxTokens ?? 200_000;
  const timeBudgetMs = opts.timeBudgetMs ?? 120_000;
  const deadline = t0 + timeBudgetMs;

  progress('running the playbook');
  const playbook = await runPlaybook(sources, question, {
    lang: askedLang,
    window: opts.window,
    baseline: opts.baseline,
    service: opts.service,
    signal: opts.signal,
    timeBudgetMs: Math.min(30_000, timeBudgetMs / 3),
  });
  progress(`playbook: ${playbook.findings.length} finding(s), top suspect ${playbook.suspects[0]?.service ?? 'none'}`);

  const client = new OpenAI({
    apiKey: opts.model.apiKey ?? 'not-needed',
    baseURL: opts.model.baseUrl,
    maxRetries: 0, // retries are ours: visible in progress lines and tests
    timeout: Math.max(5_000, Math.min(120_000, timeBudgetMs)),
  });
  const defs = registry.filter((d) => !EXCLUDED_TOOLS.has(d.name));
  const toolList = toolDefinitions(defs);
  const system = Handlebars.compile(readPrompt('system.hbs'), { noEscape: true })({
    languageName: answerIn,
    maxSteps,
    window: playbook.window,
    baseline: playbook.baseline,
    describe: sources.describe,
    scopeGuide: SCOPE_GUIDE,
  });
  const user = Handlebars.compile(readPrompt('playbook-findings.hbs'), { noEscape: true })({
    question,
    json: JSON.stringify(playbookDigest(playbook), null, 1),
  });
  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];

  let tokens = 0;
  let steps = 0;
  let toolCalls = playbook.stats.toolCalls;
  const partial = [...playbook.partial];
  const seenCalls = new Map<string, number>();
  let narrative: string | undefined;
  let idCounter = 0;

  const complete = async (forceFinal: boolean): Promise<Completion> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
          model: opts.model.name,
          messages,
          ...(toolList.length ? { tools: toolList, tool_choice: forceFinal ? ('none' as const) : ('auto' as const) } : {}),
        };
        const res = await client.chat.completions.create(body, { signal: opts.signal });
        tokens += res.usage?.total_tokens ?? 0;
        return res;
      } catch (e) {
        if (opts.signal?.aborted || attempt >= MAX_RETRIES || !isRetryable(e)) throw e;
        const wait = retryDelay(e, attempt);
        progress(`model answered ${(e as { status?: number }).status ?? 'a connection error'}; retrying in ${Math.round(wait)} ms (${attempt + 1}/${MAX_RETRIES})`);
        await sleep(wait, opts.signal);
      }
    }
  };

  const runCall = async (tc: { id: string; name: string; args: string }): Promise<string> => {
    const def = defs.find((d) => d.name === tc.name);
    if (!def) return `ERROR: unknown tool "${tc.name}". Available tools: ${defs.map((d) => d.name).join(', ')}.`;
    let args: unknown;
    try {
      args = tc.args.trim() === '' ? {} : JSON.parse(tc.args);
    } catch (e) {
      return `ERROR: the arguments of ${tc.name} are not valid JSON (${(e as Error).message}). Send a JSON object matching the tool's schema.`;
    }
    if (typeof args === 'string') {
      // Some servers double-encode arguments.
      try {
        args = JSON.parse(args);
      } catch {
        /* keep as is: the schema check reports it */
      }
    }
    const key = `${tc.name} ${canonical(args)}`;
    const prev = seenCalls.get(key);
    if (prev !== undefined) return `ERROR: ${tc.name} was already called with exactly these arguments at step ${prev}; its answer is above and would not change. Use it, or change the arguments (service, window, filters).`;
    seenCalls.set(key, steps);
    toolCalls++;
    const res = await runTool(def, args, {
      sources,
      signal: opts.signal ?? new AbortController().signal,
      progress: (done, total, message) => progress(`${tc.name}: ${message ?? ''} ${total ? `${done}/${total}` : done}`),
    });
    const text = res.text.length > MAX_TOOL_CHARS ? res.text.slice(0, MAX_TOOL_CHARS) + '\n… [cut]' : res.text;
    return res.isError ? `ERROR: ${text}` : text;
  };

  let forced = false;
  for (;;) {
    const outOfBudget = steps >= maxSteps ? 'step' : tokens >= maxTokens ? 'token' : performance.now() >= deadline ? 'time' : undefined;
    if (outOfBudget && !forced) {
      forced = true;
      partial.push(`agent: ${outOfBudget} budget reached after ${steps} step(s); final answer forced`);
      progress(`${outOfBudget} budget reached: asking for the final answer`);
      messages.push({ role: 'user', content: `The ${outOfBudget} budget is exhausted. Do not call tools any more: write the final answer now from the evidence above, in ${answerIn}.` });
    }
    let res: Completion;
    try {
      res = await complete(forced);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      const msg = maskSecrets((e as Error).message);
      partial.push(`agent: the model could not be reached (${msg}); the report holds the playbook's findings`);
      progress(`model error: ${msg}`);
      break;
    }
    const choice = res.choices[0];
    const msg = choice?.message;
    if (!msg) {
      partial.push('agent: the model returned no message');
      break;
    }
    const calls = (msg.tool_calls ?? []).filter((c): c is OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall => c.type === 'function');
    if (calls.length === 0 || forced) {
      narrative = msg.content ?? undefined;
      if (!narrative && calls.length) partial.push('agent: the model kept calling tools after the budget; no narrative');
      break;
    }
    steps++;
    // Ids must be unique and present for the tool messages to match (compatible servers may omit them).
    const used = new Set<string>();
    const normalised = calls.map((c) => {
      let id = c.id;
      if (!id || used.has(id)) id = `call_ql_${++idCounter}`;
      used.add(id);
      const raw = c.function.arguments as unknown;
      return { id, name: c.function.name, args: typeof raw === 'string' ? raw : JSON.stringify(raw ?? {}) };
    });
    messages.push({
      role: 'assistant',
      content: msg.content ?? null,
      tool_calls: normalised.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.args } })),
    });
    progress(`step ${steps}: ${normalised.map((c) => c.name).join(', ')}`);
    const outputs = await Promise.all(normalised.map((c) => runCall(c)));
    normalised.forEach((c, i) => messages.push({ role: 'tool', tool_call_id: c.id, content: outputs[i]! }));
  }

  return {
    ...playbook,
    mode: 'agent',
    narrative,
    partial: [...new Set(partial)],
    stats: { toolCalls, tokens, steps, ms: Math.round(performance.now() - t0) },
  };
}
