// What both fuzz campaigns (fuzz-inputs: damaged bundle files; fuzz-remote: damaged backend answers)
// share around their cases: reading their flags, printing the table and the --json file, the exit code.
import { writeFileSync } from 'node:fs';
import { summary, type CaseResult } from './summary.js';

/** The value after `--name` on the command line. */
export function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Prints the campaign's table (and writes `--json FILE`); 1 when a case found something, else 0. */
export function finish(results: CaseResult[], seed: number, argv: string[]): number {
  process.stdout.write(summary(results, seed) + '\n');
  const json = flag(argv, 'json');
  if (json) writeFileSync(json, JSON.stringify(results.map((r) => ({ ...r.spec, ms: r.ms, findings: r.findings })), null, 1));
  return results.some((r) => r.findings.length) ? 1 : 0;
}

/** Runs a campaign's main: its code as the exit code (a negative one leaves it unset), 2 on a failure of its own. */
export function runCampaign(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exitCode = 2;
    },
  );
}
