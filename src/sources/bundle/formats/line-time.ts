// The time at the start of a plain log line, in the formats programs write there: ISO 8601 / RFC 3339
// (`2024-05-07T10:55:53.251Z`, `2024-05-07 10:55:53,251`), syslog (`Jun 14 15:16:01`), klog
// (`I0507 11:59:38.116658`), bracketed C time (`[Sun Dec 04 04:47:44 2005]`), Common Log Format
// (`[10/Oct/2000:13:55:36 -0700]`), epoch seconds or milliseconds, and `ts=`/`time=`/`"timestamp":`
// fields of logfmt and JSON lines. Formats without a year take it from `year`; without a zone, UTC.
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

const ISO = /^\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}(?::?\d{2})?)?/;
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const KLOG = /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const CTIME = /^\[?[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})\]?/;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;
const EPOCH = /^(\d{10}|\d{13})(?:\.(\d{1,9}))?(?=[\s,;|]|$)/;
const FIELD = /(?:^|[\s{,])"?(?:ts|time|timestamp|@timestamp|datetime|date)"?\s*[=:]\s*"?([^"\s,}]+(?:[ T][^"\s,}]+)?)/;

const fraction = (f: string | undefined): number => (f ? Number(`0.${f}`) * 1000 : 0);

function zoneOffsetMs(z: string | undefined): number {
  if (!z || z === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return 0;
  const mins = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return (m[1] === '-' ? -1 : 1) * mins * 60_000;
}

function iso(m: RegExpExecArray): number | undefined {
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? undefined : t + fraction(m[7]) - zoneOffsetMs(m[8]);
}

/** A time written by itself (a field value): RFC 3339 or epoch seconds/ms/ns. */
export function parseTimeValue(v: string): number | undefined {
  const m = ISO.exec(v);
  if (m) return iso(m);
  if (/^\d{10}(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^\d{13}$/.test(v)) return Number(v);
  if (/^\d{19}$/.test(v)) return Number(v.slice(0, -6)) + Number(v.slice(-6)) / 1e6;
  return undefined;
}

/** Epoch ms of the time a line starts with (or carries in a time field); undefined when none. */
export function lineTime(line: string, year: number): number | undefined {
  let m = ISO.exec(line);
  if (m) return iso(m);
  m = SYSLOG.exec(line);
  if (m && MONTHS[m[1]!.toLowerCase()] !== undefined) return Date.UTC(year, MONTHS[m[1]!.toLowerCase()]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + fraction(m[6]);
  m = KLOG.exec(line);
  if (m) return Date.UTC(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + fraction(m[6]);
  m = CTIME.exec(line);
  if (m && MONTHS[m[1]!.toLowerCase()] !== undefined) return Date.UTC(Number(m[7]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + fraction(m[6]);
  m = EPOCH.exec(line);
  if (m) return m[1]!.length === 13 ? Number(m[1]) : Number(m[1]) * 1000 + fraction(m[2]);
  const head = line.length > 200 ? line.slice(0, 200) : line;
  m = CLF.exec(head);
  if (m && MONTHS[m[2]!.toLowerCase()] !== undefined) return Date.UTC(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - zoneOffsetMs(m[7]);
  m = FIELD.exec(head);
  if (m) return parseTimeValue(m[1]!);
  return undefined;
}
