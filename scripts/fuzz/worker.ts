// The process a fuzz campaign runs its cases in, so a crash or a hang is a finding, not the end of the
// campaign. The parent (CaseWorker) forks its own script with --worker; the child (serveCases) runs one
// case per message and answers with the findings.
import { fork, type ChildProcess } from 'node:child_process';
import type { Finding } from './run-case.js';

/** Environment variables that would point a worker at a real backend, model or token of the caller. */
const CALLER_ENV = /^(PROMETHEUS|LOKI|TEMPO|PYROSCOPE|GRAFANA|GITHUB|OPENAI|QUERYLESS)_/;

/** Child side: runs each case the parent sends and answers with its findings (and steps as it goes). */
export function serveCases<M>(run: (msg: M, step: (what: string) => void) => Promise<Finding[]>): void {
  const escaped: Finding[] = [];
  process.on('uncaughtException', (e) => escaped.push({ kind: 'uncaught', detail: `uncaught exception: ${e.stack?.slice(0, 500) ?? String(e)}` }));
  process.on('unhandledRejection', (e) => escaped.push({ kind: 'uncaught', detail: `unhandled rejection: ${(e as Error)?.stack?.slice(0, 500) ?? String(e)}` }));
  process.on('message', async (msg: M) => {
    let findings: Finding[];
    try {
      findings = await run(msg, (step) => process.send!({ step }));
    } catch (e) {
      findings = [{ kind: 'uncaught', detail: `escaped the tools: ${(e as Error)?.stack?.slice(0, 500) ?? String(e)}` }];
    }
    // Late rejections of this case surface within a turn or two of the loop.
    await new Promise((r) => setTimeout(r, 20));
    findings.push(...escaped.splice(0));
    process.send!({ findings });
  });
  // The parent gone (killed, ^C), the worker has no one to answer.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true });
}

/** Parent side: one worker process, restarted after a crash or a hang. */
export class CaseWorker {
  private child?: ChildProcess;
  private stderrTail = '';

  constructor(private readonly script: string) {}

  private async start(): Promise<ChildProcess> {
    const env: NodeJS.ProcessEnv = {};
    // No backend, model or token from the caller's environment: only what the case sets.
    for (const [k, v] of Object.entries(process.env)) if (!CALLER_ENV.test(k)) env[k] = v;
    env.LOG_LEVEL = 'silent';
    const child = fork(this.script, ['--worker'], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-1500)));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`fuzz worker exited at start (${code}): ${this.stderrTail}`)));
    });
    this.child = child;
    return child;
  }

  /**
   * Runs one case: its findings, or a crash or hang finding when the worker dies or takes more than
   * `killAfterMs` (by default twice the tools' own deadline `budgetMs`).
   */
  async run(msg: object, budgetMs: number, killAfterMs = 2 * budgetMs): Promise<Finding[]> {
    const child = this.child ?? (await this.start());
    let step = '';
    return new Promise<Finding[]>((resolve) => {
      const done = (f: Finding[]) => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('exit');
        resolve(f);
      };
      // Tools stop at their own deadline (budgetMs); the worker gets more before it is killed, for the
      // work that cannot be interrupted (a loop that never yields).
      const timer = setTimeout(() => {
        this.child = undefined;
        child.kill('SIGKILL');
        done([{ kind: 'hang', detail: `no answer within ${killAfterMs / 1000} s, in ${step || 'the start'} (the worker was killed)` }]);
      }, killAfterMs);
      child.on('message', (m: { findings?: Finding[]; step?: string }) => {
        if (m.step) step = m.step;
        else if (m.findings) done(m.findings);
      });
      child.once('exit', (code, sig) => {
        this.child = undefined;
        done([{ kind: 'crash', detail: `worker died (${sig ?? `exit ${code}`}) in ${step || 'the start'}: ${this.stderrTail.slice(-600)}` }]);
      });
      child.send(msg);
    });
  }

  stop(): void {
    this.child?.kill();
  }
}
