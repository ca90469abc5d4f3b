// `queryless inspect DIR`: what a folder of telemetry holds, per file (format, signal, services, time
// range, counts, problems), before investigating it with `--bundle DIR`. --json for scripts.
import { parseArgv, UsageError } from './args.js';
import { inspectBundle, type InspectReport } from '../sources/bundle/inspect.js';
import { maskSecrets } from '../mask.js';

export const INSPECT_HELP = `Usage: queryless inspect DIR [--json]

Lists what each file of DIR was recognised as: format, signal, services, time range, counts and
problems. Any folder works (incident.yaml is optional); the same folder opens with --bundle DIR; a single file works too (inspect FILE, --bundle FILE).
  --json   the same as one JSON document`;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function renderInspect(r: InspectReport): string {
  const lines: string[] = [`${r.dir}${r.incidentYaml ? '' : ' (no incident.yaml: the window comes from the data)'}`];
  if (!r.files.length) lines.push('  no telemetry file found');
  for (const f of r.files) {
    lines.push(`  ${f.file}`);
    lines.push(`    ${f.format}${f.signal ? ` · ${f.signal}` : ''} · ${f.bytes.toLocaleString('en')} bytes`);
    if (Object.keys(f.counts).length) lines.push(`    ${Object.entries(f.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}`);
    if (f.services.length) lines.push(`    services: ${f.services.slice(0, 20).join(', ')}${f.services.length > 20 ? ` … (${f.services.length})` : ''}`);
    if (f.range) lines.push(`    time: ${iso(f.range.start)} → ${iso(f.range.end)}`);
    for (const p of f.problems) lines.push(`    problem: ${p}`);
  }
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n');
}

export async function inspectCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(INSPECT_HELP + '\n');
    return 0;
  }
  const dir = a.positionals[0] ?? a.flags.bundle;
  if (!dir || a.positionals.length > 1) throw new UsageError(`inspect needs one folder: queryless inspect DIR\n\n${INSPECT_HELP}`);
  const report = await inspectBundle(dir);
  // Telemetry text can hold secrets (a URL with a password in a file name or a problem): mask the output.
  process.stdout.write(maskSecrets(a.bools.has('json') ? JSON.stringify(report, null, 2) : renderInspect(report)) + '\n');
  const readable = report.files.some((f) => f.signal && !f.problems.length);
  return readable ? 0 : 1;
}
