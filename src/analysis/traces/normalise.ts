// Normalisation of free text (error messages, SQL statements, URLs) so that occurrences that differ
// only by ids, numbers, quoted values, IPs, UUIDs or hex group together.

const RULES: Array<[RegExp, string]> = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi, '<url>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>'],
  [/\b(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}\b/gi, '<ip>'],
  [/\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g, '<email>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?(?![A-Za-z_])/g, '<n>'],
];

/** Mask variable parts of an error message. Quoted strings that look like identifiers are kept (constraint names). */
export function normaliseMessage(text: string, maxLen = 240): string {
  let t = text.length > 2000 ? text.slice(0, 2000) : text;
  // HTTP status codes are part of the error's identity, not a variable: protect them from the number rule.
  t = t.replace(/\b(HTTP|status|code)([ :=]+)([1-5]\d\d)\b/gi, (_, a: string, sep: string, c: string) => `${a}${sep}\u0001${[...c].map((d) => String.fromCharCode(106 + Number(d))).join('')}`);
  for (const [re, rep] of RULES) t = t.replace(re, rep);
  t = t.replace(/\u0001([j-s]{3})/g, (_, c: string) => [...c].map((x) => String(x.charCodeAt(0) - 106)).join(''));
  // Single-quoted literals are values (`'abc123'`); double-quoted are usually names (constraints, columns).
  t = t.replace(/'[^']*'/g, "'<v>'");
  t = t.replace(/\s+/g, ' ').trim();
  return t.length > maxLen ? `${t.slice(0, maxLen - 1)}…` : t;
}

const stmtCache = new Map<string, string>();

/**
 * Normalise a SQL/DB statement: literals ('…', numbers, $n placeholders) become `?`, lists of `?`
 * collapse to `(?…)`, whitespace collapses. A single character scan (no regexes): it runs once per
 * span in the analyses, so it must stay cheap. Only statements without inline literals are cached
 * (parametrised statements repeat exactly; ones with inline ids or values rarely do, and caching them
 * would only churn the cache); the cache never changes the result.
 */
export function normaliseStatement(sql: string, maxLen = 160): string {
  const hit = stmtCache.get(sql);
  if (hit !== undefined) return hit.length > maxLen ? `${hit.slice(0, maxLen - 1)}…` : hit;
  const src = sql.length > 4000 ? sql.slice(0, 4000) : sql;
  // Copy unchanged runs with slice(); only replacements build new pieces.
  let out = '';
  let literals = false;
  let run = 0;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    // Letters and most punctuation: nothing to do (the common case, tested first).
    if (c > 57 && c !== 95) {
      i++;
      continue;
    }
    if (c === 39) {
      // '…' with '' escapes
      if (i > run) out += src.slice(run, i);
      i++;
      while (i < n) {
        if (src.charCodeAt(i) === 39) {
          if (src.charCodeAt(i + 1) === 39) i += 2;
          else break;
        } else i++;
      }
      i++;
      out += '?';
      literals = true;
      run = i;
      continue;
    }
    if (c === 36 && isDigit(src.charCodeAt(i + 1))) {
      if (i > run) out += src.slice(run, i);
      i++;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      out += '?';
      run = i;
      continue;
    }
    if (c >= 48 && c <= 57 && (i === 0 || !isWord(src.charCodeAt(i - 1)))) {
      let j = i;
      while (j < n && (isDigit(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      if (j >= n || !isWord(src.charCodeAt(j))) {
        // A sign directly before the number belongs to the literal when it follows an operator or a separator.
        let from = i;
        const prev = src.charCodeAt(i - 1);
        if ((prev === 45 || prev === 43) && i - 1 >= run) {
          const before = i >= 2 ? src.charCodeAt(i - 2) : 32;
          if (before === 32 || before === 40 || before === 44 || before === 61 || before === 60 || before === 62) from = i - 1;
        }
        if (from > run) out += src.slice(run, from);
        out += '?';
        literals = true;
        i = j;
        run = i;
        continue;
      }
      i = j;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      let j = i + 1;
      while (j < n && (src.charCodeAt(j) === 32 || src.charCodeAt(j) === 9 || src.charCodeAt(j) === 10 || src.charCodeAt(j) === 13)) j++;
      if (c !== 32 || j > i + 1) {
        if (i > run) out += src.slice(run, i);
        out += ' ';
        run = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  if (run === 0) out = src;
  else if (n > run) out += src.slice(run, n);
  out = out.trim();
  if (out.includes('?,')) out = out.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?…)');
  if (!literals) {
    if (stmtCache.size > 5000) stmtCache.clear();
    stmtCache.set(sql, out);
  }
  return out.length > maxLen ? `${out.slice(0, maxLen - 1)}…` : out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Normalise a URL path or route: ids and numbers become `{id}`. */
export function normaliseRoute(path: string, maxLen = 120): string {
  let t = path.split('?')[0]!;
  t = t
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f-]{8,}$/i.test(seg) || (/\d/.test(seg) && seg.length > 12) ? '{id}' : seg))
    .join('/');
  return t.length > maxLen ? `${t.slice(0, maxLen - 1)}…` : t;
}
