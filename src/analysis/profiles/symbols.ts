// From a profile's function name to what a source search needs: the bare function name, its
// receiver or class, a package/directory hint, and definition patterns per language
// (Go, Java/Kotlin, Python, JavaScript/TypeScript, Rust, C#), plus `file:line` parsing of stack-trace
// locations.

export interface SymbolParts {
  /** The function or method name to find a definition for (closures resolved to their outer function). */
  func: string;
  /** Receiver type (Go) or class (Java, C#, Python, JS) when the name has one. */
  owner?: string;
  /** Package path or module hint (`github.com/acme/ride/internal/driver`), used to rank candidates by directory. */
  pkg?: string;
  /** Directory hint derived from the package (`internal/driver`). */
  dir?: string;
  /** File and line embedded in the name itself (Python/Node/pyroscope style `fn (file.py:12)`). */
  file?: string;
  line?: number;
}

const IDENT = /[A-Za-z_$][\w$]*/;

export function parseSymbol(raw: string): SymbolParts {
  let name = raw.trim();
  let file: string | undefined;
  let line: number | undefined;
  // Pyroscope SDK style `path/file.py:42 - handler` (Python, Ruby, Rust); line -1 means unknown.
  const dash = /^(\S+?):(-?\d+) - (.+)$/.exec(name);
  if (dash) {
    file = dash[1];
    line = Number(dash[2]) > 0 ? Number(dash[2]) : undefined;
    name = dash[3]!.replace(/\s*\[c function\]$/, '').replace(/^block (?:\(\d+ levels\) )?in /, '');
  }
  // Node (pyroscope-nodejs): `./index.ts:carSearchHandler:31`.
  const nodeFirst = /^(.+\.(?:m?[jt]sx?|cjs)):([^:]*):(\d+)$/.exec(name);
  if (nodeFirst) {
    file = nodeFirst[1];
    line = Number(nodeFirst[3]);
    name = nodeFirst[2] || '(anonymous)';
  }
  // `handler (/app/server.py:42)` or `handler /app/server.py:42` (py-spy, rbspy), `fn:file.js:12` (Node).
  const paren = file ? null : /^(.*?)\s+\(?([^\s()]+\.\w+)(?::(\d+))?\)?$/.exec(name);
  if (paren && /[/\\.]/.test(paren[2]!)) {
    name = paren[1]!;
    file = paren[2];
    line = paren[3] ? Number(paren[3]) : undefined;
  }
  const nodeStyle = /^([^:]*):([^:]+\.(?:m?[jt]sx?|cjs)):(\d+)(?::\d+)?$/.exec(name);
  if (nodeStyle) {
    name = nodeStyle[1] || '(anonymous)';
    file = nodeStyle[2];
    line = Number(nodeStyle[3]);
  }
  // Generic instantiations: Go `[...]`, Rust `<T>`, Java/C# `<T>`; lambda/closure suffixes.
  name = name.replace(/\[[^\]]*\]/g, '').replace(/<[^<>]*>/g, '');
  // Rust: crate::module::Type::method (maybe `{{closure}}`, hash suffix `::h0123abcd`).
  if (name.includes('::')) {
    const segs = name.split('::').filter((s) => s && !/^h[0-9a-f]{16}$/.test(s) && !/^\{\{closure\}\}$/.test(s) && s !== '{{closure}}');
    const fn = segs[segs.length - 1] ?? name;
    const owner = segs.length >= 2 && /^[A-Z]/.test(segs[segs.length - 2]!) ? segs[segs.length - 2] : undefined;
    return { func: fn.replace(/[^\w$]/g, ''), owner, pkg: segs.slice(0, -1).join('::'), dir: segs.slice(1, owner ? -2 : -1).join('/') || undefined, file, line };
  }
  // Go: import/path.(*Type).Method.func1 or import/path.Func.func2.3
  const slash = name.lastIndexOf('/');
  const goDot = name.indexOf('.', slash + 1);
  if (goDot > 0 && (slash >= 0 || /^[a-z][\w]*\.(\(\*?[\w]+\)\.|[A-Z])/.test(name) || /^main\./.test(name))) {
    const pkg = name.slice(0, goDot).replace(/%2e/gi, '.');
    let rest = name.slice(goDot + 1);
    let owner: string | undefined;
    const recv = /^\(\*?([\w]+)\)\.(.+)$/.exec(rest);
    if (recv) {
      owner = recv[1];
      rest = recv[2]!;
    }
    const parts = rest.split('.').filter((p) => !/^(func\d+|\d+|gowrap\d+|deferwrap\d+)$/.test(p));
    if (!owner && parts.length >= 2 && /^[A-Z]/.test(parts[0]!)) owner = parts[0];
    const func = parts[parts.length - 1] ?? rest;
    const segs = pkg.split('/');
    let dir: string | undefined;
    if (segs[0]!.includes('.') && segs.length > 3) dir = segs.slice(3).filter((s, i) => !(i === 0 && /^v\d+$/.test(s))).join('/');
    else if (!segs[0]!.includes('.') && segs.length > 1) dir = segs.slice(1).join('/');
    return { func, owner, pkg, dir, file, line };
  }
  // Java/Kotlin/C#/Python/JS dotted names: com.acme.Foo.bar, Foo$Inner.lambda$baz$0, Namespace.Class.Method, module.func.
  const cleaned = name.replace(/\(.*\)$/, '').replace(/\$\$Lambda.*$/, '');
  const dotted = cleaned.split(/[.#]/).filter(Boolean);
  let func = dotted[dotted.length - 1] ?? cleaned;
  const lambda = /^lambda\$(\w+)\$\d+$/.exec(func);
  if (lambda) func = lambda[1]!;
  func = func.replace(/^<|>$/g, '');
  let owner = dotted.length >= 2 ? dotted[dotted.length - 2]!.split('$')[0] : undefined;
  if (owner && !/^[A-Z]/.test(owner) && dotted.length >= 2) owner = owner === func ? undefined : owner;
  const pkgParts = dotted.slice(0, owner ? -2 : -1);
  const m = IDENT.exec(func);
  return { func: m ? m[0] : func, owner, pkg: pkgParts.join('.') || undefined, dir: pkgParts.join('/') || undefined, file, line };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Regexes that match a definition line of `func` (optionally with `owner`) in a file of this extension. */
export function definitionPatterns(ext: string, p: SymbolParts): RegExp[] {
  const f = esc(p.func);
  const o = p.owner ? esc(p.owner) : undefined;
  switch (ext) {
    case 'go':
      return o
        ? [new RegExp(`^\\s*func\\s*\\(\\s*\\w*\\s*\\*?\\s*${o}(\\[[^\\]]*\\])?\\s*\\)\\s*${f}\\s*[\\[(]`), new RegExp(`^\\s*func\\s+${o}\\s*[\\[(]`)]
        : [new RegExp(`^\\s*func\\s+${f}\\s*[\\[(]`), new RegExp(`^\\s*func\\s*\\([^)]*\\)\\s*${f}\\s*[\\[(]`)];
    case 'java':
    case 'kt':
    case 'scala':
      return [
        new RegExp(`^\\s*(?:@\\w+\\s+)*(?:(?:public|private|protected|static|final|synchronized|abstract|native|default|override|suspend|open|internal)\\s+)*(?:fun\\s+|def\\s+)?(?:<[^>]+>\\s*)?(?:[\\w.<>\\[\\], ?]+\\s+)?${f}\\s*\\(`),
      ];
    case 'cs':
      return [new RegExp(`^\\s*(?:\\[[^\\]]*\\]\\s*)*(?:(?:public|private|protected|internal|static|virtual|override|async|sealed|abstract|extern|unsafe|new|partial)\\s+)*[\\w.<>\\[\\],? ]+\\s+${f}\\s*(?:<[^>]*>)?\\s*\\(`)];
    case 'py':
      return [new RegExp(`^\\s*(?:async\\s+)?def\\s+${f}\\s*\\(`)];
    case 'rb':
      return [new RegExp(`^\\s*def\\s+(?:self\\.)?${f}\\b`)];
    case 'rs':
      return [new RegExp(`^\\s*(?:pub(?:\\([^)]*\\))?\\s+)?(?:const\\s+)?(?:async\\s+)?(?:unsafe\\s+)?(?:extern\\s+"[^"]*"\\s+)?fn\\s+${f}\\s*[<(]`)];
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'jsx':
    case 'ts':
    case 'tsx':
    case 'mts':
      return [
        new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${f}\\s*[<(]`),
        new RegExp(`^\\s*(?:export\\s+)?(?:const|let|var)\\s+${f}\\s*(?::[^=]+)?=\\s*(?:async\\s+)?(?:function\\b|\\(|[\\w$]+\\s*=>)`),
        new RegExp(`^\\s*(?:(?:public|private|protected|static|async|readonly|override|get|set)\\s+)*\\*?${f}\\s*(?:<[^>]*>)?\\s*\\([^)]*\\)\\s*(?::[^{]+)?\\{`),
        new RegExp(`^\\s*${f}\\s*[:=]\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*=>)`),
      ];
    default:
      return [new RegExp(`\\b${f}\\s*\\(`)];
  }
}

export const SOURCE_EXTENSIONS = ['go', 'java', 'kt', 'scala', 'cs', 'py', 'rb', 'rs', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'mts', 'c', 'cc', 'cpp', 'h', 'hpp', 'php'];

/** Source languages to search first for a symbol shape (Go symbols in .go files, etc.). */
export function likelyExtensions(raw: string): string[] {
  if (/^[\w.-]+(\/[\w.-]+)*\.(\(\*?\w+\)\.)?\w/.test(raw) && (raw.includes('/') || /\(\*?\w+\)/.test(raw) || raw.startsWith('main.'))) return ['go'];
  if (raw.includes('::')) return ['rs', 'cc', 'cpp', 'h'];
  if (/\.(py)\b/.test(raw)) return ['py'];
  if (/\.(m?[jt]sx?)\b/.test(raw)) return ['js', 'ts', 'mjs', 'cjs', 'jsx', 'tsx', 'mts'];
  if (/^(System|Microsoft)\./.test(raw)) return ['cs'];
  if (/^[a-z]+(\.[a-z]\w*)+\.[A-Z]\w*(\$\w+)*\.\w+/.test(raw)) return ['java', 'kt', 'scala'];
  return [];
}

/**
 * Parse a stack-trace location: `path/to/file.go:123`, `File "x.py", line 12`, `at Foo.bar (Foo.java:42)`,
 * `at fn (/app/src/x.ts:10:5)`. Returns undefined when the text has no file:line.
 */
export function parseLocation(text: string): { file: string; line?: number; function?: string } | undefined {
  const t = text.trim();
  const py = /File "([^"]+)", line (\d+)(?:, in (\S+))?/.exec(t);
  if (py) return { file: py[1]!, line: Number(py[2]), function: py[3] };
  const javaLike = /(?:at\s+)?([\w$.<>]+)\s*\(([\w$./\\-]+\.\w+):(\d+)(?::\d+)?\)/.exec(t);
  if (javaLike) return { file: javaLike[2]!, line: Number(javaLike[3]), function: javaLike[1] };
  const plain = /(?:^|\s|\()((?:[A-Za-z]:)?[\w@$~./\\+-]*[\w$-]\.[A-Za-z]\w*)(?::(\d+))?(?::\d+)?\)?$/.exec(t);
  if (plain) return { file: plain[1]!, line: plain[2] ? Number(plain[2]) : undefined };
  return undefined;
}

// Definition lines of any function, per language, capturing the name (for a bare file:line).
const ANY_DEFINITION: Record<string, RegExp> = {
  go: /^func\s*(?:\([^)]*\)\s*)?(\w+)\s*[[(]/,
  py: /^\s*(?:async\s+)?def\s+(\w+)\s*\(/,
  rb: /^\s*def\s+(?:self\.)?(\w+[?!]?)/,
  rs: /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)/,
  js: /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(\w+)|^\s*(?:export\s+)?(?:const|let)\s+(\w+)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)|^\s*(?:(?:public|private|protected|static|async)\s+)*(\w+)\s*\([^)]*\)\s*(?::[^{]+)?\{\s*$/,
  java: /^\s*(?:@\w+\s+)*(?:(?:public|private|protected|static|final|synchronized|abstract)\s+)+[\w<>[\], ?.]+\s+(\w+)\s*\([^;]*$/,
  cs: /^\s*(?:\[[^\]]*\]\s*)*(?:(?:public|private|protected|internal|static|virtual|override|async|sealed)\s+)+[\w<>[\],? .]+\s+(\w+)\s*(?:<[^>]*>)?\s*\([^;]*$/,
};
const EXT_FAMILY: Record<string, string> = { go: 'go', py: 'py', rb: 'rb', rs: 'rs', js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', tsx: 'js', mts: 'js', java: 'java', kt: 'java', scala: 'java', cs: 'cs' };
const JS_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'else']);

/** The function whose definition most closely precedes `line` (1-based): its name and definition line. */
export function enclosingFunction(text: string, line: number, path: string): { name: string; line: number } | undefined {
  const fam = EXT_FAMILY[path.slice(path.lastIndexOf('.') + 1).toLowerCase()];
  const re = fam ? ANY_DEFINITION[fam] : undefined;
  if (!re) return undefined;
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = re.exec(lines[i]!);
    const name = m?.slice(1).find(Boolean);
    if (name && !JS_KEYWORDS.has(name)) return { name, line: i + 1 };
  }
  return undefined;
}
