// Locale-aware formatting for reports: numbers, durations, shares, changes and dates through Intl;
// unit words Intl has no unit for (CPU cores) and data words (yes/no, new) come from the catalogue.
import { localeOf } from './language.js';
import { tr, trValue } from './i18n.js';

// A report formats a few hundred numbers with a handful of distinct settings; building an
// Intl.NumberFormat costs far more than using one, so each locale and settings pair is built once.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}\u0000${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDate(ms: number | string, lang: string): string {
  const d = typeof ms === 'string' ? new Date(ms) : new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const loc = localeOf(lang);
  let f = dateFormats.get(loc);
  if (!f) dateFormats.set(loc, (f = new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })));
  return `${f.format(d)} UTC`;
}

export function formatDuration(ms: number, lang: string): string {
  const loc = localeOf(lang);
  if (!Number.isFinite(ms)) return '–';
  if (Math.abs(ms) >= 60_000) return numberFormat(loc, { style: 'unit', unit: 'minute', maximumFractionDigits: 1 }).format(ms / 60_000);
  if (Math.abs(ms) >= 1000) return numberFormat(loc, { style: 'unit', unit: 'second', maximumFractionDigits: 2 }).format(ms / 1000);
  return numberFormat(loc, { style: 'unit', unit: 'millisecond', maximumFractionDigits: ms < 10 ? 2 : 0 }).format(ms);
}

export function formatPercent(fraction: number, lang: string, signed = false): string {
  if (!Number.isFinite(fraction)) return '–';
  return numberFormat(localeOf(lang), {
    style: 'percent',
    maximumFractionDigits: Math.abs(fraction) < 0.1 ? 1 : 0,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(fraction);
}

export function formatNumber(v: number, lang: string, digits = 2): string {
  if (!Number.isFinite(v)) return '–';
  return numberFormat(localeOf(lang), { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : digits }).format(v);
}

/**
 * Format a finding number by the convention of its key: `*_ms` durations, `*_rate`/`*_share`/`*_ratio`
 * fractions, `*_pct` percents, `change*` relative changes, `*_bytes` sizes, else plain numbers.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function formatKeyed(key: string, v: number | string, lang: string): string {
  if (typeof v === 'string') {
    // Step outputs carry flags (yes/no), states (new, surging…) and ISO times as data; the report
    // speaks the asker's language. Any other string is telemetry and stays verbatim.
    if (ISO_TIME.test(v)) return formatDate(v, lang);
    return trValue(lang, v);
  }
  if (/(^|_)ms($|_)/.test(key)) return formatDuration(v, lang);
  if (/(^|_)seconds?($|_)/.test(key) && !/per_seconds?/.test(key)) return formatDuration(v * 1000, lang);
  if (/(^|_)change($|_)/.test(key)) return formatPercent(v, lang, true);
  if (/(^|_)pct($|_)/.test(key)) return formatPercent(v / 100, lang);
  if (/(^|_)(rate|share|ratio|fraction)($|_)/.test(key) && Math.abs(v) <= 1.5 && !/per_s/.test(key)) return formatPercent(v, lang);
  if (/(^|_)bytes($|_)/.test(key)) {
    const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
    let i = 0;
    let x = v;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return numberFormat(localeOf(lang), { style: 'unit', unit: units[i], maximumFractionDigits: 1 }).format(x);
  }
  return formatNumber(v, lang);
}

/**
 * A measured value in its unit, in the locale's format: seconds, nanoseconds, bytes, ratio, per-second,
 * bytes-per-second, cpu-ns-per-second (CPU time per second of wall time: cores), or none.
 */
export function formatQuantity(v: number, unit: string | undefined, lang: string): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'seconds') return formatDuration(v * 1000, lang);
  if (unit === 'nanoseconds') return formatDuration(v / 1e6, lang);
  if (unit === 'bytes') return formatKeyed('bytes', v, lang);
  if (unit === 'bytes-per-second') return `${formatKeyed('bytes', v, lang)}/s`;
  if (unit === 'ratio') return formatPercent(v, lang);
  if (unit === 'cpu-ns-per-second') {
    const cores = v / 1e9;
    const n = numberFormat(localeOf(lang), Math.abs(cores) >= 0.1 || cores === 0 ? { maximumFractionDigits: 2 } : { maximumSignificantDigits: 2 }).format(cores);
    return tr(lang, 'unit_cores', { n });
  }
  // Three significant digits for small values, one decimal for large ones (never rounding 1234.5 to 1230).
  const opts: Intl.NumberFormatOptions = Math.abs(v) >= 100 ? { maximumFractionDigits: 1 } : { maximumSignificantDigits: 3 };
  const n = numberFormat(localeOf(lang), opts).format(v);
  return unit === 'per-second' ? `${n}/s` : n;
}
