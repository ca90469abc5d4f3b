// Generates the demo incident bundle evals/incidents/demo-checkout/ (traces, logs, metrics, CPU
// profiles, source tree, incident.yaml) from a seeded simulation: re-running it gives the same
// bytes. Usage: node dist/scripts/make-demo.js [--out DIR]
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from './demo/simulate.js';
import { tracesJsonLines, logsJsonLines } from './demo/otlp.js';
import { openMetrics } from './demo/metrics.js';
import { cpuProfiles } from './demo/profiles.js';
import { bundleReadme, incidentYaml } from './demo/incident.js';
import { SOURCE_FILES } from './demo/gosource.js';
import { ID } from './demo/scenario.js';

/** gzip without a timestamp or file name in the header, so the output only depends on the input. */
function gzip(data: string | Uint8Array): Buffer {
  return gzipSync(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { level: 9 });
}

export interface DemoSummary {
  dir: string;
  spans: number;
  traces: number;
  logs: number;
  profiles: number;
  files: { path: string; bytes: number }[];
}

/** Write the bundle into dir (replaced atomically: built next to it, then renamed into place). */
export async function generateDemo(dir: string): Promise<DemoSummary> {
  const target = path.resolve(dir);
  const tmp = `${target}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const files: { path: string; bytes: number }[] = [];
  const put = async (rel: string, data: string | Uint8Array): Promise<void> => {
    const full = path.join(tmp, rel);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, data);
    files.push({ path: rel, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
  };

  const sim = simulate();
  await put('incident.yaml', incidentYaml());
  await put('traces/traces.json.gz', gzip(tracesJsonLines(sim.spans)));
  await put('logs/logs.json.gz', gzip(logsJsonLines(sim.logs)));
  await put('metrics/metrics.om.gz', gzip(openMetrics(sim)));
  for (const p of cpuProfiles(sim)) await put(`profiles/${p.service}/${p.name}`, gzip(p.data));
  for (const f of SOURCE_FILES) await put(`source/${f.service}/${f.path}`, f.text);
  const counts = { spans: sim.spans.length, traces: new Set(sim.spans.map((s) => s.traceId)).size, logs: sim.logs.length, profiles: files.filter((f) => f.path.startsWith('profiles/')).length };
  await put('README.md', bundleReadme(counts));

  await rm(target, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  await rename(tmp, target);
  return {
    dir: target,
    ...counts,
    files,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const out = i >= 0 && args[i + 1] ? args[i + 1]! : path.join(root, 'evals/incidents', ID);
  const s = await generateDemo(out);
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  const sum = (prefix: string): number => s.files.filter((f) => f.path.startsWith(prefix)).reduce((a, f) => a + f.bytes, 0);
  process.stdout.write(
    [
      `demo bundle written to ${s.dir}`,
      `  traces:   ${s.spans} spans in ${s.traces} traces, ${kb(sum('traces/'))}`,
      `  logs:     ${s.logs} records, ${kb(sum('logs/'))}`,
      `  metrics:  ${kb(sum('metrics/'))}`,
      `  profiles: ${s.profiles} pprof files, ${kb(sum('profiles/'))}`,
      `  source:   ${s.files.filter((f) => f.path.startsWith('source/')).length} files`,
      `  total:    ${kb(s.files.reduce((a, f) => a + f.bytes, 0))}`,
    ].join('\n') + '\n',
  );
}

// Run only when executed directly (tests import generateDemo).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`make-demo: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
