// `queryless call TOOL [JSON args]`: run one tool and print its result (scripting and debugging).
import { findTool, tools } from '../../tools/index.js';
import { runTool } from '../../tools/run.js';
import { parseArgv, UsageError } from './args.js';
import { cliToolContext, setup } from './context.js';

export const CALL_HELP = `Usage: queryless call TOOL [JSON-ARGS] [--bundle DIR] [--format text|json] [--budget N]

Runs one tool and prints its result. JSON-ARGS is an object, e.g. '{"service":"checkout"}'.
--format text (default) prints the compact text answer; json prints {isError, text, structuredContent}.
Tools: ${tools.map((t) => t.name).join(', ')}
Exit code: 0 on success, 1 when the tool reports an error, 2 on usage errors.`;

export async function callCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(CALL_HELP + '\n');
    return 0;
  }
  const [name, json] = a.positionals;
  if (!name) throw new UsageError('call: missing TOOL name.\n' + CALL_HELP);
  const tool = findTool(name);
  if (!tool) throw new UsageError(`call: unknown tool "${name}". Tools: ${tools.map((t) => t.name).join(', ')}`);
  let args: unknown = {};
  if (json) {
    try {
      args = JSON.parse(json);
    } catch (e) {
      throw new UsageError(`call: JSON-ARGS is not valid JSON (${(e as Error).message}); example: '{"service":"checkout"}'`);
    }
  }
  const format = a.flags.format ?? (a.bools.has('json') ? 'json' : 'text');
  if (format !== 'text' && format !== 'json') throw new UsageError('call: --format must be text or json');
  const { flags } = a;
  const budget = flags.budget ? Number(flags.budget) : undefined;
  delete flags.format;
  delete flags.budget;
  const { config, sources } = await setup(flags);
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const res = await runTool(tool, args, { ...cliToolContext(sources, ac.signal, format === 'json'), budgetTokens: budget, deadlineMs: config.env.QUERYLESS_CALL_DEADLINE_MS });
  if (format === 'json') process.stdout.write(JSON.stringify({ isError: res.isError, text: res.text, structuredContent: res.structured }, null, 2) + '\n');
  else process.stdout.write(res.text + '\n');
  return res.isError ? 1 : 0;
}
