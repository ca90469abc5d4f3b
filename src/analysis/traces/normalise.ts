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

/** Normalise a SQL/DB statement: literals and IN-lists become `?`, whitespace collapsed. */
export function normaliseStatement(sql: string, maxLen = 160): string {
  let t = sql.length > 4000 ? sql.slice(0, 4000) : sql;
  t = t.replace(/'(?:[^']|'')*'/g, '?');
  t = t.replace(/\$\d+/g, '?');
  t = t.replace(/(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?(?![A-Za-z_])/g, '?');
  t = t.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?…)');
  t = t.replace(/\s+/g, ' ').trim();
  return t.length > maxLen ? `${t.slice(0, maxLen - 1)}…` : t;
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
