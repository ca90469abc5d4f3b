// Benchmark: the playbook on the demo bundle (cold: first run loads the files; warm: sources already
// loaded), per phase, plus rank_suspects on the Nezha dev bundles (time and top-1/top-3, when present).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openBundle } from '../src/sources/bundle/load.js';
import { runPlaybookWithSteps } from '../src/agent/playbook.js';
import { steps } from '../src/agent/steps/index.js';
import { rankSuspects } from '../src/analysis/suspects/index.js';

const DEMO = path.resolve(process.cwd(), 'evals/incidents/demo-checkout');
const NEZHA = path.resolve(process.cwd(), '../shared/datasets/nezha-trainticket/dev');

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

/** Wall and CPU time of a task: on a shared, loaded machine CPU time is the figure that compares. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = await f();
  const u = process.cpuUsage(c);
  return { value, wall: performance.now() - t, cpu: (u.user + u.system) / 1000 };
}

export async function run(): Promise<void> {
  if (existsSync(path.join(DEMO, 'incident.yaml'))) {
    const q = 'Pourquoi les commandes échouent-elles depuis 10h ?';
    const sources = await openBundle(DEMO);
    const cold = await timed(() => runPlaybookWithSteps(steps, sources, q));
    const warm: Array<{ wall: number; cpu: number }> = [];
    for (let i = 0; i < 5; i++) warm.push(await timed(() => runPlaybookWithSteps(steps, sources, q)));
    const med = (k: 'wall' | 'cpu') => warm.map((w) => w[k]).sort((a, b) => a - b)[2]!;
    // One step at a time (warm), to see which one costs what.
    const parts: string[] = [];
    const alone = await timed(() => runPlaybookWithSteps([], sources, q));
    parts.push(`suspects only ${ms(alone.cpu)} cpu`);
    for (const st of steps) {
      const r = await timed(() => runPlaybookWithSteps([st], sources, q));
      parts.push(`+${st.name} ${ms(r.cpu)} cpu`);
    }
    const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
    process.stdout.write(
      `playbook on demo-checkout (load average ${load}): cold (file loading + run) ${ms(cold.wall)} wall / ${ms(cold.cpu)} cpu; ` +
        `warm median ${ms(med('wall'))} wall / ${ms(med('cpu'))} cpu; ${cold.value.findings.length} findings, ${cold.value.hints.length} hints; ` +
        `cold/warm cpu ratio ${(cold.cpu / med('cpu')).toFixed(1)}x\n  warm, one step at a time: ${parts.join(', ')}\n`,
    );
  } else process.stdout.write('playbook: demo bundle missing (evals/incidents/demo-checkout), skipped\n');

  if (existsSync(NEZHA)) {
    let top1 = 0;
    let top3 = 0;
    let n = 0;
    let total = 0;
    for (const d of readdirSync(NEZHA).filter((x) => existsSync(path.join(NEZHA, x, 'incident.yaml'))).sort()) {
      const b = await openBundle(path.join(NEZHA, d));
      const truth = b.incident.truth?.service;
      if (!truth) continue;
      const t = performance.now();
      const r = await rankSuspects(b, b.defaults.incident ?? b.defaults.window, b.defaults.baseline!);
      total += performance.now() - t;
      const i = r.suspects.findIndex((s) => s.service === truth);
      n++;
      if (i === 0) top1++;
      if (i >= 0 && i < 3) top3++;
    }
    process.stdout.write(`rank_suspects on Nezha dev (${n} incidents): top-1 ${(top1 / n).toFixed(3)} (${top1}/${n}), top-3 ${(top3 / n).toFixed(3)} (${top3}/${n}); mean ${ms(total / n)} per incident incl. first load (paper: Nezha top-1 0.867)\n`);
  } else process.stdout.write('rank_suspects: ../shared/datasets/nezha-trainticket/dev missing, skipped\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
