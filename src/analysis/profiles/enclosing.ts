// The named function around a line of source: profilers name closures and callbacks after their
// position (V8: `(anonymous:L#11:C#34)`, Python: `<lambda>`), which tells a reader nothing; the
// function that defines the callback is what a developer searches for and fixes.
import { functionExtent } from './snippet.js';

/** Frame names that carry no function name (V8's anonymous functions, Python lambdas, JS `<anonymous>`). */
export function isAnonymousName(name: string): boolean {
  return /^\(?<?anonymous\b|^<lambda>$|^\(anonymous\)$/i.test(name.trim());
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'await', 'typeof', 'new', 'else', 'do', 'try', 'with', 'super', 'constructor']);

// Named definitions per language family; group 1 is the name. Anonymous forms do not match.
const JS_DEFS = [
  /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/,
  /^\s*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)/,
  /^\s*(?:(?:public|private|protected|static|async|get|set|override|readonly)\s+)*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/,
];
const PY_DEFS = [/^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/];
const GO_DEFS = [/^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*[[(]/];
const RB_DEFS = [/^\s*def\s+(?:self\.)?([A-Za-z_]\w*[?!]?)/];

function defsFor(path: string): RegExp[] | undefined {
  if (/\.(js|mjs|cjs|jsx|ts|tsx|mts|cts)$/i.test(path)) return JS_DEFS;
  if (/\.py$/i.test(path)) return PY_DEFS;
  if (/\.go$/i.test(path)) return GO_DEFS;
  if (/\.rb$/i.test(path)) return RB_DEFS;
  return undefined;
}

/**
 * The innermost named function whose body spans `line` (1-based) in `text`, with its definition
 * line; undefined when the language is not known or no named definition encloses the line.
 */
export function enclosingFunction(text: string, line: number, path: string): { name: string; line: number } | undefined {
  const defs = defsFor(path);
  if (!defs) return undefined;
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const l = lines[i]!;
    let name: string | undefined;
    for (const re of defs) {
      const m = re.exec(l);
      if (m?.[1] && !KEYWORDS.has(m[1])) {
        name = m[1];
        break;
      }
    }
    if (!name) continue;
    // The definition must still be open at `line` (a function that ended above does not enclose it).
    if (functionExtent(text, i + 1, path, 2000) >= line) return { name, line: i + 1 };
  }
  return undefined;
}
