// The container runtime's log files (CRI: what the kubelet keeps under /var/log/pods and links from
// /var/log/containers): `<RFC 3339 time> <stdout|stderr> <F|P> <line>`. P marks a piece of a line the
// runtime split because it was long: the next piece continues it. The line itself may be an
// application's JSON: its level, service and trace ids are read as for JSON log lines.
import type { LogRecord } from '../../types.js';
import { parseTimeValue } from './line-time.js';
import { jsonLineFields } from './json-logs.js';
import { MAX_RECORD_CHARS, continueLast } from './plain-logs.js';

const CRI = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([FP])(?: (.*))?$/;

/** Most of the first lines are CRI lines. */
export function looksLikeCri(text: string, sample = 50): boolean {
  let seen = 0;
  let cri = 0;
  for (const line of text.split('\n', sample * 4)) {
    if (!line.trim()) continue;
    seen++;
    if (CRI.test(line.replace(/\r$/, ''))) cri++;
    if (seen >= sample) break;
  }
  return seen > 0 && cri >= 0.8 * seen;
}

export function parseCriLog(text: string, service: string): { records: LogRecord[]; otherLines: number } {
  const records: LogRecord[] = [];
  let otherLines = 0;
  let open: LogRecord | undefined; // the record whose last piece was partial (P)
  for (let raw of text.split('\n')) {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (!raw.trim()) continue;
    const m = CRI.exec(raw);
    const t = m ? parseTimeValue(m[1]!) : undefined;
    if (!m || t === undefined) {
      otherLines++;
      continueLast(records, raw);
      continue;
    }
    const piece = m[4] ?? '';
    if (open && open.attributes.stream === m[2]) {
      if (open.body.length < MAX_RECORD_CHARS) open.body += piece;
    } else {
      open = { timeMs: t, service, body: piece, attributes: { stream: m[2]! }, resource: { 'service.name': service } };
      records.push(open);
    }
    if (m[3] === 'F') {
      finish(open);
      open = undefined;
    }
  }
  if (open) finish(open);
  return { records, otherLines };
}

/** A whole line that is an application's JSON gives its level, service and trace ids. */
function finish(r: LogRecord): void {
  const f = jsonLineFields(r.body);
  if (!f) return;
  if (f.level) r.severityText = f.level;
  if (f.service) {
    r.service = f.service;
    r.resource = { 'service.name': f.service };
  }
  if (f.traceId) r.traceId = f.traceId;
  if (f.spanId) r.spanId = f.spanId;
}
