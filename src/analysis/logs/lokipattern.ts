// Loki's pattern line filter (`|> "…"` / `!> "…"`), reproduced exactly so that what we say a pattern
// matches is what Loki will match (grafana/loki pkg/logql/log/pattern: lexer.rl, ast.go, pattern.go).
//
// Syntax: `<name>` where name is `[A-Za-z_][A-Za-z0-9_]*` is a capture; everything else — including a
// `<` that does not open such a name, `<*>`, `<1>` — is literal text. There is no escape, so a literal
// `<nil>` cannot be written: it lexes as the named capture `nil`. Line filters accept only the unnamed
// capture `<_>` and no two captures in a row.
//
// Matching (Matcher.Test) is not a regex match: literals are searched left to right, each at its
// first occurrence after the previous one; a capture must take at least one character; the pattern
// must end where the line ends when it ends on a literal, and must leave text when it ends on a
// capture. The first literal may be found anywhere (Loki does not anchor it).

export type PatternPart = { lit: string } | { cap: string };

export class PatternSyntaxError extends Error {}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdent(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 95;
}

/** Length of the capture token at `i` (`<ident>`), or 0 when `<` there is a literal. */
export function captureAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 60) return 0;
  const c0 = s.charCodeAt(i + 1);
  if (!(isAlpha(c0) || c0 === 95)) return 0;
  let j = i + 2;
  while (j < s.length && isIdent(s.charCodeAt(j))) j++;
  return s.charCodeAt(j) === 62 ? j + 1 - i : 0;
}

/** Splits a pattern into literal runs and captures, as Loki's lexer does. */
export function parsePattern(pattern: string): PatternPart[] {
  const out: PatternPart[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; ) {
    const n = captureAt(pattern, i);
    if (n > 0) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ cap: pattern.slice(i + 1, i + n - 1) });
      i += n;
    } else {
      lit += pattern[i];
      i++;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

/** Why Loki would reject this `|>` pattern, or undefined when it is valid. */
export function lineFilterError(pattern: string): string | undefined {
  const parts = parsePattern(pattern);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('cap' in p && p.cap !== '_') return `named capture <${p.cap}> is not allowed in a line filter`;
    if ('cap' in p && i > 0 && 'cap' in parts[i - 1]!) return 'consecutive captures are not allowed';
  }
  return undefined;
}

/** A compiled `|>` filter: `test(line)` answers exactly as Loki's Matcher.Test. Throws on a pattern Loki rejects. */
export class LokiLineFilter {
  private readonly parts: PatternPart[];
  constructor(readonly pattern: string) {
    const err = lineFilterError(pattern);
    if (err) throw new PatternSyntaxError(`invalid pattern filter ${JSON.stringify(pattern.slice(0, 200))}: ${err}`);
    this.parts = parsePattern(pattern);
  }

  test(line: string): boolean {
    const e = this.parts;
    if (line.length === 0 || e.length === 0) return line.length === 0 && e.length === 0;
    let off = 0;
    for (let i = 0; i < e.length; i++) {
      const p = e[i]!;
      if (!('lit' in p)) continue;
      const j = line.indexOf(p.lit, off);
      if (j < 0) return false;
      // Found right where the previous literal ended: an empty capture (or a repeated literal).
      if (i !== 0 && j === off) return false;
      off = j + p.lit.length;
    }
    const endsOnCapture = 'cap' in e[e.length - 1]!;
    return endsOnCapture === (off !== line.length);
  }
}

const cache = new Map<string, LokiLineFilter | null>();

/** Whether Loki's `|> "pattern"` keeps this line (false for a pattern Loki would reject). */
export function lokiPatternMatches(line: string, pattern: string): boolean {
  let f = cache.get(pattern);
  if (f === undefined) {
    try {
      f = new LokiLineFilter(pattern);
    } catch {
      f = null;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, f);
  }
  return f !== null && f.test(line);
}
