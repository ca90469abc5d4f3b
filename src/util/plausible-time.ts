// Telemetry times outside these years are damage (a flipped digit, a number past the range of dates)
// or a wrong unit, not events: kept, one of them turns the window read from the data into dates
// JavaScript cannot write ("Invalid time value") or into centuries of empty time.

const MIN_MS = Date.UTC(1980, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

/** The years a time must fall in, as problems say it. */
export const PLAUSIBLE_YEARS = '1980–2200';

/** True for an epoch-ms time in PLAUSIBLE_YEARS (false for NaN and infinities). */
export function isPlausibleTimeMs(ms: number): boolean {
  return ms >= MIN_MS && ms < MAX_MS;
}
