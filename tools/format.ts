// Compact number formatting for tool text answers.
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)}min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 10) return `${ms.toFixed(0)}ms`;
  return `${ms.toFixed(1)}ms`;
}

export function fmtPct(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? `${x.toFixed(0)}/s` : x >= 1 ? `${x.toFixed(1)}/s` : `${x.toFixed(3)}/s`;
}

export function fmtChange(now: number, before: number | undefined): string {
  if (before === undefined || !Number.isFinite(before) || !Number.isFinite(now)) return '';
  if (before === 0) return now === 0 ? ' (=)' : ' (new)';
  const r = (now - before) / Math.abs(before);
  if (Math.abs(r) < 0.005) return ' (=)';
  return ` (${r > 0 ? '+' : ''}${(r * 100).toFixed(0)}%)`;
}

/** A fixed-width text table, for terminal and model alike. */
export function table(header: string[], rows: string[][]): string {
  // A loop, not Math.max(...rows): a table may have 100k+ rows (list_services on a big estate).
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
