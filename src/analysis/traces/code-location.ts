// Where in the code a span failed: OTel `code.*` attributes first, else the first application frame
// of the exception stack trace (Go, Java/JVM, Python, Node.js and .NET formats).
import type { Span } from '../../sources/types.js';

export interface CodeLocation {
  function?: string;
  file?: string;
  line?: number;
}

/** Frames from runtimes and libraries, which say where an error surfaced, not where the application caused it. */
const LIBRARY_FRAME = /^(runtime|reflect|sync|net\/http|database\/sql|internal\/|github\.com\/lib\/pq|google\.golang\.org|go\.opentelemetry\.io|java\.|javax\.|jdk\.|sun\.|kotlin\.|org\.springframework|org\.postgresql|org\.hibernate|io\.netty|node:|System\.|Microsoft\.)/;
const LIBRARY_FILE = /(\/usr\/(local\/)?(lib|go)\/|\/go\/pkg\/mod\/|\/vendor\/|node_modules\/|site-packages\/|dist-packages\/|^node:|\/lib\/python\d)/;

function firstString(attrs: Span['attributes'], keys: string[]): string | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined && v !== '') return String(v);
  }
  return undefined;
}

function fromAttributes(s: Span): CodeLocation | undefined {
  const a = s.attributes;
  let fn = firstString(a, ['code.function.name', 'code.function']);
  const ns = firstString(a, ['code.namespace']);
  if (fn && ns && !fn.includes(ns)) fn = `${ns}.${fn}`;
  const file = firstString(a, ['code.file.path', 'code.filepath']);
  const line = Number(firstString(a, ['code.line.number', 'code.lineno']));
  if (!fn && !file) return undefined;
  return { function: fn, file, line: Number.isFinite(line) && line > 0 ? line : undefined };
}

/** Parses a stack trace and returns its first application frame. */
export function firstApplicationFrame(stack: string): CodeLocation | undefined {
  const lines = stack.split('\n');
  const frames: CodeLocation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    let m: RegExpExecArray | null;
    if ((m = /^at (?:async )?(.+?) \((.+?):(\d+)(?::\d+)?\)$/.exec(l))) frames.push({ function: m[1], file: m[2], line: Number(m[3]) }); // Node.js
    else if ((m = /^at ([\w$.<>]+)\(([\w$.-]+):(\d+)\)$/.exec(l))) frames.push({ function: m[1], file: m[2], line: Number(m[3]) }); // JVM
    else if ((m = /^at (.+?) in (.+?):line (\d+)$/.exec(l))) frames.push({ function: m[1], file: m[2], line: Number(m[3]) }); // .NET
    else if ((m = /^File "(.+?)", line (\d+), in (.+)$/.exec(l))) frames.push({ function: m[3], file: m[1], line: Number(m[2]) }); // Python
    else if ((m = /^(\S.*\))$/.exec(l)) && i + 1 < lines.length) {
      // Go: "pkg.(*T).Method(args)" then "\t/path/file.go:37 +0x1d".
      const next = /^\s*(\S+\.go):(\d+)/.exec(lines[i + 1]!);
      if (next) {
        frames.push({ function: m[1]!.replace(/\(0x[^)]*\)$|\([^()]*\)$/, ''), file: next[1], line: Number(next[2]) });
        i++;
      }
    }
  }
  // Python prints the innermost frame last; the others print it first.
  const ordered = /Traceback \(most recent call last\)/.test(stack) ? frames.reverse() : frames;
  return ordered.find((f) => !(f.function && LIBRARY_FRAME.test(f.function)) && !(f.file && LIBRARY_FILE.test(f.file)));
}

export function codeLocationOf(s: Span): CodeLocation | undefined {
  const attr = fromAttributes(s);
  if (attr?.file && attr.function) return attr;
  for (const e of s.events) {
    const st = e.attributes['exception.stacktrace'];
    if (typeof st === 'string') {
      const f = firstApplicationFrame(st);
      if (f) return { function: attr?.function ?? f.function, file: attr?.file ?? f.file, line: attr?.line ?? f.line };
    }
  }
  return attr;
}
