// Model cassettes: record a conversation with the scripted OpenAI-compatible server (real HTTP, real
// OpenAI SDK, real tools over the demo bundle), replay it with nock without the server, and check
// that a diverging conversation is reported request by request.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../../tools/index.js';
import { runTool, servedInputSchema } from '../../tools/run.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { Sources } from '../../src/sources/types.js';
import { ModelRecorder, readCassette, startReplay, writeCassette, cassetteFile, compareRequest, findCassette } from '../../src/evals/cassette.js';
import { startScriptedModelServer, decide, guessLang, type ScriptedServer } from '../../scripts/scripted-model-server.js';

const DEMO = path.resolve('evals/incidents/demo-checkout');
const dir = mkdtempSync(path.join(tmpdir(), 'ql-cassette-'));
let server: ScriptedServer;
let sources: Sources;

beforeAll(async () => {
  server = await startScriptedModelServer();
  sources = await openBundle(DEMO);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A minimal tool-calling loop (the product's agent lives in src/agent/loop.ts). */
async function miniAgent(model: { baseUrl: string; apiKey: string; name: string }, question: string, system = 'Answer in the language of the question.') {
  const client = new OpenAI({ baseURL: model.baseUrl, apiKey: model.apiKey, maxRetries: 0 });
  const defs = tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: z.toJSONSchema(servedInputSchema(t)) as Record<string, unknown> } }));
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: system }, { role: 'user', content: question }];
  const called: string[] = [];
  for (let step = 0; step < 5; step++) {
    const res = await client.chat.completions.create({ model: model.name, messages, tools: defs, temperature: 0 });
    const msg = res.choices[0]!.message;
    messages.push(msg);
    if (!msg.tool_calls?.length) return { answer: msg.content ?? '', called, tokens: res.usage?.total_tokens };
    for (const tc of msg.tool_calls) {
      if (tc.type !== 'function') continue;
      const tool = tools.find((t) => t.name === tc.function.name)!;
      called.push(`${tc.function.name}(${tc.function.arguments})`);
      const out = await runTool(tool, JSON.parse(tc.function.arguments || '{}'), { sources, signal: new AbortController().signal, progress: () => {} });
      messages.push({ role: 'tool', tool_call_id: tc.id, content: out.text });
    }
  }
  throw new Error('no answer in 5 steps');
}

describe('scripted model server', () => {
  it('guesses the question language and scripts overview, then signal tools, then an answer', () => {
    expect(guessLang('Pourquoi les commandes échouent-elles depuis 10h ?')).toBe('fr');
    expect(guessLang('Why are orders failing since 10:04?')).toBe('en');
    const toolsSpec = [
      { type: 'function', function: { name: 'list_services', parameters: { properties: {} } } },
      { type: 'function', function: { name: 'find_prevalent_errors', parameters: { properties: { service: {} } } } },
      { type: 'function', function: { name: 'get_trace', parameters: { properties: { trace_id: {} }, required: ['trace_id'] } } },
    ];
    const d1 = decide({ messages: [{ role: 'user', content: 'Why?' }], tools: toolsSpec });
    expect(d1.toolCalls).toEqual([{ name: 'list_services', args: {} }]);
    const d2 = decide({
      messages: [
        { role: 'user', content: 'Why?' },
        { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'list_services', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'a', content: JSON.stringify({ services: [{ service: 'checkout' }, { service: 'auth' }] }) },
      ],
      tools: toolsSpec,
    });
    expect(d2.toolCalls).toEqual([{ name: 'find_prevalent_errors', args: { service: 'checkout' } }]);
  });
});

describe('model cassettes', () => {
  it('records the exchanges with the model, then replays them with no server and the same outcome', { timeout: 600_000 }, async () => {
    const model = { baseUrl: server.url, apiKey: 'sk-test-not-a-real-key-000000', name: 'scripted' };
    const rec = new ModelRecorder(server.url);
    rec.start();
    let live;
    try {
      live = await miniAgent(model, 'Pourquoi les commandes échouent-elles depuis 10h ?');
    } finally {
      rec.stop();
    }
    expect(live.answer).toMatch(/^Cause racine probable : le service /);
    expect(live.called[0]).toBe('list_services({})');
    expect(rec.exchanges.length).toBeGreaterThanOrEqual(2);
    expect(rec.exchanges[0]!.path).toBe('/v1/chat/completions');
    // Secrets are not recorded: only the bodies and a few response headers.
    expect(JSON.stringify(rec.exchanges)).not.toContain('sk-test');
    const file = cassetteFile(dir, 'demo-checkout', 'fr');
    await writeCassette(file, { version: 1, recordedAt: new Date().toISOString(), model: { name: 'scripted', baseUrl: server.url }, case: { bundle: 'demo-checkout', lang: 'fr', question: 'q' }, exchanges: rec.exchanges });

    const before = server.requests;
    const replay = startReplay(await readCassette(file));
    let replayed;
    try {
      replayed = await miniAgent(replay.model, 'Pourquoi les commandes échouent-elles depuis 10h ?');
    } finally {
      replay.done();
    }
    expect(server.requests).toBe(before); // nothing reached the server
    expect(replay.issues).toEqual([]);
    expect(replayed.answer).toBe(live.answer);
    expect(replayed.called).toEqual(live.called);
  });

  it('gzipped cassettes: written and read back the same, found after a plain one, and replacing it', async () => {
    const plain = cassetteFile(dir, 'demo-checkout', 'fr');
    const c = await readCassette(plain);
    const gz = cassetteFile(dir, 'demo-checkout', 'fr', 1, true);
    expect(gz).toBe(`${plain}.gz`);
    expect(await findCassette(dir, 'demo-checkout', 'fr')).toBe(plain);
    const copy = cassetteFile(dir, 'copy', 'fr', 1, true);
    await writeCassette(copy, c);
    expect(readFileSync(copy).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await readCassette(copy)).toEqual(c);
    expect(await findCassette(dir, 'copy', 'fr')).toBe(copy);
    expect(await findCassette(dir, 'copy', 'fr', 2)).toBe(copy); // a repeat run falls back to run 1's
    // Writing the plain form removes the gzipped one, so replay cannot pick a stale recording.
    await writeCassette(cassetteFile(dir, 'copy', 'fr'), c);
    expect(existsSync(copy)).toBe(false);
  });

  it('reports which request diverged and what differed, and that recorded requests went unused', { timeout: 600_000 }, async () => {
    const file = cassetteFile(dir, 'demo-checkout', 'fr');
    const replay = startReplay(await readCassette(file));
    let err: Error | undefined;
    try {
      await miniAgent(replay.model, 'Pourquoi les commandes échouent-elles depuis 10h ?', 'A different system prompt.');
      // Same conversation shape, different system text: drift, not a mismatch.
    } catch (e) {
      err = e as Error;
    }
    const issues = replay.done();
    expect(err).toBeUndefined();
    expect(issues.every((i) => i.kind === 'drift')).toBe(true);
    expect(issues[0]!.message).toMatch(/request 1 .*messages\[0\]\.content: recorded "Answer in the language of the question\.", got "A different system prompt\."/);

    const strict = startReplay(await readCassette(file), { strict: true });
    await expect(miniAgent(strict.model, 'Pourquoi les commandes échouent-elles depuis 10h ?', 'A different system prompt.')).rejects.toThrow(/cassette \(strict\)/);
    const sIssues = strict.done();
    expect(sIssues[0]).toMatchObject({ request: 1, kind: 'mismatch' });
    expect(sIssues.at(-1)!.kind).toBe('unused');
  });

  it('compares requests structurally: model and tool calls are mismatches', () => {
    const exp = { method: 'POST', path: '/v1/chat/completions', request: { model: 'a', messages: [{ role: 'user', content: 'x' }], tools: [{ function: { name: 't' } }] }, status: 200, headers: {}, response: {} };
    const r = compareRequest(exp, 'POST', '/v1/chat/completions', { model: 'b', messages: [{ role: 'user', content: 'y' }], tools: [{ function: { name: 'u' } }] });
    expect(r.mismatch).toEqual(['model: recorded "a", got "b"', 'tools[0].function.name: recorded "t", got "u"']);
    expect(r.drift).toEqual(['messages[0].content: recorded "x", got "y"']);
    const d = compareRequest({ ...exp, request: { tools: [{ function: { name: 't', description: 'old', parameters: { properties: { s: { type: 'string', description: 'a' } } } } }] } }, 'POST', '/v1/chat/completions', { tools: [{ function: { name: 't', description: 'new', parameters: { properties: { s: { type: 'number', description: 'b' } } } } }] });
    expect(d.drift).toEqual(['tools[0].function.description: recorded "old", got "new"', 'tools[0].function.parameters.properties.s.description: recorded "a", got "b"']);
    expect(d.mismatch).toEqual(['tools[0].function.parameters.properties.s.type: recorded "string", got "number"']);
  });
});
