// The `queryless` command line: one dispatcher, one module per command under src/commands/.
import { ConfigError } from './config.js';
import { UsageError } from './commands/args.js';
import { maskSecrets } from './mask.js'; // not log.js: pino is for the commands that log

type Command = { run: (argv: string[]) => Promise<number>; summary: string };

// Commands are imported when run: each pulls its own dependencies (the MCP SDK, the model client…),
// and a command should not pay for the others' start-up.
const COMMANDS: Record<string, Command> = {
  investigate: { run: async (a) => (await import('./commands/investigate.js')).investigateCommand(a), summary: 'answer an incident question with a report (playbook, or agent when a model is configured)' },
  mcp: { run: async (a) => (await import('./commands/mcp.js')).mcpCommand(a), summary: 'serve the tools over MCP (stdio by default, --http [host:]port for Streamable HTTP)' },
  call: { run: async (a) => (await import('./commands/call.js')).callCommand(a), summary: 'run one tool and print its result' },
  eval: { run: async (a) => (await import('./commands/eval.js')).evalCommand(a), summary: 'score investigations on recorded incidents' },
  record: { run: async (a) => (await import('./commands/record.js')).recordCommand(a), summary: 'record a live incident window from the backends into a bundle' },
  inspect: { run: async (a) => (await import('./commands/inspect.js')).inspectCommand(a), summary: 'list what each file of a telemetry folder is: format, signal, services, time range, counts, problems (--json)' },
  patterns: { run: async (a) => (await import('./commands/patterns.js')).patternsCommand(a), summary: 'mine log patterns from plain log files or stdin (--json: counts and line numbers)' },
};

export const MAIN_HELP = `queryless — investigate incidents from metrics, logs, traces and profiles without writing queries.

Usage: queryless <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(12)} ${c.summary}`)
  .join('\n')}

Common options: --bundle DIR|FILE (a recorded incident, any folder of telemetry files or one file, instead of live backends), --help.
Configuration: environment variables listed in .env.example; each has a flag (PROMETHEUS_URL ↔ --prometheus-url).
Run 'queryless <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(MAIN_HELP + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`queryless: unknown command "${cmd}".\n\n${MAIN_HELP}\n`);
    return 2;
  }
  try {
    return await c.run(rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`queryless ${cmd}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`queryless ${cmd}: ${maskSecrets((e as Error).message)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`queryless: ${maskSecrets(String(e))}\n`);
    process.exitCode = 1;
  },
);
