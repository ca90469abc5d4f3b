// Two limits on telemetry times. A time beyond the range of JavaScript dates (a flipped digit, a number
// past 2^63 ns) cannot be written at all: every tool that prints it fails with "Invalid time value", so
// readers skip it. A time outside the years around now (1970 from a zero, the year 9999) is a real date
// but no event: kept with its record, it is left out when the window is read from the data, where one
// such time would stretch the window over decades of nothing.

/** JavaScript's date range: ±8.64e15 ms around 1970. */
const MAX_DATE_MS = 8.64e15;
const MIN_PLAUSIBLE_MS = Date.UTC(1980, 0, 1);
const MAX_PLAUSIBLE_MS = Date.UTC(2200, 0, 1);

/** The years a time must fall in to set a window, as problems say it. */
export const PLAUSIBLE_YEARS = '1980–2200';
/** How problems name a time that is no date. */
export const NOT_A_DATE = 'beyond the range of dates (±8.64e15 ms around 1970)';

/** True for an epoch-ms time JavaScript can hold as a date (false for NaN and infinities). */
export function isDateMs(ms: number): boolean {
  return ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS;
}

/** True for an epoch-ms time in PLAUSIBLE_YEARS. */
export function isPlausibleTimeMs(ms: number): boolean {
  return ms >= MIN_PLAUSIBLE_MS && ms < MAX_PLAUSIBLE_MS;
}
