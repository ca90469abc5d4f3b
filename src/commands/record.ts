// `queryless record`: turn a live incident into a recorded bundle (see src/evals/record.ts).
import { existsSync, readdirSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { parseTime } from '../util/time.js';
import { recordBundle, renderRecordSummary, RECORD_DEFAULTS } from '../evals/record.js';
import { parseArgv, UsageError } from './args.js';

export const RECORD_HELP = `Usage: queryless record --from T --to T [--baseline-from T] [--services a,b] -o DIR [options]

Pulls the window [baseline-from or from, to] from the configured live backends into an incident
bundle in DIR: traces (Tempo search + full traces, a bounded sample spread over the window, errors
first), logs (Loki query_range paged forward), metrics (Prometheus query_range per selected series →
OpenMetrics), profiles (Pyroscope SelectMergeProfile for baseline and incident → pprof), plus an
incident.yaml skeleton (window, baseline, incident; fill in questions and truth).

Times: RFC3339 (2025-06-03T10:04:00Z), unix seconds/ms, or relative (now-1h).
Options:
  --services a,b          only these services (default: all the backends know in the window)
  --max-traces N          default ${RECORD_DEFAULTS.maxTraces}
  --max-log-lines N       default ${RECORD_DEFAULTS.maxLogLines}
  --max-series N          default ${RECORD_DEFAULTS.maxSeries}
  --max-profile-types N   per service, default ${RECORD_DEFAULTS.maxProfileTypes}
  --max-bytes N           overall size cap, default ${RECORD_DEFAULTS.maxBytes}
  --step S                metrics resolution in seconds (default: 15s or coarser to stay under 11,000 points)
  --force                 write into a non-empty DIR
Backends: PROMETHEUS_URL, LOKI_URL, TEMPO_URL, PYROSCOPE_URL (or Grafana datasource proxy), see .env.example.
Exit code: 0 when every configured backend was recorded, 1 when one failed, 2 on usage errors.`;

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export async function recordCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv, ['force', 'quiet']);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(RECORD_HELP + '\n');
    return 0;
  }
  const f = { ...a.flags };
  const take = (k: string) => {
    const v = f[k];
    delete f[k];
    return v;
  };
  const out = take('o') ?? take('out') ?? a.positionals[0];
  const from = take('from');
  const to = take('to');
  if (!from || !to || !out) throw new UsageError('--from, --to and -o DIR are required.\n\n' + RECORD_HELP);
  const time = (v: string, name: string) => {
    try {
      return parseTime(v);
    } catch (e) {
      throw new UsageError(`--${name}: ${(e as Error).message}`);
    }
  };
  const baselineFromText = take('baseline-from');
  const services = take('services')?.split(',').map((s) => s.trim()).filter(Boolean);
  const opts = {
    from: time(from, 'from'),
    to: time(to, 'to'),
    baselineFrom: baselineFromText ? time(baselineFromText, 'baseline-from') : undefined,
    services,
    out,
    maxTraces: intFlag(take('max-traces'), 'max-traces'),
    maxLogLines: intFlag(take('max-log-lines'), 'max-log-lines'),
    maxSeries: intFlag(take('max-series'), 'max-series'),
    maxProfileTypes: intFlag(take('max-profile-types'), 'max-profile-types'),
    maxBytes: intFlag(take('max-bytes'), 'max-bytes'),
    stepSeconds: intFlag(take('step'), 'step'),
  };
  if (!(opts.to > opts.from)) throw new UsageError('--to must be after --from');
  if (opts.baselineFrom !== undefined && !(opts.baselineFrom < opts.from)) throw new UsageError('--baseline-from must be before --from');
  if (existsSync(out) && readdirSync(out).length && !a.bools.has('force')) throw new UsageError(`${out} is not empty; choose a new folder or pass --force`);
  const config = loadConfig(process.env, f);
  if (!Object.keys(config.backends).length) throw new UsageError('no live backend configured; set PROMETHEUS_URL, LOKI_URL, TEMPO_URL and/or PYROSCOPE_URL (or GRAFANA_URL with datasource UIDs)');
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  const summary = await recordBundle(config, { ...opts, signal: ac.signal, onProgress: a.bools.has('quiet') ? undefined : (l) => process.stderr.write(l + '\n') }).finally(() => process.off('SIGINT', onSig));
  process.stdout.write(renderRecordSummary(summary) + '\n');
  return summary.signals.some((s) => s.status === 'failed') ? 1 : 0;
}
