// Services named in other services' error lines.
//
// A caller that cannot reach a dependency usually says which one: "No instances available for
// ts-food-service", "Connection refused: payments:8080", "UnknownHostException: cart". When error and
// warning lines that name a service become more frequent in the window than in the baseline, the
// named service is implicated even when it logs nothing itself (it may be down, restarting or
// unreachable), and the callers' lines are its symptoms.
import type { LogRecord, TimeRange } from '../../sources/types.js';

export interface NamedInErrors {
  /** Named service → Poisson z of window mentions vs the baseline's. */
  score: Map<string, number>;
  detail: Map<string, { window: number; baseline: number; example: string; by: string; emitters: Map<string, number> }>;
}

function inRange(t: number, r: TimeRange): boolean {
  return t >= r.start && t < r.end;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names too generic to be matched in free text. */
const MIN_NAME = 4;

/**
 * A matcher of known service names in text: the distinct names a line mentions, other than its own
 * service. Undefined when no name is long enough to match safely.
 */
export function serviceMentions(services: Iterable<string>): ((text: string, own: string) => string[]) | undefined {
  const names = [...new Set(services)].filter((s) => s.length >= MIN_NAME).sort((a, b) => b.length - a.length);
  if (names.length === 0) return undefined;
  // One alternation, longest names first, bounded by characters that cannot be part of a name.
  const re = new RegExp(`(?<![\\w-])(${names.map(escape).join('|')})(?![\\w-])`, 'g');
  return (text, own) => {
    const out = new Set<string>();
    for (const m of text.slice(0, 2000).matchAll(re)) if (m[1] !== own) out.add(m[1]!);
    return [...out];
  };
}

export function namedInErrors(
  records: LogRecord[],
  services: Iterable<string>,
  window: TimeRange,
  baseline: TimeRange,
  isError: (r: LogRecord) => boolean,
  ratio: number,
): NamedInErrors {
  const score = new Map<string, number>();
  const detail: NamedInErrors['detail'] = new Map();
  const namesIn = serviceMentions(services);
  if (!namesIn) return { score, detail };
  const counts = new Map<string, { w: number; b: number; example?: string; by?: string; emitters: Map<string, number> }>();
  for (const r of records) {
    const inW = inRange(r.timeMs, window);
    if (!inW && !inRange(r.timeMs, baseline)) continue;
    if (!isError(r)) continue;
    for (const named of namesIn(r.body, r.service)) {
      let c = counts.get(named);
      if (!c) counts.set(named, (c = { w: 0, b: 0, emitters: new Map() }));
      if (inW) {
        c.w++;
        c.emitters.set(r.service, (c.emitters.get(r.service) ?? 0) + 1);
        if (!c.example) {
          c.example = r.body.replace(/\s+/g, ' ').slice(0, 240);
          c.by = r.service;
        }
      } else c.b++;
    }
  }
  for (const [svc, c] of counts) {
    const expected = c.b * ratio;
    const z = (c.w - expected) / Math.sqrt(expected + 1);
    if (z <= 0 || !c.example) continue;
    score.set(svc, z);
    detail.set(svc, { window: c.w, baseline: c.b, example: c.example, by: c.by!, emitters: c.emitters });
  }
  return { score, detail };
}
