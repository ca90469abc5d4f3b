// A scripted, deterministic OpenAI-compatible model server (chat completions), used to record the
// committed model cassettes when no real model is reachable. It reads the conversation and decides:
//   turn 1: call the overview tools it is offered (list_services, rank_suspects);
//   turn 2: call every offered signal tool that takes a `service` argument, on the top suspect
//           (the first service named by rank_suspects, else the most erroring in list_services);
//   turn 3: answer in the question's language, citing the first line of each tool result.
// It never looks at anything but the request, so the same conversation always gets the same answer.
//
// Run: node dist/scripts/scripted-model-server.js [--port 8199]   (prints its base URL)
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatMessage {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  name?: string;
}

interface ToolSpec {
  type: string;
  function?: { name: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } };
}

interface ChatRequest {
  model?: string;
  messages?: ChatMessage[];
  tools?: ToolSpec[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const text = (c: ChatMessage['content']): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => p.text ?? '').join('') : '');

const STOPWORDS: Record<string, string[]> = {
  en: ['the', 'is', 'why', 'what', 'since', 'are', 'and', 'of', 'users', 'slow', 'failing', 'root', 'cause'],
  fr: ['les', 'des', 'est', 'pourquoi', 'depuis', 'quelle', 'une', 'le', 'la', 'et', 'échouent', 'cause', 'racine', 'utilisateurs', 'lenteurs'],
  es: ['los', 'las', 'por', 'qué', 'desde', 'cuál', 'es', 'la', 'el', 'y', 'usuarios', 'errores', 'causa', 'raíz', 'lentitud'],
  de: ['die', 'der', 'das', 'warum', 'seit', 'was', 'ist', 'und', 'nutzer', 'fehler', 'ursache', 'auf'],
};

/** Language of the question by stopword counts (en on ties): enough for a scripted model. */
export function guessLang(q: string): string {
  const words = q.toLowerCase().split(/[^\p{L}]+/u).filter(Boolean);
  let best = 'en';
  let bestN = 0;
  for (const [lang, sw] of Object.entries(STOPWORDS)) {
    const n = words.filter((w) => sw.includes(w)).length;
    if (n > bestN) {
      best = lang;
      bestN = n;
    }
  }
  return best;
}

/** Service names in a tool result: `service` fields when it is JSON, else first cells of table rows. */
function servicesIn(content: string): string[] {
  const out: string[] = [];
  try {
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.service === 'string' && !out.includes(o.service)) out.push(o.service);
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(content));
    if (out.length) return out;
  } catch {
    /* text */
  }
  for (const line of content.split('\n').slice(1)) {
    const first = line.trim().split(/\s{2,}|\s*\|\s*/)[0] ?? '';
    if (/^[A-Za-z][\w.-]*$/.test(first) && !['service', 'services'].includes(first.toLowerCase()) && !out.includes(first)) out.push(first);
  }
  return out;
}

const LANGUAGE_NAMES: Array<[RegExp, string]> = [
  [/\bAnswer in (French|français)/i, 'fr'],
  [/\bAnswer in (Spanish|español)/i, 'es'],
  [/\bAnswer in (German|Deutsch)/i, 'de'],
  [/\bAnswer in English/i, 'en'],
];

/** The answer language: what the system prompt asks for, else a guess from the question line. */
function answerLang(messages: ChatMessage[]): string {
  const system = messages.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
  for (const [re, lang] of LANGUAGE_NAMES) if (re.test(system)) return lang;
  const user = text(messages.find((m) => m.role === 'user')?.content);
  const line = user.split('\n').find((l) => /^question\s*:/i.test(l)) ?? user.split('\n')[0] ?? '';
  return guessLang(line.replace(/^question\s*:/i, ''));
}

/** Suspects the agent put in its first message (a JSON digest of the playbook), if any. */
function suspectsInPrompt(messages: ChatMessage[]): string[] {
  const user = text(messages.find((m) => m.role === 'user')?.content);
  const m = /<playbook>\s*([\s\S]*?)\s*<\/playbook>/.exec(user);
  if (!m) return [];
  try {
    const j = JSON.parse(m[1]!) as { suspects?: Array<{ service?: string }> };
    return (j.suspects ?? []).map((s) => s.service).filter((s): s is string => typeof s === 'string');
  } catch {
    return [];
  }
}

function topSuspect(messages: ChatMessage[], callNames: Map<string, string>): string | undefined {
  const results = messages.filter((m) => m.role === 'tool');
  const byTool = (name: string) => results.find((m) => callNames.get(m.tool_call_id ?? '') === name);
  const listed = servicesIn(text(byTool('list_services')?.content));
  const ranking = text(byTool('rank_suspects')?.content);
  if (ranking) {
    const named = servicesIn(ranking);
    if (named.length && (listed.length === 0 || listed.includes(named[0]!))) return named[0];
    // Text ranking: the known service mentioned first.
    // Whole-name matches only ("ride" must not match inside "override").
    const at = (name: string) => new RegExp(`(^|[^\\w.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.-])`).exec(ranking)?.index ?? -1;
    const first = listed.map((s) => ({ s, i: at(s) })).filter((x) => x.i >= 0).sort((a, b) => a.i - b.i)[0];
    if (first) return first.s;
  }
  return suspectsInPrompt(messages)[0] ?? listed[0];
}

const OVERVIEW = ['list_services', 'rank_suspects'];
// Tools that need an id or a raw query, or re-run the whole investigation: not part of the script.
const NOT_SCRIPTED = /^(query_|get_trace|investigate|lookup_source|search_|read_|get_file|find_function)/;

interface Decision {
  toolCalls?: Array<{ name: string; args: Record<string, unknown> }>;
  answer?: string;
}

export function decide(req: ChatRequest): Decision {
  const messages = req.messages ?? [];
  const tools = (req.tools ?? []).filter((t) => t.type === 'function' && t.function).map((t) => t.function!);
  const turns = messages.filter((m) => m.role === 'assistant' && m.tool_calls?.length).length;
  const callNames = new Map<string, string>();
  for (const m of messages) for (const c of m.tool_calls ?? []) callNames.set(c.id, c.function.name);
  const lang = answerLang(messages);
  const has = (n: string) => tools.some((t) => t.name === n);
  // Forced final answer (budget exhausted): no more tools.
  const noTools = req.tool_choice === 'none' || tools.length === 0;

  if (turns === 0 && !noTools) {
    const calls = OVERVIEW.filter(has).map((name) => ({ name, args: {} }));
    if (calls.length) return { toolCalls: calls };
  }
  const suspect = topSuspect(messages, callNames);
  if (turns <= 1 && suspect && !noTools) {
    const calls = tools
      .filter((t) => !OVERVIEW.includes(t.name) && !NOT_SCRIPTED.test(t.name))
      .filter((t) => t.parameters?.properties && 'service' in t.parameters.properties)
      .filter((t) => (t.parameters?.required ?? []).every((r) => r === 'service'))
      .slice(0, 6)
      .map((t) => ({ name: t.name, args: { service: suspect } }));
    if (calls.length) return { toolCalls: calls };
  }
  // Final answer: cite the first line of each signal tool's result.
  const cites: string[] = [];
  for (const m of messages) {
    if (m.role !== 'tool') continue;
    const name = callNames.get(m.tool_call_id ?? '') ?? 'tool';
    if (OVERVIEW.includes(name)) continue;
    const first = text(m.content).split('\n').find((l) => l.trim()) ?? '';
    cites.push(`- ${name}: ${first.trim().slice(0, 200)}`);
  }
  return { answer: render(lang, suspect, cites) };
}

function render(lang: string, svc: string | undefined, cites: string[]): string {
  const s = svc ?? '?';
  const ev = cites.length ? cites.join('\n') : '-';
  switch (lang) {
    case 'fr':
      return `Cause racine probable : le service ${s}.\n\nÉléments relevés par les outils :\n${ev}\n\nÀ faire : corriger le défaut indiqué par ces constats dans ${s}, puis vérifier que le taux d'erreur et la latence reviennent au niveau de la référence.`;
    case 'es':
      return `Causa raíz probable: el servicio ${s}.\n\nEvidencias de las herramientas:\n${ev}\n\nQué hacer: corregir el defecto que muestran estos hallazgos en ${s} y comprobar que la tasa de errores y la latencia vuelven al nivel de referencia.`;
    case 'de':
      return `Wahrscheinliche Ursache: der Dienst ${s}.\n\nBelege aus den Werkzeugen:\n${ev}\n\nZu tun: den in diesen Befunden gezeigten Fehler in ${s} beheben und prüfen, dass Fehlerrate und Latenz wieder auf dem Ausgangsniveau liegen.`;
    default:
      return `Probable root cause: the ${s} service.\n\nEvidence from the tools:\n${ev}\n\nWhat to do: fix the defect these findings point to in ${s}, then check that the error rate and latency return to the baseline.`;
  }
}

const tokens = (s: string) => Math.ceil(s.length / 4);

function completion(req: ChatRequest, d: Decision, n: number) {
  const id = `chatcmpl-scripted-${n}`;
  const toolCalls = d.toolCalls?.map((c, i) => ({ id: `call_${n}_${i}`, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  const message = toolCalls ? { role: 'assistant', content: null, refusal: null, tool_calls: toolCalls } : { role: 'assistant', content: d.answer ?? '', refusal: null };
  const prompt = tokens(JSON.stringify(req.messages ?? []) + JSON.stringify(req.tools ?? []));
  const done = tokens(JSON.stringify(message));
  return {
    id,
    object: 'chat.completion',
    created: 1_700_000_000 + n,
    model: req.model ?? 'scripted',
    choices: [{ index: 0, finish_reason: toolCalls ? 'tool_calls' : 'stop', logprobs: null, message }],
    usage: { prompt_tokens: prompt, completion_tokens: done, total_tokens: prompt + done },
  };
}

function sse(c: ReturnType<typeof completion>, includeUsage: boolean): string {
  const base = { id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model };
  const ch = c.choices[0]!;
  const msg = ch.message as { content: string | null; tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }> };
  const chunks: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: msg.tool_calls ? null : '' }, finish_reason: null }] }];
  if (msg.tool_calls) chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: msg.tool_calls.map((t, index) => ({ index, ...t })) }, finish_reason: null }] });
  else chunks.push({ ...base, choices: [{ index: 0, delta: { content: msg.content }, finish_reason: null }] });
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: ch.finish_reason }] });
  if (includeUsage) chunks.push({ ...base, choices: [], usage: c.usage });
  return chunks.map((x) => `data: ${JSON.stringify(x)}\n\n`).join('') + 'data: [DONE]\n\n';
}

export interface ScriptedServer {
  url: string;
  close(): Promise<void>;
  requests: number;
}

export async function startScriptedModelServer(port = 0, host = '127.0.0.1'): Promise<ScriptedServer> {
  let n = 0;
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'scripted', object: 'model', owned_by: 'queryless' }] }));
        return;
      }
      if (req.method !== 'POST' || url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `unknown endpoint ${req.method} ${url}`, type: 'invalid_request_error' } }));
        return;
      }
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `invalid JSON body: ${(e as Error).message}`, type: 'invalid_request_error' } }));
        return;
      }
      state.requests++;
      const c = completion(body, decide(body), ++n);
      if (body.stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse(c, Boolean(body.stream_options?.include_usage)));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(c));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Run as a script: serve until interrupted.
if (process.argv[1] && /scripted-model-server\.(js|ts)$/.test(process.argv[1])) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8199;
  startScriptedModelServer(port).then((s) => {
    process.stdout.write(`scripted model server at ${s.url} (OPENAI_BASE_URL=${s.url} QUERYLESS_MODEL=scripted)\n`);
  });
}
