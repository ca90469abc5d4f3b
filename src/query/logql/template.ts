// line_format templates: the part of Go's text/template that LogQL queries use — `{{.label}}`,
// `{{ __line__ }}`, string literals, and pipelines of Loki's string functions (`{{ .path | ToUpper }}`,
// `{{ default "-" .user }}`, `{{ trunc 20 .msg }}`). Control actions (if, range, with…) are refused by
// name. A missing label renders as the empty string, as in Loki.
import { LogQLError, LogQLUnsupportedError } from './errors.js';

type Arg = { kind: 'label'; name: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'line' } | { kind: 'timestamp' };
interface Command {
  fn?: string;
  args: Arg[];
}
type Part = string | Command[];

const FUNCS: Record<string, (args: string[]) => string> = {
  ToUpper: ([s]) => (s ?? '').toUpperCase(),
  upper: ([s]) => (s ?? '').toUpperCase(),
  ToLower: ([s]) => (s ?? '').toLowerCase(),
  lower: ([s]) => (s ?? '').toLowerCase(),
  Title: ([s]) => (s ?? '').replace(/\b\w/g, (c) => c.toUpperCase()),
  title: ([s]) => (s ?? '').replace(/\b\w/g, (c) => c.toUpperCase()),
  TrimSpace: ([s]) => (s ?? '').trim(),
  trim: ([s]) => (s ?? '').trim(),
  trimPrefix: ([p, s]) => ((s ?? '').startsWith(p ?? '') ? (s ?? '').slice((p ?? '').length) : (s ?? '')),
  trimSuffix: ([p, s]) => ((s ?? '').endsWith(p ?? '') && p ? (s ?? '').slice(0, -p.length) : (s ?? '')),
  default: ([d, s]) => (s ? s : (d ?? '')),
  replace: ([o, n, s]) => (s ?? '').split(o ?? '').join(n ?? ''),
  trunc: ([n, s]) => {
    const k = Number(n);
    const str = s ?? '';
    return k >= 0 ? str.slice(0, k) : str.slice(Math.max(0, str.length + k));
  },
  len: ([s]) => String([...(s ?? '')].length),
};

function tokenize(action: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+)/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < action.length && (m = re.exec(action))) out.push(m[1]!);
  return out;
}

function arg(tok: string): Arg {
  if (tok.startsWith('"')) return { kind: 'string', value: JSON.parse(tok) as string };
  if (tok.startsWith('`')) return { kind: 'string', value: tok.slice(1, -1) };
  if (tok === '__line__') return { kind: 'line' };
  if (tok === '__timestamp__') return { kind: 'timestamp' };
  if (/^\.[A-Za-z_]\w*$/.test(tok)) return { kind: 'label', name: tok.slice(1) };
  if (/^-?\d+(\.\d+)?$/.test(tok)) return { kind: 'number', value: Number(tok) };
  throw new LogQLUnsupportedError(`line_format argument "${tok}"`);
}

function parseAction(action: string): Command[] {
  const toks = tokenize(action);
  const first = toks[0];
  if (first && /^(if|else|end|range|with|define|template|block|break|continue)$/.test(first)) throw new LogQLUnsupportedError(`line_format action {{${first}}}`);
  const cmds: Command[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (!cur.length) throw new LogQLError(`line_format: empty command in {{${action}}}`);
    const [head, ...rest] = cur;
    if (head! in FUNCS) cmds.push({ fn: head, args: rest.map(arg) });
    else if (/^[A-Za-z_]\w*$/.test(head!) && head !== '__line__' && head !== '__timestamp__') throw new LogQLUnsupportedError(`line_format function ${head}`);
    else {
      if (rest.length) throw new LogQLError(`line_format: "${head}" is not a function in {{${action}}}`);
      cmds.push({ args: [arg(head!)] });
    }
    cur = [];
  };
  for (const t of toks) {
    if (t === '|') flush();
    else cur.push(t);
  }
  flush();
  return cmds;
}

/** Compiles a template into a function of (label lookup, current line, timestamp). */
export function compileTemplate(tpl: string): (get: (name: string) => string | undefined, line: string, tsMs: number) => string {
  const parts: Part[] = [];
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf('{{', i);
    if (open < 0) {
      parts.push(tpl.slice(i));
      break;
    }
    let text = tpl.slice(i, open);
    const close = tpl.indexOf('}}', open + 2);
    if (close < 0) throw new LogQLError(`line_format: unclosed action at character ${open + 1}`);
    let inner = tpl.slice(open + 2, close);
    // {{- and -}} trim the whitespace next to them.
    if (inner.startsWith('-')) {
      inner = inner.slice(1);
      text = text.replace(/\s+$/, '');
    }
    let next = close + 2;
    if (inner.endsWith('-')) {
      inner = inner.slice(0, -1);
      while (next < tpl.length && /\s/.test(tpl[next]!)) next++;
    }
    if (text) parts.push(text);
    if (!inner.trim().startsWith('/*')) parts.push(parseAction(inner.trim()));
    i = next;
  }
  return (get, line, tsMs) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      let prev: string | undefined;
      for (const c of p) {
        const vals = c.args.map((a) => (a.kind === 'label' ? (get(a.name) ?? '') : a.kind === 'line' ? line : a.kind === 'timestamp' ? new Date(tsMs).toISOString() : String(a.value)));
        if (prev !== undefined) vals.push(prev);
        prev = c.fn ? FUNCS[c.fn]!(vals) : vals[0]!;
      }
      out += prev ?? '';
    }
    return out;
  };
}
