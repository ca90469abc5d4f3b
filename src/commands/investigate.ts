// PLACEHOLDER until the investigation work lands: says clearly what is missing.
export async function investigateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('Usage: queryless investigate "question" [--bundle DIR] [--from T --to T] [--service S] [--lang xx] [--json] [--model NAME]\n');
    return 0;
  }
  process.stderr.write('queryless investigate: the investigation playbook is not built yet (issue: Investigation). Use `queryless call list_services --bundle DIR` meanwhile.\n');
  return 2;
}
