// Log templates for event patterns: log *statements*, mined per service.
//
// Masking alone (numbers, ids) leaves values that are words: a train type, a city, a user name. The
// workload mix then decides which "template" a line gets, and per-request event rates move with the
// mix instead of with the code path. Two steps fold values into statements:
// 1. the Drain-style miner (logs/miner.ts) learns positions that take many words;
// 2. sibling templates — same length, equal everywhere but one word — are folded into one statement
//    here, even with only two or three values (the miner keeps those apart for log_patterns, where
//    "Accepted"/"Failed" must stay two patterns). Words that carry an outcome or a level are never
//    folded, so a success line turning into a failure line is still two events.
// A line that names its code location (a logger's class and line, `file.go:123`, `module.py:42`) says
// which statement wrote it, exactly: the location is kept as part of the statement even where the
// miner would mask it as one variable token among many (two statements with the same text at
// different lines are two events: an exception between them makes one of them vanish).
import type { LogRecord } from '../../sources/types.js';
import { PatternMiner } from '../logs/miner.js';
import { WILDCARD } from '../logs/tokenize.js';

/** Characters of a line given to the miner (long payload dumps add nothing to the statement). */
const HEAD = 600;

/** Words that name an outcome or a level: a slot holding one is a branch, not a value. */
const OUTCOME =
  /^[[(]?(error|errors|err|warn|warning|fatal|critical|severe|info|debug|trace|fail|failed|failure|fails|success|successful|succeeded|ok|true|false|yes|no|null|none|empty|denied|refused|rejected|invalid|valid|missing|found|not|timeout|timed|exception|abort|aborted|cancel|cancelled|canceled)[\])]?[.,:;!]?$/i;

/** Part of a line searched for a code location (it is written by the log layout, before the message). */
const LOCATION_HEAD = 160;
/** A source file with its line (`OrderService.java:88`, `pkg/http/server.go:123`, `app/views.py:42`). */
const FILE_LINE = /(?<![\w./-])([\w./-]*[\w-]\.(?:java|kt|scala|groovy|go|py|rb|js|mjs|cjs|ts|tsx|jsx|cs|cpp|cc|cxx|c|h|hpp|rs|php|ex|exs|erl|swift|m|dart|lua)):(\d{1,6})\b/;
/** A class (dotted, capitalised last segment) with a line (`o.s.OrderServiceImpl#68`, `com.x.Foo:42`). */
const CLASS_LINE = /(?<![\w$.])((?:[\w$]+\.)*[A-Z][\w$]*(?:\.[\w$<>]+)?)[#:](\d{1,6})(?![\w.:])/;

/**
 * What each pattern above cannot match without (no look-behind, no leading repetition, so a few times
 * cheaper on lines that name no location, which are most): `.ext:digit`, and a capital starting a name
 * or a dotted segment followed by `#digit` or `:digit`. Tested first; the answer is the same.
 */
const FILE_LINE_NEEDS = /\.(?:java|kt|scala|groovy|go|py|rb|js|mjs|cjs|ts|tsx|jsx|cs|cpp|cc|cxx|c|h|hpp|rs|php|ex|exs|erl|swift|m|dart|lua):\d/;
const CLASS_LINE_NEEDS = /(?:^|[^\w$])[A-Z][\w$]*(?:\.[\w$<>]+)?[#:]\d/;

/** The code location a line names near its start, `file:line` or `Class#line`, if any. */
export function codeLocation(body: string): string | undefined {
  const head = body.slice(0, LOCATION_HEAD);
  const m = (FILE_LINE_NEEDS.test(head) ? FILE_LINE.exec(head) : null) ?? (CLASS_LINE_NEEDS.test(head) ? CLASS_LINE.exec(head) : null);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

function foldSiblings(templates: Map<number, string[]>): Map<number, string> {
  const ids = [...templates.keys()];
  const parent = new Map<number, number>(ids.map((i) => [i, i]));
  const find = (i: number): number => {
    let r = i;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(i, r);
    return r;
  };
  const slotOf = new Map<number, Set<number>>(); // root → positions folded to a wildcard
  const byKey = new Map<string, number>();
  for (const id of ids) {
    const toks = templates.get(id)!;
    for (let p = 0; p < toks.length; p++) {
      const t = toks[p]!;
      if (t.includes(WILDCARD) || OUTCOME.test(t) || !/[\p{L}]/u.test(t)) continue;
      const key = `${toks.length}\u0000${p}\u0000${toks.slice(0, p).join(' ')}\u0000${toks.slice(p + 1).join(' ')}`;
      const other = byKey.get(key);
      if (other === undefined) {
        byKey.set(key, id);
        continue;
      }
      const a = find(other);
      const b = find(id);
      const slots = new Set([...(slotOf.get(a) ?? []), ...(slotOf.get(b) ?? []), p]);
      if (a !== b) parent.set(b, a);
      slotOf.set(a, slots);
    }
  }
  const out = new Map<number, string>();
  for (const id of ids) {
    const root = find(id);
    const slots = slotOf.get(root);
    const toks = templates.get(root)!;
    out.set(id, slots ? toks.map((t, i) => (slots.has(i) ? WILDCARD : t)).join(' ') : toks.join(' '));
  }
  return out;
}

export function mineTemplates(records: LogRecord[]): (r: LogRecord) => string {
  const miners = new Map<string, PatternMiner>();
  const leafOf = new Map<LogRecord, number>();
  for (const r of records) {
    let m = miners.get(r.service);
    if (!m) miners.set(r.service, (m = new PatternMiner({ maxSamples: 1 })));
    leafOf.set(r, m.add(r.body.slice(0, HEAD)));
  }
  const text = new Map<string, Map<number, string>>();
  for (const [svc, m] of miners) {
    m.finish();
    text.set(svc, foldSiblings(new Map(m.clusters().map((c) => [c.id, c.tokens]))));
  }
  // Each feature asks for every record's statement: worked out once per record (the location regex).
  const statementOf = new Map<LogRecord, string>();
  return (r) => {
    const known = statementOf.get(r);
    if (known !== undefined) return known;
    const m = miners.get(r.service);
    const leaf = leafOf.get(r);
    if (!m || leaf === undefined) return r.body.slice(0, 200);
    const t = text.get(r.service)!.get(m.clusterOf(leaf)) ?? WILDCARD;
    const loc = codeLocation(r.body);
    const statement = loc ? `${loc} ${t}` : t;
    statementOf.set(r, statement);
    return statement;
  };
}
