// Minimal argv parsing shared by commands: `--key value`, `--key=value`, boolean flags, positionals.
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string>;
  bools: Set<string>;
}

export function parseArgv(argv: string[], booleanFlags: string[] = []): ParsedArgs {
  const bools = new Set<string>();
  const flags: Record<string, string> = {};
  const positionals: string[] = [];
  const isBool = new Set(['help', 'h', 'json', 'version', ...booleanFlags]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2 && /[a-z]/i.test(a[1]!))) {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      if (eq >= 0) {
        flags[body.slice(0, eq)] = body.slice(eq + 1);
      } else if (isBool.has(body)) {
        bools.add(body);
      } else if (i + 1 < argv.length) {
        flags[body] = argv[++i]!;
      } else {
        throw new Error(`option --${body} needs a value`);
      }
    } else positionals.push(a);
  }
  return { positionals, flags, bools };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
