// The time at the start of a plain log line, in the formats programs write there: ISO 8601 / RFC 3339
// (`2024-05-07T10:55:53.251Z`, `2024-05-07 10:55:53,251`, also after one leading token such as a level
// or a file name), syslog (`Jun 14 15:16:01`), klog (`I0507 11:59:38.116658`), bracketed C time
// (`[Sun Dec 04 04:47:44 2005]`), Common Log Format (`[10/Oct/2000:13:55:36 -0700]`), log4j's short
// and compact dates (`17/06/09 20:10:40`, `081109 203615`, `20171223-22:15:29:606`), Android logcat
// (`03-17 16:13:38.811`), epoch seconds or milliseconds (also after a flag, when a `yyyy.MM.dd` date that
// agrees follows, as supercomputer RAS logs write them), and `ts=`/`time=`/`"timestamp":` fields of
// logfmt and JSON lines. Formats without a year take it from `year`; without a zone, UTC.
export const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

const ISO = /^\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}(?::?\d{2})?)?/;
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const KLOG = /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const CTIME = /^\[?[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})\]?/;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;
const EPOCH = /^(\d{10}|\d{13})(?:\.(\d{1,9}))?(?=[\s,;|]|$)/;
/** A short first token (level, logger, file name) before an ISO time. */
const ISO_SECOND = /^\S{1,60}\s+(?=\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:)/;
/** log4j `yy/MM/dd HH:mm:ss` (Spark's default). */
const YY_SLASH = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?=\s|$)/;
/** log4j `yyMMdd HHmmss` (Hadoop 1 / HDFS). */
const YYMMDD = /^(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})(?=\s|$)/;
/** `yyyyMMdd-HH:mm:ss:SSS` and other compact dates with a separated time (fields not always zero-padded). */
const COMPACT = /^(\d{4})(\d{2})(\d{2})[-T ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.:,](\d{1,9}))?(?=[\s|,;]|$)/;
/** Android logcat `MM-dd HH:mm:ss.SSS` (threadtime / time formats; no year). */
const LOGCAT = /^(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})(?=\s)/;
/** A flag, epoch seconds, then the same day as `yyyy.MM.dd` (BlueGene/L, Thunderbird RAS logs). */
const FLAGGED_EPOCH = /^\S{1,32} (\d{10}) (\d{4})\.(\d{2})\.(\d{2})(?=\s)/;
const FIELD = /(?:^|[\s{,])"?(?:ts|time|timestamp|@timestamp|datetime|date)"?\s*[=:]\s*"?([^"\s,}]+(?:[ T][^"\s,}]+)?)/;

/** Milliseconds of a fraction of a second written after the point (`251`, `116658`). */
export const fraction = (f: string | undefined): number => (f ? Number(`0.${f}`) * 1000 : 0);

/** The offset a zone (`Z`, `+02:00`, `-0700`) adds to UTC, in ms; 0 for none or a name. */
export function zoneOffsetMs(z: string | undefined): number {
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

/** A bare number read as a time is one from 2000 to 2100: smaller or larger, it is a counter or a duration. */
const EPOCH_FROM = Date.UTC(2000, 0, 1);
const EPOCH_TO = Date.UTC(2100, 0, 1);

/** An epoch number of seconds, milliseconds, microseconds or nanoseconds (told apart by size), in ms; undefined outside 2000–2100. */
export function epochNumberMs(v: number): number | undefined {
  const ms = v < 1e11 ? v * 1000 : v < 1e14 ? v : v < 1e17 ? v / 1000 : v / 1e6;
  return ms >= EPOCH_FROM && ms < EPOCH_TO ? ms : undefined;
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

/** Date.UTC when every field is in range (a run of digits that only looks like a date is not one). */
function validUtc(y: number, mo: number, d: number, h: number, mi: number, sec: number, frac?: string): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec) + fraction(frac);
}

/** The short and compact dates of log4j, logcat and RAS logs (after the common formats, which they cannot shadow). */
function otherDates(line: string, year: number): number | undefined {
  let m = YY_SLASH.exec(line);
  if (m) return validUtc(2000 + Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]);
  m = YYMMDD.exec(line);
  if (m) return validUtc(2000 + Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = COMPACT.exec(line);
  if (m && Number(m[1]) >= 1970) return validUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]);
  m = LOGCAT.exec(line);
  if (m) return validUtc(year, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6]);
  m = FLAGGED_EPOCH.exec(line);
  if (m) {
    const t = Number(m[1]) * 1000;
    const day = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
    // The date is local to the machine: within a day of the epoch's UTC date.
    if (Math.abs(t - day) < 2 * 86_400_000) return t;
  }
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
  const other = otherDates(line, year);
  if (other !== undefined) return other;
  const second = ISO_SECOND.exec(line);
  if (second) {
    m = ISO.exec(line.slice(second[0].length));
    if (m) return iso(m);
  }
  const head = line.length > 200 ? line.slice(0, 200) : line;
  m = CLF.exec(head);
  if (m && MONTHS[m[2]!.toLowerCase()] !== undefined) return Date.UTC(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - zoneOffsetMs(m[7]);
  m = FIELD.exec(head);
  if (m) return parseTimeValue(m[1]!);
  return undefined;
}
