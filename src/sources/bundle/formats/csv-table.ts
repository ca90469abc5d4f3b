// Tables exported as CSV or TSV (Grafana's "Download CSV", Kibana and Splunk CSV reports, CloudWatch Logs
// Insights, ClickHouse `CSVWithNames` / `TSVWithNames`, research datasets): the header row, the delimiter
// sniffed from the first rows, and the rows read by csv-parse (quoted fields may hold delimiters, quotes and
// line breaks: a stack trace inside a message). A row with the wrong number of fields is skipped and named
// by its line; a file cut short keeps its complete rows.
import { parse } from 'csv-parse/sync';
import type { Attributes } from '../../types.js';

export type Delimiter = ',' | '\t' | ';';

export interface CsvShape {
  delimiter: Delimiter;
  /** Column names as written (quotes removed). */
  columns: string[];
  /** Fields are quoted CSV-style; false for TSV written without quotes (ClickHouse, PostgreSQL COPY): backslash escapes instead. */
  quoted: boolean;
}

const DELIMITERS: Delimiter[] = [',', '\t', ';'];
/** Rows after the header that must agree with it on the number of fields. */
const SAMPLE_ROWS = 20;

/** A header cell that names a column: not empty, not a number, not a date, not a sentence. */
function looksLikeColumnName(cell: string): boolean {
  const c = cell.trim();
  if (!c || c.length > 300) return false;
  // Grafana names a series column by its labels: `up{instance="a:9100", job="node"}`.
  if (/\{.*\}$/.test(c)) return true;
  if (c.length > 64) return false;
  if (/^[-+]?\d+([.,]\d+)?$/.test(c) || /^\d{4}-\d{2}-\d{2}/.test(c)) return false;
  // Names are words joined by `.`, `_`, `-`, `@`, `/`, `:` or a space or two ("Series A", "Time (UTC)"),
  // with a unit in brackets (Nezha's `CpuUsageRate(%)`).
  return /^[@_$]*[\p{L}_][\p{L}\p{N}_.@\-/:() #%[\]]*$/u.test(c) && c.split(/\s+/).length <= 4;
}

/** A header row's cells split by `delimiter` (quoted cells unquoted), or undefined when it is no header. */
function headerCells(line: string, delimiter: Delimiter): string[] | undefined {
  if (!line.includes(delimiter)) return undefined;
  let cells: string[];
  try {
    cells = (parse(line, { delimiter, relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    return undefined;
  }
  // Kibana's reports (`xpack.reporting.csv.escapeFormulaValues`) put a `'` before a cell that starts with
  // `=`, `+`, `-` or `@`, against spreadsheet formula injection: `'@timestamp` names `@timestamp`.
  cells = cells.map((c) => c.trim().replace(/^'(?=[=+\-@])/, ''));
  return cells.length >= 2 && cells.every(looksLikeColumnName) ? cells : undefined;
}

/** The number of fields of each sampled row after the header (quotes and embedded line breaks honoured). */
function sampleFieldCounts(text: string, shape: CsvShape, complete: boolean): number[] {
  const counts: number[] = [];
  try {
    parse(text, {
      ...parseOptions(shape),
      from_line: 2,
      to_line: SAMPLE_ROWS + 40,
      relax_column_count: true,
      on_record: (r: string[]) => {
        if (counts.length < SAMPLE_ROWS) counts.push(r.length);
        return null;
      },
    });
  } catch {
    // A head cut inside a quoted field: the rows before it are the sample.
  }
  // The head's last row may be cut: it is not evidence.
  if (!complete && counts.length > 1) counts.pop();
  return counts;
}

/**
 * The table's shape when the text (a file's head) starts with a header row whose delimiter the next rows
 * agree with; undefined for anything else (a plain log whose lines hold commas has no such header).
 */
export function sniffCsv(head: string, complete = true): CsvShape | undefined {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const first = text.slice(0, nl).replace(/\r$/, '');
  let best: CsvShape | undefined;
  for (const delimiter of DELIMITERS) {
    const columns = headerCells(first, delimiter);
    if (!columns) continue;
    // TSV writers that quote nothing (ClickHouse) escape with backslashes; a quoted header means CSV quoting.
    const quoted = delimiter !== '\t' || first.trimStart().startsWith('"');
    const shape: CsvShape = { delimiter, columns, quoted };
    const counts = sampleFieldCounts(text, shape, complete);
    if (counts.length === 0) continue;
    const agree = counts.filter((n) => n === columns.length).length;
    // Most rows agree (a few damaged rows are reported by the reader, not a reason to read the file as text).
    if (agree < Math.max(1, 0.5 * counts.length)) continue;
    if (!best || columns.length > best.columns.length) best = shape;
  }
  return best;
}

function parseOptions(shape: CsvShape) {
  return {
    delimiter: shape.delimiter,
    bom: true,
    skip_empty_lines: true,
    // Unquoted TSV: a `"` is an ordinary character.
    quote: shape.quoted ? '"' : false,
    relax_quotes: true,
  } as const;
}

/** ClickHouse's TSV escapes (`\t`, `\n`, `\\`, `\'`…) undone. */
function unescapeTsv(v: string): string {
  if (!v.includes('\\')) return v;
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '\0' : c === 'b' ? '\b' : c === 'f' ? '\f' : c));
}

export interface CsvReadResult {
  rows: number;
  /** Rows left out, each with its line (1-based, the header being line 1) and why. */
  skipped: Array<{ line: number; why: string }>;
  /** The line the record of this index (as given to the row callback) starts on. */
  lineOf(index: number): number;
}

/**
 * The line each record starts on, and the lines of records csv-parse could not read (a quoted field left
 * open at the end). A second pass, run only when a line is asked for: asking csv-parse for each record's
 * position costs ~40% more than the parse itself.
 */
function recordLines(text: string, shape: CsvShape): { starts: number[]; failed: Array<{ line: number; why: string }> } {
  const starts: number[] = [];
  const failed: Array<{ line: number; why: string }> = [];
  let nextLine = 2;
  parse(text, {
    ...parseOptions(shape),
    from_line: 2,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      failed.push({ line: nextLine, why: err?.message.replace(/:? (on|at) line \d+$/, '') ?? 'unreadable row' });
      nextLine = ((err as { lines?: number } | undefined)?.lines ?? nextLine) + 1;
    },
    on_record: (_: string[], ctx) => {
      // `lines` is the line the record ends on: the next one starts after it.
      starts.push(nextLine);
      nextLine = ctx.lines + 1;
      return null;
    },
  });
  return { starts, failed };
}

/**
 * Calls `row` with the fields of each data row and its index (`lineOf` gives its line). Rows whose field
 * count differs from the header's are skipped, as is an unterminated quoted field at the end (a file cut
 * short): the complete rows before it are kept.
 */
export function forEachCsvRow(text: string, shape: CsvShape, row: (fields: string[], index: number) => void): CsvReadResult {
  let failures = 0;
  let records: string[][];
  try {
    records = parse(text, {
      ...parseOptions(shape),
      from_line: 2,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: () => void failures++,
    }) as string[][];
  } catch {
    records = [];
    failures++;
  }
  const unescape = !shape.quoted;
  const width = shape.columns.length;
  const badWidth: number[] = [];
  let rows = 0;
  for (let i = 0; i < records.length; i++) {
    const fields = records[i]!;
    if (fields.length !== width) {
      badWidth.push(i);
      continue;
    }
    rows++;
    row(unescape ? fields.map(unescapeTsv) : fields, i);
  }
  let lines: ReturnType<typeof recordLines> | undefined;
  const lineOf = (i: number) => (lines ??= recordLines(text, shape)).starts[i] ?? 0;
  const skipped: CsvReadResult['skipped'] = badWidth.map((i) => ({ line: lineOf(i), why: `${records[i]!.length} field(s) where the header has ${width}` }));
  if (failures) skipped.push(...(lines ??= recordLines(text, shape)).failed);
  skipped.sort((x, y) => x.line - y.line);
  return { rows, skipped, lineOf };
}

/** The problems of a read, naming the file and the first lines skipped. */
export function skippedProblems(file: string, res: CsvReadResult): string[] {
  if (!res.skipped.length) return [];
  const shown = res.skipped.slice(0, 5).map((s) => `line ${s.line}: ${s.why}`);
  const more = res.skipped.length > 5 ? `; ${res.skipped.length - 5} more` : '';
  return [`${file}: ${res.skipped.length} row(s) skipped (${shown.join('; ')}${more})`];
}

/** Copies a row's cells of `columns` (name, index) into `into`: empty cells and ClickHouse's `{}` and `[]`
 * (an empty map or array, its way of writing none) add no field. */
export function addCells(into: Attributes, columns: ReadonlyArray<readonly [string, number]>, row: string[]): void {
  for (const [c, i] of columns) {
    const v = row[i]!;
    if (v !== '' && v !== '{}' && v !== '[]') into[c] = v;
  }
}
