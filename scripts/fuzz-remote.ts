// Fuzz campaign over the live-backend clients: a loopback HTTP server (fuzz/backend-server.ts) answers
// as Prometheus, Loki, Tempo, Pyroscope and GitHub's REST API would, and each case damages the answers of one backend (all
// of them, or one endpoint's) one way (fuzz/backend-damage.ts). Every tool runs against it in a worker
// process (fuzz/run-remote-case.ts); the server counts requests and answers read past the size cap.
// GitHub is damaged only in `--backend github` cases (which also draw GitHub's own failures: rate limit,
// 404, bad base64, a file too large), so the other cases of a seed are what they were before it came.
// Deterministic for a seed (what is damaged; the tools' request order may vary).
//
//   node dist/scripts/fuzz-remote.js [--seed N] [--cases N] [--from N] [--budget-ms MS] [--kind DAMAGE] [--backend B] [--json FILE]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, ENDPOINTS, EXTRA_BACKENDS } from './fuzz/backend-answers.js';
import { DAMAGE_KINDS, GITHUB_DAMAGE_KINDS } from './fuzz/backend-damage.js';
import { FakeBackend, type CasePlan } from './fuzz/backend-server.js';
import { caseSeed, Rng } from './fuzz/rng.js';
import type { Finding } from './fuzz/run-case.js';
import type { CaseResult } from './fuzz/summary.js';
import { finish, flag, runCampaign } from './fuzz/campaign.js';
import { CaseWorker, serveCases } from './fuzz/worker.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Client limits for the campaign: small, so "past the timeout" and "past the cap" cost little. */
const TIMEOUT_MS = 1500;
const MAX_RESPONSE_BYTES = 1 << 20;
/** A case (every tool, one after the other) still running after this is a hang. */
const CASE_KILL_MS = 240_000;
/** More requests than this in one case means retries or fan-out without a bound. */
const MAX_REQUESTS_PER_CASE = 1500;

function makePlan(seed: number, index: number, onlyKind?: string, onlyBackend?: string): CasePlan {
  const rng = new Rng(caseSeed(seed, index));
  // GitHub cases (only with --backend github) also draw GitHub's own failures.
  const damage = onlyKind ?? rng.pick(onlyBackend === 'github' ? [...DAMAGE_KINDS, ...GITHUB_DAMAGE_KINDS] : DAMAGE_KINDS);
  const backend = (onlyBackend ?? rng.pick(BACKENDS)) as CasePlan['backend'];
  // Half the cases damage every answer of the backend, half one endpoint's (the others stay healthy).
  const endpoint = rng.next() < 0.5 ? undefined : rng.pick(ENDPOINTS[backend]);
  return { backend, endpoint, damage, params: { fraction: rng.next(), pick: rng.next() } };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--worker')) {
    const { runRemoteCase } = await import('./fuzz/run-remote-case.js');
    serveCases(runRemoteCase);
    return -1;
  }
  const seed = Number(flag(argv, 'seed') ?? 1);
  const cases = Number(flag(argv, 'cases') ?? 60);
  const from = Number(flag(argv, 'from') ?? 0);
  const budgetMs = Number(flag(argv, 'budget-ms') ?? 30_000);
  const onlyKind = flag(argv, 'kind');
  const onlyBackend = flag(argv, 'backend');
  const kinds = [...DAMAGE_KINDS, ...GITHUB_DAMAGE_KINDS];
  if (onlyKind && !kinds.includes(onlyKind)) throw new Error(`--kind: one of ${kinds.join(', ')}`);
  const backends = [...BACKENDS, ...EXTRA_BACKENDS] as string[];
  if (onlyBackend && !backends.includes(onlyBackend)) throw new Error(`--backend: one of ${backends.join(', ')}`);
  const server = new FakeBackend(REPO, { timeoutMs: TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES });
  const base = await server.start();
  const w = new CaseWorker(fileURLToPath(import.meta.url));
  const results: CaseResult[] = [];
  try {
    for (let i = from; i < from + cases; i++) {
      const plan = makePlan(seed, i, onlyKind, onlyBackend);
      server.begin(plan);
      const t0 = Date.now();
      // The case runs ~30 tool calls, each bounded by budgetMs: a slow backend makes the case long, not hung.
      let findings: Finding[] = await w.run({ base, github: plan.backend === 'github', budgetMs, timeoutMs: TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES }, budgetMs, CASE_KILL_MS);
      const st = server.stats;
      // A word the damaged answers held (a label value "NaN") may rightly be echoed by the tools.
      const echoed = (f: Finding) => f.kind === 'bad-output' && st.echoWords.some((w) => f.detail.includes(`: "${w}" in: `));
      findings = findings.filter((f) => !echoed(f));
      if (st.requests > MAX_REQUESTS_PER_CASE) findings.push({ kind: 'unbounded', detail: `${st.requests} requests in one case (${st.damaged} damaged answers): ${Object.entries(st.byEndpoint).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} ×${n}`).join(', ')}` });
      if (st.hugeReadWhole) findings.push({ kind: 'unbounded', detail: `${st.hugeReadWhole} answer(s) past ${32}× the ${MAX_RESPONSE_BYTES}-byte cap were read to their end` });
      server.end();
      const spec = { index: i, kind: plan.damage, base: plan.backend, file: plan.endpoint ?? '(every endpoint)', note: `${st.requests} requests, ${st.damaged} damaged` };
      results.push({ spec, findings, ms: Date.now() - t0 });
      const mark = findings.length ? `${findings.length} finding(s): ${[...new Set(findings.map((f) => f.kind))].join(', ')}` : 'ok';
      process.stderr.write(`case ${i} ${plan.damage} ${plan.backend} ${spec.file} (${spec.note}) ${Date.now() - t0} ms: ${mark}\n`);
    }
  } finally {
    w.stop();
    await server.stop();
  }
  return finish(results, seed, argv);
}

runCampaign('fuzz-remote', main);
