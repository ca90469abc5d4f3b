// `npm run bench`: runs every area's benchmark (or those named on the command line) and prints figures and ratios.
const AREAS = ['traces', 'logs', 'metrics', 'query', 'profiles', 'playbook', 'suspects', 'mcp', 'process'] as const;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const areas = wanted.length ? wanted : [...AREAS];
  for (const area of areas) {
    if (!(AREAS as readonly string[]).includes(area)) {
      process.stderr.write(`unknown bench area "${area}"; areas: ${AREAS.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    process.stdout.write(`\n=== bench: ${area} ===\n`);
    const mod = (await import(`./${area}.js`)) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
