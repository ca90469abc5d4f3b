// One fuzz case, in the worker process: opens the damaged bundle the way the CLI does (`setup`, as
// `queryless call` does), runs every tool of the registry with simple arguments through `runTool`, then
// `inspect`, and returns what looks wrong. Exceptions that escape are caught by the worker (fuzz-inputs.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { setup } from '../../src/commands/context.js';
import { inspectBundle } from '../../src/sources/bundle/inspect.js';
import type { BundleSources } from '../../src/sources/bundle/load.js';
import type { BundleTraceSource } from '../../src/sources/bundle/traces.js';
import type { BundleMetricSource } from '../../src/sources/bundle/metrics.js';
import { loadTool, TOOL_NAMES } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';
import { listFiles } from './bases.js';

export type FindingKind = 'uncaught' | 'crash' | 'hang' | 'tool-exception' | 'unclear-error' | 'bad-output' | 'silent-ignore' | 'silent-partial' | 'secret-leak' | 'unbounded';

export interface Finding {
  kind: FindingKind;
  detail: string;
}

const STACK = /\n\s+at (?:[^\n]*\((?:file:|node:|\/)[^\n]*:\d+:\d+\)|(?:file:|node:)\S+:\d+:\d+)/;
/** Words that mean a value went missing on its way to the text, unless the input itself holds them. */
export const BAD_WORDS = ['[object Object]', 'undefined', 'NaN'];
const BAD_NUMBER = /Invalid Date|(?:NaN|-?Infinity) ?(?:ms|s|µs|%|\/s|×|cores?|B|KB|MB|GB)\b|(?:p50|p90|p95|p99|rate|errors|share|score)[ :=]+(?:NaN|-?Infinity)\b/;
/** Errors JavaScript raises itself: an input problem surfacing as one of these was not handled. */
export const RAW_JS_ERROR = /^(TypeError|RangeError|ReferenceError|SyntaxError|Error)?:?\s*(Cannot read propert|Cannot convert|is not a function|is not iterable|Maximum call stack|Invalid array length|Invalid string length|Unexpected token|Unexpected end of JSON|.* is not defined|Cannot access|out of memory)/i;

/** The words of BAD_WORDS the bundle's own files contain (gunzipped), which the tools may rightly echo. */
function wordsInInput(dir: string): Set<string> {
  const found = new Set<string>();
  for (const rel of listFiles(dir)) {
    let b = readFileSync(path.join(dir, rel));
    if (b[0] === 0x1f && b[1] === 0x8b) {
      try {
        b = gunzipSync(b);
      } catch {
        /* garbage: read as is */
      }
    }
    const text = b.toString('latin1');
    for (const w of BAD_WORDS) if (text.includes(w)) found.add(w);
  }
  return found;
}

export function badOutput(where: string, text: string, echo: Set<string>): Finding[] {
  const out: Finding[] = [];
  const stack = STACK.exec(text);
  if (stack) out.push({ kind: 'bad-output', detail: `${where}: a stack trace: ${text.slice(Math.max(0, stack.index - 120), stack.index + 80)}` });
  // A number that went wrong shows as NaN, Infinity or "Invalid Date" beside a unit or a statistic,
  // whatever the input holds (a NaN attribute value may be echoed; a NaN duration is a bug).
  const number = BAD_NUMBER.exec(text);
  if (number) out.push({ kind: 'bad-output', detail: `${where}: "${number[0]}" in: …${text.slice(Math.max(0, number.index - 100), number.index + 60)}…` });
  for (const w of BAD_WORDS) {
    if (echo.has(w)) continue;
    const re = w === '[object Object]' ? /\[object Object\]/ : new RegExp(`\\b${w}\\b`);
    const m = re.exec(text);
    if (m) out.push({ kind: 'bad-output', detail: `${where}: "${w}" in: …${text.slice(Math.max(0, m.index - 100), m.index + 60)}…` });
  }
  return out;
}

const SERVICE_TOOLS = ['find_prevalent_errors', 'find_slow_spans', 'compare_attributes', 'hot_functions', 'log_patterns', 'search_logs', 'log_fields', 'service_red'];

/** Arguments each tool needs, taken from the bundle so they name something that exists. */
async function simpleArgs(sources: BundleSources): Promise<Record<string, Record<string, unknown>>> {
  const spans = sources.traces ? await (sources.traces as BundleTraceSource).allSpans() : [];
  const store = sources.metrics ? await (sources.metrics as BundleMetricSource).store() : undefined;
  const metric = store ? ([...store.byName.keys()][0] ?? 'up') : 'up';
  const query = spans.length
    ? { language: 'traceql', query: '{ status = error }' }
    : store
      ? { language: 'promql', query: `sum(rate(${metric}[5m]))` }
      : { language: 'logql', query: '{service_name=~".+"} |= "error"' };
  return {
    explore_metric: { metric },
    breakdown_metric: { metric },
    investigate: { question: 'Why are requests failing?' },
    lookup_source: { function: 'main' },
    compare_attributes: { selection: 'errors' },
    get_trace: { trace_id: /^[0-9a-fA-F]{1,32}$/.test(spans[0]?.traceId ?? '') ? spans[0]!.traceId : '0123456789abcdef' },
    search_logs: { contains: ['error'] },
    native_query: query,
  };
}

export async function runCase(dir: string, mutatedRel: string | undefined, budgetMs: number, step: (what: string) => void = () => {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const echo = wordsInInput(dir);
  let sources: BundleSources;
  step('open');
  try {
    sources = (await setup({ bundle: dir })).sources as BundleSources;
  } catch (e) {
    // Refusing to open is allowed when the error says which file and what is wrong.
    const msg = e instanceof Error ? e.message : String(e);
    const named = msg.includes(dir) || (mutatedRel !== undefined && msg.includes(path.basename(mutatedRel)));
    if (!named || RAW_JS_ERROR.test(msg) || (e instanceof Error && e.constructor !== Error && !/BundleFileError|ProfileDecodeError/.test(e.constructor.name))) {
      findings.push({ kind: 'unclear-error', detail: `open: ${e instanceof Error ? e.constructor.name : typeof e}: ${msg.slice(0, 300)}` });
    }
    findings.push(...badOutput('open error', msg, echo));
    return findings;
  }
  const args = await simpleArgs(sources).catch((e: Error) => {
    findings.push({ kind: 'uncaught', detail: `reading the bundle for arguments: ${e.stack?.slice(0, 400)}` });
    return {} as Record<string, Record<string, unknown>>;
  });
  let service: string | undefined;
  const call = async (name: string, callArgs: Record<string, unknown>) => {
    const tool = (await loadTool(name))!;
    const label = callArgs.service === undefined ? name : `${name} {service: ${JSON.stringify(callArgs.service)}}`;
    step(label);
    const res = await runTool(tool, callArgs, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: budgetMs });
    if (res.isError && /did not finish within its/.test(res.text)) findings.push({ kind: 'hang', detail: `${label}: ${res.text.split('\n')[0]}` });
    else if (res.isError && (new RegExp(`^${name} failed: `).test(res.text) || RAW_JS_ERROR.test(res.text.replace(/^\S+: /, '')))) findings.push({ kind: 'tool-exception', detail: `${label}: ${res.text.slice(0, 300)}` });
    findings.push(...badOutput(label, res.text, echo));
    if (res.structured) findings.push(...badOutput(`${label} (structured)`, JSON.stringify(res.structured), echo));
    if (name === 'list_services') service = (res.structured?.services as Array<{ service?: unknown }> | undefined)?.find((s) => typeof s.service === 'string')?.service as string | undefined;
  };
  for (const name of TOOL_NAMES) await call(name, args[name] ?? {});
  // The tools that narrow to a service, once more on the first one listed: other code paths.
  if (service !== undefined) for (const name of SERVICE_TOOLS) await call(name, { ...(args[name] ?? {}), service });
  // Every file is either read or named in a problem: a file with nothing read and no word said is lost silently.
  step('inspect');
  const report = await inspectBundle(dir);
  const problemText = [...sources.problems, ...report.problems].join('\n');
  for (const f of report.files) {
    const nothing = !f.signal || Object.values(f.counts).every((n) => !n);
    if (nothing && f.problems.length === 0 && !problemText.includes(f.file) && f.bytes > 0) findings.push({ kind: 'silent-ignore', detail: `${f.file} (${f.format}, ${f.bytes} bytes): nothing read, no problem named` });
  }
  return findings;
}
