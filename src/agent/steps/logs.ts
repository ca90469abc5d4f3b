// Playbook step for logs: for the suspect services, the log patterns that are new or surging vs the
// baseline and error-ish (kind `log-pattern`), with sample lines, counts, change, the LogQL and a link;
// for the top suspect with none of those, its prevailing steady error pattern.
import type { Finding, FindingStep, StepContext, StepResult } from '../findings.js';
import { fetchLines } from '../../analysis/logs/fetch.js';
import { patternShift, type PatternStat } from '../../analysis/logs/shift.js';
import { isErrorish } from '../../analysis/logs/level.js';
import { renderLogQL, serviceSelector } from '../../query/logql.js';
import { logqlExploreLink, logsDrilldownLink } from '../../links.js';
import { cleanLine } from '../../analysis/logs/fetch.js';

const LINES_PER_RANGE = 5000;
const MAX_SERVICES = 4;
const MAX_PER_SERVICE = 2;
/** Lines of a steady error pattern that make it worth showing for the top suspect. */
const MIN_STEADY_ERRORS = 3;

const round = (v: number, d = 4) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : 0);

/** Error-ish, or warn lines that are new: what an on-call person would want to see. Without any
 * baseline (a log file that starts at the incident), the error-ish patterns as they are. */
function worthReporting(p: PatternStat): boolean {
  if (p.status !== 'new' && p.status !== 'surging' && p.status !== 'no-baseline') return false;
  if (isErrorish(p.level)) return true;
  const errLines = Object.entries(p.levels).reduce((s, [l, n]) => s + (isErrorish(l) ? n : 0), 0);
  if (errLines >= 0.2 * p.count) return true;
  return p.level === 'warn' && p.status === 'new' && p.surprise >= 3;
}

function toFinding(p: PatternStat, ctx: StepContext): Finding {
  const query = renderLogQL({ selector: serviceSelector(p.service), patternInclude: [p.pattern] });
  const numbers: Record<string, number | string> = {
    lines: p.count,
    baseline_lines: p.baselineCount,
    rate_per_s: round(p.ratePerSec),
    baseline_rate_per_s: round(p.baselineRatePerSec),
    share_of_lines: round(p.share),
    status: p.status,
    level: p.level,
  };
  if (Number.isFinite(p.change)) numbers.change = round(p.change, 2);
  if (p.status === 'no-baseline') {
    // Nothing was measured before: a 0 there would read as "none before".
    delete numbers.baseline_lines;
    delete numbers.baseline_rate_per_s;
    delete numbers.change;
  }
  if (p.firstSeenMs !== undefined) numbers.first_seen = new Date(p.firstSeenMs).toISOString();
  if (p.lastSeenMs !== undefined) numbers.last_seen = new Date(p.lastSeenMs).toISOString();
  const pattern = cleanLine(p.pattern, 160).text;
  const what = p.status === 'new' ? 'New' : p.status === 'steady' ? 'Steady (already in the baseline)' : `Surging (×${Number.isFinite(p.change) ? p.change.toFixed(1) : '∞'})`;
  const nobase = p.status === 'no-baseline';
  return {
    kind: 'log-pattern',
    service: p.service,
    title: nobase ? `${p.level} log pattern (no baseline to compare with): ${pattern}` : `${what} ${p.level} log pattern: ${pattern}`,
    message: [
      nobase
        ? { key: 'msg_log_nobase', args: { level: p.level, pattern } }
        : p.status === 'new'
          ? { key: 'msg_log_new', args: { level: p.level, pattern } }
          : p.status === 'steady'
            ? { key: 'msg_log_steady', args: { level: p.level, pattern } }
            : { key: 'msg_log_surging', args: { factor: Number.isFinite(p.change) ? round(p.change, 1) : '∞', level: p.level, pattern } },
    ],
    numbers,
    evidence: {
      logLines: p.samples.slice(0, 3).map((s) => cleanLine(s, 400).text),
      traceIds: p.traceIds.length ? p.traceIds.slice(0, 5) : undefined,
      query: { language: 'logql', text: query },
      link: logqlExploreLink(ctx.sources.grafana, ctx.window, query) ?? logsDrilldownLink(ctx.sources.grafana, ctx.window, p.service, { level: isErrorish(p.level) ? p.level : undefined }),
    },
    score: p.score,
    details: { pattern: p.pattern, level: p.level },
  };
}

export const logsStep: FindingStep = async (ctx: StepContext): Promise<StepResult> => {
  const out: StepResult = { findings: [], partial: [], toolCalls: 0 };
  const logs = ctx.sources.logs;
  if (!logs) {
    out.partial.push('logs: no log source (set LOKI_URL or open a bundle with logs/)');
    return out;
  }
  let services = ctx.services.slice(0, MAX_SERVICES);
  try {
    if (!services.length) services = (await logs.services(ctx.window, ctx.signal)).slice(0, MAX_SERVICES * 3);
    out.toolCalls++;
    const perServiceLines = await Promise.all(
      services.map(async (service) => {
        const w = await fetchLines(logs, ctx.window, { service }, { limit: LINES_PER_RANGE, signal: ctx.signal });
        const b = ctx.baseline ? await fetchLines(logs, ctx.baseline, { service }, { limit: LINES_PER_RANGE, signal: ctx.signal }) : undefined;
        out.toolCalls += b ? 2 : 1;
        if (w.capped || b?.capped) out.partial.push(`logs: ${service} has more than ${LINES_PER_RANGE} lines per range; patterns mined from a sample`);
        return { w, b };
      }),
    );
    // A service with no baseline lines is new when the baseline holds other services' lines.
    const baselineHasData = perServiceLines.some(({ b }) => (b?.records.length ?? 0) > 0);
    const perService = perServiceLines.map(({ w, b }) => patternShift([...w.records, ...(b?.records ?? [])], ctx.window, ctx.baseline, { baselineHasData }));
    const found: Finding[] = [];
    for (const stats of perService) for (const p of stats.filter(worthReporting).slice(0, MAX_PER_SERVICE)) found.push(toFinding(p, ctx));
    // The top suspect's prevailing error pattern, even when the baseline already had it: a fault older
    // than the baseline looks steady, yet it is what the on-call person needs to read.
    const top = services[0];
    const topStats = perService[0] ?? [];
    if (top && !found.some((f) => f.service === top)) {
      const steady = topStats.filter((p) => p.status === 'steady' && isErrorish(p.level) && p.count >= MIN_STEADY_ERRORS).sort((a, b) => b.count - a.count)[0];
      if (steady) found.push(toFinding(steady, ctx));
    }
    out.findings.push(...found.sort((a, b) => b.score - a.score));
  } catch (e) {
    out.partial.push(`logs: ${(e as Error).message}`);
  }
  return out;
};
