// "Not covered" lines in the report language. The lines are produced in English (they also go to the
// JSON report, the logs and the model) by the steps, the playbook, the agent loop and the suspect
// ranking in src/analysis, which this layer does not edit. So the report matches each line against the
// English templates of the catalogue's `partial_lines` and fills the same template from the reader's
// catalogue. A line no template matches (a backend's own error, a bundle file problem) stays verbatim:
// it is data, like telemetry.
import { formatDate, formatNumber } from './format.js';
import { strings } from './i18n.js';

interface Template {
  key: string;
  re: RegExp;
  /** Literal characters: longer templates are tried first, so a specific line beats a generic one. */
  literal: number;
}

let compiled: Template[] | undefined;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A template's regular expression: each `{name}` captures (lazily), a repeated name must repeat. */
export function templateRegExp(template: string): RegExp {
  const seen = new Set<string>();
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    out += escapeRe(template.slice(last, m.index));
    const name = m[1]!;
    out += seen.has(name) ? `\\k<${name}>` : `(?<${name}>.+?)`;
    seen.add(name);
    last = m.index + m[0].length;
  }
  out += escapeRe(template.slice(last));
  return new RegExp(`^${out}$`, 's');
}

function templates(): Template[] {
  compiled ??= Object.entries((strings('en').partial_lines ?? {}) as Record<string, string>)
    .map(([key, text]) => ({ key, re: templateRegExp(text), literal: text.replace(/\{\w+\}/g, '').length }))
    .sort((a, b) => b.literal - a.literal);
  return compiled;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** One "Not covered" line in `lang` (verbatim when no template knows it). */
export function localisePartial(line: string, lang: string): string {
  const own = strings(lang).partial_lines as Record<string, string> | undefined;
  for (const t of templates()) {
    const m = t.re.exec(line);
    if (!m) continue;
    const target = own?.[t.key];
    if (!target) return line;
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      // Captured numbers and times are re-written in the reader's format; anything else is data.
      vars[k] = ISO.test(v) ? formatDate(v, lang) : /^\d+(\.\d+)?$/.test(v) ? formatNumber(Number(v), lang) : v;
    }
    return target.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);
  }
  return line;
}
