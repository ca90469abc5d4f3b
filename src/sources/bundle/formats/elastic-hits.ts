// Elasticsearch / OpenSearch search answers: `curl …/_search`, Kibana's Inspect → Response (the answer,
// or the answer under `rawResponse`), a scroll page, and JSON Lines or arrays of hits (`elasticdump`).
// Each hit's `_source` is a log document (ECS: `@timestamp`, `message`, `log.level`, `service.name`,
// `trace.id`, nested or dotted) read by the same fields as a JSON log line; `fields` (arrays of values,
// what a search asks for when `_source` is off) fill in what `_source` lacks.
import type { LogRecord } from '../../types.js';
import { documentAttributes, documentFields } from './json-logs.js';
import { entryRecord, SkippedEntries } from './export-entries.js';
import { isObject } from '../../../util/objects.js';

interface SearchAnswer {
  took?: unknown;
  timed_out?: unknown;
  _shards?: { failed?: unknown };
  hits: { total?: unknown; hits: unknown[] };
}

/** A search answer (under Kibana's `rawResponse` too), or undefined when the document is none. */
function searchAnswer(doc: unknown): SearchAnswer | undefined {
  const d = isObject(doc) && isObject(doc.rawResponse) ? doc.rawResponse : doc;
  if (!isObject(d) || !isObject(d.hits) || !Array.isArray(d.hits.hits)) return undefined;
  return 'took' in d || 'timed_out' in d || '_shards' in d || '_scroll_id' in d || 'total' in d.hits ? (d as unknown as SearchAnswer) : undefined;
}

export function searchHits(doc: unknown): unknown[] | undefined {
  return searchAnswer(doc)?.hits.hits;
}

/** What an answer says of its own completeness: timed out, failed shards, fewer hits than matches. */
function partialNote(file: string, a: SearchAnswer): string | undefined {
  const failed = Number(a._shards?.failed);
  if (a.timed_out === true || failed > 0) return `${file}: the search answer is partial (${a.timed_out === true ? 'it timed out' : `${failed} shard(s) failed`}): its hits are only part of the matches`;
  const t = a.hits.total;
  const total = typeof t === 'number' ? t : isObject(t) && typeof t.value === 'number' ? t.value : undefined;
  if (total !== undefined && total > a.hits.hits.length) {
    const atLeast = isObject(t) && t.relation === 'gte' ? 'at least ' : '';
    return `${file}: the answer holds ${a.hits.hits.length} of ${atLeast}${total} matching documents (the search's \`size\`): ask for more (\`size\`, \`search_after\`, or \`elasticdump\`) to read the rest`;
  }
  return undefined;
}

/** One hit: its index and a `_source` or `fields` object. */
export function isElasticHit(doc: unknown): boolean {
  return isObject(doc) && typeof doc._index === 'string' && (isObject(doc._source) || isObject(doc.fields));
}

/** A search answer, a hit (a line of JSON Lines) or an array of hits. */
export function looksLikeElasticHits(doc: unknown): boolean {
  return searchHits(doc) !== undefined || isElasticHit(doc) || (Array.isArray(doc) && doc.slice(0, 5).some(isElasticHit));
}

/** `fields` as a document: each field's single value (a list of several stays a list). */
function fieldsDocument(fields: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(fields)) return out;
  for (const [k, v] of Object.entries(fields)) out[k] = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return out;
}

function hitRecord(hit: unknown, fallbackService: string): LogRecord | string {
  if (!isElasticHit(hit)) return 'not a hit (no `_index` with `_source` or `fields`)';
  const h = hit as Record<string, unknown>;
  const source = isObject(h._source) ? h._source : {};
  const doc = { ...fieldsDocument(h.fields), ...source };
  const f = documentFields(doc);
  if (f.timeMs === undefined) return 'no readable time (`@timestamp`, `timestamp`, `time`…)';
  const attributes = documentAttributes(doc, {}, '', f.messageKey);
  attributes._index = h._index as string;
  if (typeof h._id === 'string') attributes._id = h._id;
  return entryRecord({ ...f, timeMs: f.timeMs, body: f.message ?? JSON.stringify(source), attributes }, fallbackService);
}

/** The records of a file's documents (answers, hits, arrays of hits); returns the problems to report. */
export function elasticHitsRecords(file: string, docs: unknown[], fallbackService: string, out: LogRecord[]): string[] {
  const skipped = new SkippedEntries('hit(s)');
  const notes: string[] = [];
  docs.forEach((doc, d) => {
    const answer = searchAnswer(doc);
    const hits = answer?.hits.hits ?? (Array.isArray(doc) ? doc : [doc]);
    const partial = answer && partialNote(file, answer);
    if (partial) notes.push(partial);
    hits.forEach((hit, i) => {
      const r = hitRecord(hit, fallbackService);
      if (typeof r === 'string') skipped.skip(r, docs.length > 1 ? `document ${d + 1}, hit ${i + 1}` : `hit ${i + 1}`);
      else out.push(r);
    });
  });
  return [...notes, ...skipped.note(file)];
}
