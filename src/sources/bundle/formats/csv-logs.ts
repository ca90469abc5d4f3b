// Log tables (CSV/TSV with a time and a message column) into log records: the time, level, service and
// trace ids from the columns that carry them (csv-roles.ts), attribute maps (`LogAttributes`, Grafana's
// `labels`) and every other column as fields the log tools filter on, as the JSON log reader keeps them.
// A message that is a container runtime's JSON envelope (`{"log": "…", "stream": "stdout"}`, as the Nezha
// dataset's `Log` column holds) is the line it wraps.
import type { Attributes, LogRecord } from '../../types.js';
import { pinoLevel } from '../../../analysis/logs/level.js';
import { addCells, forEachCsvRow, skippedProblems, type CsvShape } from './csv-table.js';
import { LOG_ROLES, isTimeColumn, mapRoles } from './csv-roles.js';
import { attributeMap, cellTime, serviceName, zonelessProblem } from './csv-values.js';

/** Keys of an attribute map that name the service, in order. */
const SERVICE_KEYS = ['service.name', 'service_name', 'service', 'app', 'application', 'job', 'container', 'k8s.container.name', 'container_name'];

function hexId(v: string | undefined, len: number): string | undefined {
  if (!v) return undefined;
  const t = v.trim();
  if (t.length < len / 2 || t.length > len || !/^[0-9a-fA-F]+$/.test(t) || /^0+$/.test(t)) return undefined;
  return t.toLowerCase().padStart(len, '0');
}

/** A level cell as written; a number only from a level column (pino/bunyan 10…60), never an HTTP `status`. */
function levelOf(v: string, column: string): string | undefined {
  const t = v.trim();
  if (!t) return undefined;
  if (!/^\d+$/.test(t)) return t;
  return column.toLowerCase().includes('status') ? undefined : pinoLevel(Number(t));
}

/** The line a Docker/containerd JSON envelope wraps, and its stream. */
function unwrapEnvelope(body: string): { line: string; stream?: string } | undefined {
  if (!body.startsWith('{"log"')) return undefined;
  try {
    const d = JSON.parse(body) as { log?: unknown; stream?: unknown };
    if (typeof d.log !== 'string') return undefined;
    return { line: d.log.replace(/\r?\n$/, ''), stream: typeof d.stream === 'string' ? d.stream : undefined };
  } catch {
    return undefined;
  }
}

export interface CsvLogResult {
  records: LogRecord[];
  problems: string[];
}

export function parseCsvLogs(file: string, text: string, shape: CsvShape, fallbackService: string): CsvLogResult {
  const cols = shape.columns;
  const r = mapRoles(cols, LOG_ROLES);
  const problems: string[] = [];
  const records: LogRecord[] = [];
  const claimed = new Set(Object.values(r));
  // Another time column (Grafana's formatted `Time` beside `tsNs`, ClickHouse's `TimestampTime`) repeats the record's time.
  const others = cols.map((c, i) => [c, i] as const).filter(([c, i]) => !claimed.has(i) && !isTimeColumn(c));
  // One resource object per service and resource cell (most rows of a service repeat both).
  const resources = new Map<string, Attributes>();
  const resourceOf = (svc: string, cell: string, attrs: Attributes | undefined): Attributes => {
    const key = `${svc}\n${cell}`;
    let res = resources.get(key);
    if (!res) resources.set(key, (res = { ...attrs, 'service.name': svc }));
    return res;
  };
  const resourceCells = new Map<string, Attributes | undefined>();
  const resourceAttrs = (cell: string): Attributes | undefined => {
    if (!resourceCells.has(cell)) resourceCells.set(cell, attributeMap(cell));
    return resourceCells.get(cell);
  };
  let zoneless = false;
  const untimed: number[] = [];
  const res = forEachCsvRow(text, shape, (f, index) => {
    const t = cellTime(f[r.time!]!);
    if (!t) {
      untimed.push(index);
      return;
    }
    zoneless ||= t.zoneless;
    let body = f[r.message!]!;
    const attributes: Attributes = {};
    const env = unwrapEnvelope(body);
    if (env) {
      body = env.line;
      if (env.stream) attributes.stream = env.stream;
    }
    const labels = r.logAttributes !== undefined ? attributeMap(f[r.logAttributes]!) : undefined;
    if (labels) Object.assign(attributes, labels);
    addCells(attributes, others, f);
    const resCell = r.resourceAttributes !== undefined ? f[r.resourceAttributes]! : '';
    const resAttrs = resCell ? resourceAttrs(resCell) : undefined;
    let service = r.service !== undefined && f[r.service]!.trim() ? serviceName(f[r.service]!, cols[r.service]!) : undefined;
    // A pod named by its service keeps its full name as a field.
    if (service !== undefined && service !== f[r.service!]) attributes[cols[r.service!]!] = f[r.service!]!;
    if (!service) {
      const from = SERVICE_KEYS.map((k) => resAttrs?.[k] ?? labels?.[k]).find((v) => v !== undefined && v !== '');
      service = from !== undefined ? String(from) : fallbackService;
    }
    const rec: LogRecord = { timeMs: t.ms, service, body, attributes, resource: resourceOf(service, resCell, resAttrs) };
    // Grafana's Loki export carries the level in its `labels` (`level`, `detected_level`).
    const labelLevel = labels?.level ?? labels?.detected_level;
    const level = r.level !== undefined ? levelOf(f[r.level]!, cols[r.level]!) : labelLevel !== undefined ? levelOf(String(labelLevel), 'level') : undefined;
    if (level) rec.severityText = level;
    if (r.severityNumber !== undefined) {
      const n = Number(f[r.severityNumber]);
      if (Number.isInteger(n) && n > 0) rec.severityNumber = n;
    }
    const traceId = r.traceId !== undefined ? hexId(f[r.traceId], 32) : undefined;
    if (traceId) rec.traceId = traceId;
    const spanId = r.spanId !== undefined ? hexId(f[r.spanId], 16) : undefined;
    if (spanId) rec.spanId = spanId;
    if (r.scopeName !== undefined && f[r.scopeName]) rec.scope = r.scopeVersion !== undefined && f[r.scopeVersion] ? { name: f[r.scopeName]!, version: f[r.scopeVersion]! } : { name: f[r.scopeName]! };
    records.push(rec);
  });
  if (zoneless) problems.push(zonelessProblem(file, cols[r.time!]!));
  if (untimed.length) problems.push(`${file}: ${untimed.length} row(s) without a readable time in column "${cols[r.time!]}" skipped (first: line ${res.lineOf(untimed[0]!)})`);
  problems.push(...skippedProblems(file, res));
  return { records, problems };
}
