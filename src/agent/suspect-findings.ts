// Findings made from the suspect ranking's evidence, for the top suspects that no signal step spoke
// about: a log statement that changed per request (log-pattern), a code path that changed per request
// (code-path: an exception that cuts a handler short, a wrong return value that changes what the caller
// does next), or, failing both, the suspect itself with its strongest evidence.
import { renderLogQL, serviceSelector } from '../query/logql.js';
import type { Finding } from './findings.js';
import type { Sources } from '../sources/types.js';
import type { SuspectsResult } from '../analysis/suspects/index.js';
import { withoutPropagated } from '../analysis/suspects/patterns.js';
import { eventLabel } from '../analysis/suspects/event-label.js';

type RankedSuspect = SuspectsResult['suspects'][number];

/** How far a per-request change must sit from the baseline's rate to be reported on its own (z units). */
const MIN_Z = 3;

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const serviceSpans = (service: string) => `resource.service.name = "${esc(service)}"`;

/** A finding for a suspect service, used when no signal step produced anything about it. */
export function suspectFinding(s: RankedSuspect, sources: Sources): Finding {
  const query = sources.traces
    ? { language: 'traceql' as const, text: `{ ${serviceSpans(s.service)} }` }
    : sources.logs
      ? { language: 'logql' as const, text: `{service_name="${esc(s.service)}"} |~ "(?i)(error|warn|exception)"` }
      : undefined;
  return {
    kind: 'suspect',
    service: s.service,
    title: s.evidence[0] ?? `moved most vs baseline (score ${s.score})`,
    message: s.evidenceMessages[0] ?? [{ key: 'ev_moved', args: { score: s.score } }],
    numbers: { score: s.score, ...s.parts },
    evidence: { query, logLines: s.evidence.slice(1, 4) },
    score: s.score,
    details: Object.fromEntries(s.evidence.slice(0, 4).map((e, i) => [`evidence_${i + 1}`, e])),
  };
}

/**
 * A log-pattern finding from a suspect's per-request event change: a log statement that (nearly)
 * stopped, or an error path that appeared, per invocation of the same entry operation. This is how a
 * fault that raises no error shows in logs (an exception that cuts a handler short, a wrong branch).
 */
export function statementFinding(s: RankedSuspect, sources: Sources): Finding | undefined {
  const c = s.patterns?.find((p) => p.event.startsWith('log ') && Math.abs(p.z) >= MIN_Z);
  if (!c) return undefined;
  const template = withoutPropagated(c.event.slice(4));
  const pattern = template.split('<*>').join('<_>');
  const query = sources.logs ? { language: 'logql' as const, text: renderLogQL({ selector: serviceSelector(s.service), patternInclude: [pattern] }) } : undefined;
  const gone = c.z < 0;
  return {
    kind: 'log-pattern',
    service: s.service,
    title: `per "${c.entry}" request, log line "${template.slice(0, 160)}" ${c.before.toFixed(2)} → ${c.after.toFixed(2)} times`,
    message: [{ key: gone ? 'msg_statement_gone' : 'msg_statement_more', args: { entry: c.entry.slice(0, 100), line: template.slice(0, 160), before: Math.round(c.before * 100) / 100, after: Math.round(c.after * 100) / 100 } }],
    numbers: { per_request_before: Math.round(c.before * 1000) / 1000, per_request_after: Math.round(c.after * 1000) / 1000, requests: c.invocations, z: Math.round(c.z * 10) / 10 },
    evidence: { query },
    score: Math.min(1, Math.abs(c.z) / 10),
    // The direction is in the message and the numbers; details hold only telemetry (shown verbatim).
    details: { pattern, entry: c.entry },
  };
}

/**
 * A code-path finding: the service's code now does something else per request, seen in the traces
 * without any error or log line (Nezha's OnlineBoutique records neither span status nor, mostly, logs):
 * an operation or call that ran N times per invocation of the same entry operation now runs M times
 * (a handler cut short by an exception, a branch not taken), or what the service (or its caller, after
 * its answer) does next changed (a wrong return value that sends the next step elsewhere). Only changes
 * at least MIN_Z from the baseline's rate count.
 */
export function codePathFinding(s: RankedSuspect, sources: Sources): Finding | undefined {
  const op = s.patterns?.find((p) => !p.event.startsWith('log ') && Math.abs(p.z) >= MIN_Z);
  const traceQuery = (text: string) => (sources.traces ? { language: 'traceql' as const, text } : undefined);
  if (op) {
    const gone = op.z < 0;
    // The event (an operation of the service, or a call out) as the evidence lines name it.
    const label = eventLabel(op.event, 160);
    return {
      kind: 'code-path',
      service: s.service,
      title: `per "${op.entry}" request, "${label.english}" ${op.before.toFixed(2)} → ${op.after.toFixed(2)} times`,
      message: [
        {
          key: gone ? 'msg_code_path_less' : 'msg_code_path_more',
          args: { entry: op.entry.slice(0, 100), event: op.event.slice(0, 160), before: Math.round(op.before * 100) / 100, after: Math.round(op.after * 100) / 100 },
          parts: { event: label.message },
        },
      ],
      numbers: { per_request_before: Math.round(op.before * 1000) / 1000, per_request_after: Math.round(op.after * 1000) / 1000, requests: op.invocations, z: Math.round(op.z * 10) / 10 },
      evidence: { query: traceQuery(`{ ${serviceSpans(s.service)} && name = "${esc(op.entry)}" }`) },
      score: Math.min(1, Math.abs(op.z) / 10),
      details: { entry: op.entry, event: op.event },
    };
  }
  // What follows a step changed: the ranking's evidence line for it (already translatable).
  const z = s.raw.transition_z ?? 0;
  const i = s.evidenceMessages.findIndex((m) => m[0]?.key === 'ev_transition_own' || m[0]?.key === 'ev_transition_after');
  if (i < 0 || !(z >= MIN_Z)) return undefined;
  const args = s.evidenceMessages[i]![0]!.args ?? {};
  const emitter = String(args.emitter ?? s.service);
  // The emitter's steps right under the service's answer (or the service's own steps).
  const text = emitter === s.service ? `{ ${serviceSpans(s.service)} }` : `{ ${serviceSpans(emitter)} } > { ${serviceSpans(s.service)} }`;
  return {
    kind: 'code-path',
    service: s.service,
    title: s.evidence[i]!,
    message: s.evidenceMessages[i]!,
    numbers: { share_before_percent: Number(args.before), share_after_percent: Number(args.after), times: Number(args.n), z: Math.round(z * 10) / 10 },
    evidence: { query: traceQuery(text) },
    score: Math.min(1, z / 10),
    details: { after: String(args.from ?? ''), next: String(args.to ?? ''), seen_from: emitter },
  };
}
