// `queryless call TOOL [JSON args]`: run one tool and print its result (scripting and debugging).
import { loadTool, TOOL_NAMES } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';
import type { Sources } from '../sources/types.js';
import { parseArgv, UsageError } from './args.js';
import { cliToolContext, setup } from './context.js';
import { PICTURE_TOOLS } from '../agent/picture-tools.js';

export const CALL_HELP = `Usage: queryless call TOOL [JSON-ARGS] [--bundle DIR] [--format text|json|svg|png] [--out FILE] [--lang xx] [--budget N]

Runs one tool and prints its result. JSON-ARGS is an object, e.g. '{"service":"checkout"}'.
--format text (default) prints the compact text answer; json prints {isError, text, structuredContent};
svg or png writes the tool's picture (to --out FILE, else stdout; labels in --lang) for: ${Object.keys(PICTURE_TOOLS).join(', ')}.
Tools: ${TOOL_NAMES.join(', ')}
Exit code: 0 on success, 1 when the tool reports an error, 2 on usage errors.`;

export async function callCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(CALL_HELP + '\n');
    return 0;
  }
  const [name, json] = a.positionals;
  if (!name) throw new UsageError('call: missing TOOL name.\n' + CALL_HELP);
  const tool = await loadTool(name);
  if (!tool) throw new UsageError(`call: unknown tool "${name}". Tools: ${TOOL_NAMES.join(', ')}`);
  let args: unknown = {};
  if (json) {
    try {
      args = JSON.parse(json);
    } catch (e) {
      throw new UsageError(`call: JSON-ARGS is not valid JSON (${(e as Error).message}); example: '{"service":"checkout"}'`);
    }
  }
  const format = a.flags.format ?? (a.bools.has('json') ? 'json' : 'text');
  if (!['text', 'json', 'svg', 'png'].includes(format)) throw new UsageError('call: --format must be text, json, svg or png');
  const picture = format === 'svg' || format === 'png';
  if (picture && !PICTURE_TOOLS[name]) throw new UsageError(`call: ${name} has no picture; --format ${format} works with ${Object.keys(PICTURE_TOOLS).join(', ')}`);
  const { flags } = a;
  const out = flags.out;
  const lang = flags.lang ?? 'en';
  delete flags.out;
  delete flags.lang;
  const budget = flags.budget ? Number(flags.budget) : undefined;
  delete flags.format;
  delete flags.budget;
  const { config, sources } = await setup(flags);
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const res = await runTool(tool, args, { ...cliToolContext(sources, ac.signal, format !== 'text'), budgetTokens: budget, deadlineMs: config.env.QUERYLESS_CALL_DEADLINE_MS });
  if (picture) return writePicture(name, format, out, lang, args, res, sources, ac.signal);
  if (format === 'json') process.stdout.write(JSON.stringify({ isError: res.isError, text: res.text, structuredContent: res.structured }, null, 2) + '\n');
  else process.stdout.write(res.text + '\n');
  return res.isError ? 1 : 0;
}

/** The picture of a tool's answer: SVG or PNG, to a file or stdout; the text answer on stderr when there is none. */
async function writePicture(name: string, format: string, out: string | undefined, lang: string, args: unknown, res: { isError: boolean; text: string; structured?: unknown }, sources: Sources, signal: AbortSignal): Promise<number> {
  const { svgToPng, toolPicture } = await import('../agent/tool-pictures.js');
  const { maskSecrets } = await import('../mask.js');
  const svg = res.isError || !res.structured ? undefined : await toolPicture(name, (args ?? {}) as Record<string, unknown>, res.structured as Record<string, unknown>, sources, lang, signal);
  if (!svg) {
    process.stderr.write(`${res.isError ? '' : `${name}: nothing to draw for this answer\n`}${res.text}\n`);
    return 1;
  }
  const bytes = format === 'png' ? await svgToPng(maskSecrets(svg)) : Buffer.from(maskSecrets(svg));
  if (out) {
    (await import('node:fs')).writeFileSync(out, bytes);
    process.stderr.write(`${out} (${Math.round(bytes.length / 1024)} KB)\n`);
  } else process.stdout.write(bytes);
  return 0;
}
