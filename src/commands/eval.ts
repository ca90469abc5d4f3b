// PLACEHOLDER until the evals work lands: says clearly what is missing.
export async function evalCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('Usage: queryless eval PATH... [--mode playbook|agent] [--json] [--junit FILE]\n');
    return 0;
  }
  process.stderr.write('queryless eval: the eval runner is not built yet (issue: Evals). Nothing was scored.\n');
  return 2;
}
