// Logs benchmark: grouping accuracy (GA) of the pattern miner on Loghub-2k, throughput on Loghub and
// Loki's own test logs, and (when present) the Nezha TrainTicket new/surging-pattern rate.
// Run: npx tsc -p . && node dist/bench/logs.js   (datasets under ../shared/datasets; skipped when absent)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PatternMiner } from '../src/analysis/logs/miner.js';
import { lokiPatternMatches, lineFilterError } from '../src/analysis/logs/lokipattern.js';
import { parseJsonLogLines } from '../src/sources/bundle/formats/json-logs.js';
import { parse as csvParse } from 'csv-parse/sync';
import { sniffCsv } from '../src/sources/bundle/formats/csv-table.js';
import { parseCsvLogs } from '../src/sources/bundle/formats/csv-logs.js';
import { elasticHitsRecords } from '../src/sources/bundle/formats/elastic-hits.js';
import { cloudLoggingRecords } from '../src/sources/bundle/formats/cloud-logging.js';
import type { LogRecord } from '../src/sources/types.js';

const DATASETS = path.resolve(process.cwd(), '../shared/datasets');

/** Minimal RFC 4180 CSV parser (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else q = false;
      } else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Grouping accuracy: the share of lines whose mined cluster holds exactly the same set of lines as
 * their true cluster (Zhu et al. 2019).
 */
export function groupingAccuracy(truth: string[], mined: Array<number | string>): number {
  const n = truth.length;
  const truthSize = new Map<string, number>();
  const minedSize = new Map<string, number>();
  const pair = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const m = String(mined[i]);
    truthSize.set(truth[i]!, (truthSize.get(truth[i]!) ?? 0) + 1);
    minedSize.set(m, (minedSize.get(m) ?? 0) + 1);
    const k = `${m}\u0001${truth[i]}`;
    pair.set(k, (pair.get(k) ?? 0) + 1);
  }
  let correct = 0;
  for (const [k, c] of pair) {
    const [m, t] = k.split('\u0001') as [string, string];
    if (c === truthSize.get(t) && c === minedSize.get(m)) correct += c;
  }
  return correct / n;
}

export interface LoghubSystem {
  name: string;
  contents: string[];
  raw: string[];
  eventIds: string[];
}

export function loadLoghub(root = path.join(DATASETS, 'loghub-2k')): LoghubSystem[] {
  if (!existsSync(root)) return [];
  const out: LoghubSystem[] = [];
  for (const name of readdirSync(root).sort()) {
    const csv = path.join(root, name, `${name}_2k.log_structured_corrected.csv`);
    if (!existsSync(csv)) continue;
    const rows = parseCsv(readFileSync(csv, 'utf8')).filter((r) => r.length > 1);
    const head = rows[0]!;
    const ci = head.indexOf('Content');
    const ei = head.indexOf('EventId');
    const body = rows.slice(1);
    const rawFile = path.join(root, name, `${name}_2k.log`);
    const raw = existsSync(rawFile) ? readFileSync(rawFile, 'utf8').split('\n').filter((l) => l.length > 0) : [];
    out.push({ name, contents: body.map((r) => r[ci]!), eventIds: body.map((r) => r[ei]!), raw });
  }
  return out;
}

export interface MatchRow {
  file: string;
  lines: number;
  matched: number;
  /** Patterns Loki would reject as `|>` filters. */
  invalid: number;
  patterns: number;
}

/**
 * Mines each file with one miner and checks every line against the pattern of its group with Loki's
 * own `|>` semantics (lokipattern.ts): the share of lines the pattern query really returns.
 */
export function patternMatchRates(files: Array<{ name: string; lines: string[] }>): MatchRow[] {
  return files.map(({ name, lines }) => {
    const m = new PatternMiner();
    const leaves = lines.map((l) => m.add(l));
    m.finish();
    const byId = new Map(m.clusters().map((c) => [c.id, c.pattern]));
    let matched = 0;
    for (let i = 0; i < lines.length; i++) if (lokiPatternMatches(lines[i]!, byId.get(m.clusterOf(leaves[i]!))!)) matched++;
    const invalid = [...byId.values()].filter((p) => lineFilterError(p) !== undefined).length;
    return { file: name, lines: lines.length, matched, invalid, patterns: byId.size };
  });
}

/** The files of a folder as lines (a trailing newline does not make an empty line). */
export function readLines(dir: string, ext: string): Array<{ name: string; lines: string[] }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => ({ name: f, lines: readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0) }));
}

export function mineIds(lines: string[]): number[] {
  const m = new PatternMiner();
  const leaves = lines.map((l) => m.add(l));
  m.finish();
  return leaves.map((l) => m.clusterOf(l));
}

function gaTable(): { avg: number; rows: Array<[string, number, number, number]> } {
  const rows: Array<[string, number, number, number]> = [];
  for (const sys of loadLoghub()) {
    const ids = mineIds(sys.contents);
    const ga = groupingAccuracy(sys.eventIds, ids);
    const rawGa = sys.raw.length === sys.eventIds.length ? groupingAccuracy(sys.eventIds, mineIds(sys.raw)) : NaN;
    rows.push([sys.name, ga, rawGa, new Set(ids).size]);
  }
  const avg = rows.reduce((s, r) => s + r[1], 0) / Math.max(1, rows.length);
  return { avg, rows };
}

const cpuMs = () => process.cpuUsage().user / 1000;

/** ns per character of a bare charCodeAt loop: tells how fast (or how loaded) this machine is. */
function calibrate(lines: string[]): number {
  const chars = lines.reduce((s, l) => s + l.length, 0);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = cpuMs();
    let x = 0;
    for (const l of lines) for (let i = 0; i < l.length; i++) x += l.charCodeAt(i);
    if (x === -1) console.log('');
    best = Math.min(best, ((cpuMs() - t0) * 1e6) / chars);
  }
  return best;
}

function throughput(label: string, lines: string[], repeat: number): void {
  if (!lines.length) return;
  // Warm up, then time passes over the same lines (fresh miner each pass); CPU time of this process,
  // best of the passes, so other processes on a shared machine distort the figure less.
  for (let w = 0; w < 2; w++) {
    const m = new PatternMiner();
    for (const l of lines) m.add(l);
    m.finish();
  }
  let best = Infinity;
  let clusters = 0;
  for (let r = 0; r < repeat; r++) {
    const t0 = cpuMs();
    const m = new PatternMiner();
    for (const l of lines) m.add(l);
    m.finish();
    clusters = m.clusterCount;
    best = Math.min(best, cpuMs() - t0);
  }
  const rate = lines.length / (best / 1000);
  const avgLen = lines.reduce((s, l) => s + l.length, 0) / lines.length;
  console.log(`  ${label.padEnd(22)} ${lines.length.toString().padStart(7)} lines (avg ${avgLen.toFixed(0)} chars)  ${Math.round(rate).toLocaleString('en-US').padStart(11)} lines/s CPU  (${clusters} patterns, ${(rate / 300_000).toFixed(2)}× target)`);
  const cal = calibrate(lines);
  console.log(`  ${''.padEnd(22)} machine: bare charCodeAt loop ${cal.toFixed(2)} ns/char; mining costs ${(1e9 / rate / (cal * avgLen)).toFixed(1)}× one bare pass over each line`);
}

export async function run(): Promise<void> {
  console.log('logs: pattern miner grouping accuracy on Loghub-2k (one default configuration)');
  const { avg, rows } = gaTable();
  if (!rows.length) console.log('  (skipped: ../shared/datasets/loghub-2k not found)');
  else {
    console.log(`  ${'system'.padEnd(12)} ${'GA content'.padStart(10)} ${'GA raw line'.padStart(11)} ${'patterns'.padStart(8)}`);
    for (const [name, ga, raw, n] of rows) console.log(`  ${name.padEnd(12)} ${ga.toFixed(3).padStart(10)} ${(Number.isNaN(raw) ? '–' : raw.toFixed(3)).padStart(11)} ${String(n).padStart(8)}`);
    const rawAvg = rows.reduce((s, r) => s + (Number.isNaN(r[2]) ? 0 : r[2]), 0) / rows.length;
    console.log(`  ${'average'.padEnd(12)} ${avg.toFixed(3).padStart(10)} ${rawAvg.toFixed(3).padStart(11)}   (Drain tuned 0.890, Brain tuned 0.985; target ≥ 0.95, min ≥ 0.85; min here ${Math.min(...rows.map((r) => r[1])).toFixed(3)})`);
  }
  const drain = patternMatchRates(readLines(path.join(DATASETS, 'loki-drain'), '.txt'));
  if (drain.length) {
    console.log("logs: lines kept by Loki's `|>` filter for the pattern they were grouped under (loki-drain)");
    for (const r of drain) console.log(`  ${r.file.padEnd(24)} ${String(r.matched).padStart(6)}/${String(r.lines).padEnd(6)} ${(r.matched / r.lines).toFixed(3)}  (${r.patterns} patterns, ${r.invalid} rejected by Loki)`);
    const m = drain.reduce((s, r) => s + r.matched, 0);
    const n = drain.reduce((s, r) => s + r.lines, 0);
    console.log(`  ${'all'.padEnd(24)} ${String(m).padStart(6)}/${String(n).padEnd(6)} ${(m / n).toFixed(3)}`);
  }
  console.log('logs: pattern mining throughput (one core)');
  const loghub = loadLoghub().flatMap((s) => s.raw);
  throughput('loghub-2k raw (12×2k)', loghub, 10);
  const lokiDir = path.join(DATASETS, 'loki-drain');
  if (existsSync(lokiDir)) {
    const loki = readdirSync(lokiDir)
      .filter((f) => f.endsWith('.txt'))
      .flatMap((f) => readFileSync(path.join(lokiDir, f), 'utf8').split('\n').filter((l) => l.length > 0));
    throughput('loki-drain (9 files)', loki, 10);
  }
  jsonLinesReading();
  csvLogsReading();
  logExportsReading();
  const nezha = await nezhaRate();
  if (nezha) console.log(nezha);
}

/**
 * Reading JSON log lines (time, level, service, trace ids per line) against the floor of parsing each line
 * with JSON.parse alone, in the same process, alternated, best of 5: generated pino-style lines.
 */
function jsonLinesReading(lines = 200_000): void {
  const text = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({ level: i % 50 ? 30 : 50, time: 1715079300000 + i * 10, pid: 1, hostname: 'h', service: `svc${i % 8}`, req: { method: 'GET', url: `/api/x/${i}`, remoteAddress: `10.0.0.${i % 255}` }, msg: 'request completed', responseTime: i % 300, trace_id: `4bf92f3577b34da6a3ce929d0e0e${1000 + (i % 9000)}` }),
  ).join('\n');
  let ours = Infinity;
  let floor = Infinity;
  let records = 0;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    records = parseJsonLogLines(text, 'x', { year: 2024, fallbackMs: 0 }).records.length;
    ours = Math.min(ours, performance.now() - t);
    t = performance.now();
    for (const l of text.split('\n')) JSON.parse(l);
    floor = Math.min(floor, performance.now() - t);
  }
  const mb = text.length / 1e6;
  console.log(`logs: reading JSON log lines (${records.toLocaleString('en')} generated pino-style lines, ${mb.toFixed(0)} MB, best of 5)`);
  console.log(`  records with time, level, service, trace id: ${(mb / (ours / 1000)).toFixed(0)} MB/s; JSON.parse of each line alone: ${(mb / (floor / 1000)).toFixed(0)} MB/s; ratio ${(ours / floor).toFixed(2)}× its time`);
}

/**
 * Reading a logs table (time, level, service, trace id, message) against the floor of csv-parse alone on
 * the same text and options, in the same process, alternated, best of 5: generated rows shaped as a
 * Kibana Discover report (quoted cells, commas and quotes inside messages, a stack trace every 50 rows).
 */
export function csvLogsReading(rows = 200_000): void {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = ['"@timestamp","log.level","service.name","trace.id","host.name","message"'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(1715076000000 + i * 10).toISOString();
    const msg = i % 50 ? `request ${i} completed, status=${i % 7 ? 200 : 503}, took ${i % 300} ms` : `payment failed: "card declined"\njava.lang.IllegalStateException: declined\n\tat com.acme.Pay.charge(Pay.java:${i % 90})`;
    lines.push([q(t), i % 50 ? 'INFO' : 'ERROR', `svc${i % 8}`, `4bf92f3577b34da6a3ce929d0e0e${1000 + (i % 9000)}`, q(`ip-10-0-0-${i % 255}`), q(msg)].join(','));
  }
  const text = lines.join('\n') + '\n';
  const shape = sniffCsv(text.slice(0, 65536))!;
  let ours = Infinity;
  let floor = Infinity;
  let records = 0;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    records = parseCsvLogs('bench.csv', text, shape, 'x').records.length;
    ours = Math.min(ours, performance.now() - t);
    t = performance.now();
    csvParse(text, { delimiter: ',', bom: true, skip_empty_lines: true, relax_quotes: true, from_line: 2 });
    floor = Math.min(floor, performance.now() - t);
  }
  const mb = text.length / 1e6;
  console.log(`logs: reading a logs CSV (${records.toLocaleString('en')} generated Kibana-style rows, ${mb.toFixed(0)} MB, best of 5)`);
  console.log(`  records with time, level, service, trace id, fields: ${(mb / (ours / 1000)).toFixed(0)} MB/s; csv-parse alone: ${(mb / (floor / 1000)).toFixed(0)} MB/s; ratio ${(ours / floor).toFixed(2)}× its time`);
}

export interface NezhaRow {
  id: string;
  service: string;
  fault: string;
  /** The injected service shows a new or surging pattern in the incident window. */
  hit: boolean;
  /** Its best new/surging pattern, if any. */
  top?: string;
  /** Rank of the injected service when services are ordered by their best new/surging pattern score (1 = first). */
  rank?: number;
  servicesWithChange: number;
  services: number;
}

/** For each Nezha incident: does the injected service's log show a new or surging pattern (truth used for scoring only). */
export async function nezhaPatterns(dir: string): Promise<NezhaRow[]> {
  if (!existsSync(dir)) return [];
  const { openBundle } = await import('../src/sources/bundle/load.js');
  const { loadIncident } = await import('../src/sources/bundle/incident.js');
  const { BundleLogSource } = await import('../src/sources/bundle/logs.js');
  const { patternShift } = await import('../src/analysis/logs/shift.js');
  const rows: NezhaRow[] = [];
  for (const id of readdirSync(dir).sort()) {
    const root = path.join(dir, id);
    if (!existsSync(path.join(root, 'incident.yaml'))) continue;
    const meta = await loadIncident(path.join(root, 'incident.yaml'));
    const src = await openBundle(root);
    const logs = src.logs;
    const window = src.defaults.incident;
    const baseline = src.defaults.baseline;
    if (!(logs instanceof BundleLogSource) || !window || !baseline) continue;
    const records = await logs.allRecords();
    const stats = patternShift(records, window, baseline);
    const best = new Map<string, number>();
    for (const p of stats) if (p.status === 'new' || p.status === 'surging') best.set(p.service, Math.max(best.get(p.service) ?? 0, p.score));
    const truth = String(meta.truth?.service ?? '');
    const ranked = [...best].sort((a, b) => b[1] - a[1]).map(([svc]) => svc);
    const top = stats.find((p) => p.service === truth && (p.status === 'new' || p.status === 'surging'));
    rows.push({
      id,
      service: truth,
      fault: String(meta.truth?.fault ?? ''),
      hit: !!top,
      top: top ? `${top.status} ${top.level} ×${Number.isFinite(top.change) ? top.change.toFixed(1) : '∞'} (${top.count} vs ${top.baselineCount}): ${top.pattern.slice(0, 90)}` : undefined,
      rank: best.has(truth) ? ranked.indexOf(truth) + 1 : undefined,
      servicesWithChange: best.size,
      services: new Set(records.map((r) => r.service)).size,
    });
  }
  return rows;
}

async function nezhaRate(): Promise<string | undefined> {
  const rows = await nezhaPatterns(path.join(DATASETS, 'nezha-trainticket/dev'));
  if (!rows.length) return '  (Nezha skipped: ../shared/datasets/nezha-trainticket/dev not found)';
  const lines = ['logs: Nezha TrainTicket dev — injected service shows a new/surging log pattern in the incident window'];
  for (const r of rows) lines.push(`  ${r.id.padEnd(40)} ${r.hit ? 'yes' : 'no '} rank ${r.rank ?? '–'}/${r.servicesWithChange} changed of ${r.services}  ${r.top ?? ''}`);
  const hits = rows.filter((r) => r.hit).length;
  const top1 = rows.filter((r) => r.rank === 1).length;
  const byFault = new Map<string, [number, number]>();
  for (const r of rows) {
    const v = byFault.get(r.fault) ?? [0, 0];
    byFault.set(r.fault, [v[0] + (r.hit ? 1 : 0), v[1] + 1]);
  }
  lines.push(`  rate: ${hits}/${rows.length} = ${(hits / rows.length).toFixed(3)}; by fault: ${[...byFault].map(([f, [h, n]]) => `${f} ${h}/${n}`).join(', ')}; injected service ranked first by log-pattern change: ${top1}/${rows.length}; mean services with a changed pattern: ${(rows.reduce((s, r) => s + r.servicesWithChange, 0) / rows.length).toFixed(1)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}

/**
 * Reading the log exports of other stacks against the floor of JSON.parse of the same document alone, in
 * the same process, alternated, best of 5: a generated Elasticsearch `_search` answer of ECS documents and
 * a generated `gcloud logging read --format=json` array (GKE entries with a jsonPayload, a trace, a span).
 */
export function logExportsReading(n = 100_000): void {
  const hits = Array.from({ length: n }, (_, i) => ({
    _index: '.ds-logs-app-default-2024.05.07-000001',
    _id: `id${i}`,
    _score: null,
    _source: {
      '@timestamp': new Date(1715076000000 + i * 10).toISOString(),
      log: { level: i % 50 ? 'info' : 'error', logger: 'shop.app' },
      message: i % 50 ? `request ${i} completed, status=200, took ${i % 300} ms` : 'payment failed: card declined',
      service: { name: `svc${i % 8}` },
      trace: { id: `4bf92f3577b34da6a3ce929d0e0e${1000 + (i % 9000)}` },
      host: { name: `ip-10-0-0-${i % 255}` },
      kubernetes: { namespace: 'shop', pod: { name: `svc${i % 8}-7d9f6b8c4-x2k4p` } },
    },
  }));
  const elastic = JSON.stringify({ took: 12, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: n, relation: 'eq' }, max_score: null, hits } }, null, 2);
  const entries = Array.from({ length: n }, (_, i) => ({
    insertId: `ins${i}`,
    jsonPayload: { message: i % 50 ? `request ${i} completed, status=200` : 'payment failed: card declined', order: i },
    labels: { 'k8s-pod/app': `svc${i % 8}` },
    logName: 'projects/p/logs/stdout',
    receiveTimestamp: new Date(1715076000500 + i * 10).toISOString(),
    resource: { type: 'k8s_container', labels: { container_name: `svc${i % 8}`, namespace_name: 'shop', pod_name: `svc${i % 8}-7d9f6b8c4-x2k4p`, project_id: 'p' } },
    severity: i % 50 ? 'INFO' : 'ERROR',
    spanId: `00f067aa0ba9${String(1000 + (i % 9000))}`,
    timestamp: new Date(1715076000000 + i * 10).toISOString(),
    trace: `projects/p/traces/4bf92f3577b34da6a3ce929d0e0e${1000 + (i % 9000)}`,
  }));
  const gcloud = JSON.stringify(entries, null, 2);
  for (const [label, text, read] of [
    ['an Elasticsearch _search answer (ECS hits)', elastic, elasticHitsRecords],
    ['gcloud logging read --format=json (LogEntry array)', gcloud, cloudLoggingRecords],
  ] as const) {
    let ours = Infinity;
    let floor = Infinity;
    let records = 0;
    for (let r = 0; r < 5; r++) {
      let t = performance.now();
      const out: LogRecord[] = [];
      read('bench.json', [JSON.parse(text)], 'x', out);
      records = out.length;
      ours = Math.min(ours, performance.now() - t);
      t = performance.now();
      JSON.parse(text);
      floor = Math.min(floor, performance.now() - t);
    }
    const mb = text.length / 1e6;
    console.log(`logs: reading ${label} (${records.toLocaleString('en')} generated entries, ${mb.toFixed(0)} MB pretty-printed, best of 5)`);
    console.log(`  records with time, level, service, trace id, fields: ${(mb / (ours / 1000)).toFixed(0)} MB/s; JSON.parse alone: ${(mb / (floor / 1000)).toFixed(0)} MB/s; ratio ${(ours / floor).toFixed(2)}× its time`);
  }
}
