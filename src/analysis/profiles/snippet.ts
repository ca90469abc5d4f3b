// Source snippets with line numbers, the extent of a function from its definition line, and
// per-line cost annotations.
export interface SnippetLine {
  line: number;
  text: string;
  /** Self and total cost of the line when the profile has line numbers. */
  flat?: number;
  cum?: number;
}

const BRACE_LANGS = /\.(go|java|kt|scala|cs|rs|js|mjs|cjs|jsx|ts|tsx|mts|c|cc|cpp|h|hpp|php)$/i;

/**
 * Last line (1-based) of the function defined at `start`: balanced braces for C-like languages,
 * indentation for Python/Ruby-like ones; capped at `max` lines.
 */
export function functionExtent(text: string, start: number, path: string, max = 60): number {
  const lines = text.split('\n');
  const last = Math.min(lines.length, start + max - 1);
  if (BRACE_LANGS.test(path)) {
    let depth = 0;
    let opened = false;
    for (let i = start - 1; i < last; i++) {
      // Strip strings and line comments so braces inside them do not count.
      const l = lines[i]!.replace(/\/\/.*$/, '').replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""');
      for (const ch of l) {
        if (ch === '{') {
          depth++;
          opened = true;
        } else if (ch === '}') depth--;
      }
      if (opened && depth <= 0) return i + 1;
    }
    return last;
  }
  const indent = (s: string) => s.length - s.trimStart().length;
  const base = indent(lines[start - 1] ?? '');
  let end = start;
  for (let i = start; i < last; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    if (indent(l) <= base && !/^\s*[)\]}]/.test(l)) break;
    end = i + 1;
  }
  return end;
}

export function snippetLines(text: string, start: number, end: number, costs?: Map<number, { flat: number; cum: number }>): SnippetLine[] {
  const lines = text.split('\n');
  const s = Math.max(1, start);
  const e = Math.min(lines.length, end);
  const out: SnippetLine[] = [];
  for (let i = s; i <= e; i++) {
    const c = costs?.get(i);
    const row: SnippetLine = { line: i, text: lines[i - 1]!.replace(/\t/g, '    ').slice(0, 240) };
    if (c) {
      row.flat = c.flat;
      row.cum = c.cum;
    }
    out.push(row);
  }
  return out;
}

/** Renders `  42 │ code` with optional self/total cost columns (blank where a line has no samples). */
export function renderSnippet(rows: SnippetLine[], fmt?: (v: number) => string, mark?: number): string {
  const width = String(rows[rows.length - 1]?.line ?? 0).length;
  const hasCosts = !!fmt && rows.some((r) => r.cum !== undefined);
  const cell = (r: SnippetLine, k: 'flat' | 'cum') => (r.cum !== undefined && fmt ? (r[k] ? fmt(r[k]!) : '.') : '');
  const fw = hasCosts ? Math.max(4, ...rows.map((r) => cell(r, 'flat').length)) : 0;
  const cw = hasCosts ? Math.max(5, ...rows.map((r) => cell(r, 'cum').length)) : 0;
  const header = hasCosts ? `${'self'.padStart(fw)} ${'total'.padStart(cw)}\n` : '';
  return (
    header +
    rows
      .map((r) => {
        const cost = hasCosts ? `${cell(r, 'flat').padStart(fw)} ${cell(r, 'cum').padStart(cw)} ` : '';
        return `${cost}${r.line === mark ? '>' : ' '}${String(r.line).padStart(width)} │ ${r.text}`;
      })
      .join('\n')
  );
}
