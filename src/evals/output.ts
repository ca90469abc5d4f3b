// Renderings of an eval run: terminal table, Markdown summary, and the stderr progress bar.
import { summarize, type CaseResult, type EvalResult, type RateSummary } from './run.js';

const pct = (r: RateSummary) => (r.n ? `${(r.rate * 100).toFixed(1)}% (${r.hits}/${r.n})` : 'n/a');
const mark = (v: boolean | undefined) => (v === undefined ? '·' : v ? '✓' : '✗');
const secs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`);

function cells(r: CaseResult): string[] {
  const s = r.score;
  return [
    r.status.toUpperCase(),
    r.key,
    r.truth?.service ?? '',
    s ? (s.rank ? `#${s.rank}` : '–') : '',
    s ? (s.ranked[0] ?? '–') : '',
    s ? mark(s.top3) : '',
    s ? mark(s.kindMatch) : '',
    s ? `${mark(s.span)}${mark(s.function)}${mark(s.file)}` : '',
    s ? `${mark(s.langOk)} ${s.reportLang}` : '',
    String(r.stats.toolCalls),
    r.stats.tokens !== undefined ? String(r.stats.tokens) : '',
    secs(r.stats.ms),
  ];
}

const HEAD = ['status', 'case', 'truth', 'rank', 'top suspect', 'top3', 'kind', 'sp/fn/file', 'lang', 'tools', 'tokens', 'time'];

function table(rows: string[][]): string {
  const width = HEAD.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(Math.max(0, width[i]! - [...c].length))).join('  ').trimEnd()).join('\n');
}

export function renderTable(res: EvalResult): string {
  const rows = [HEAD, ...res.cases.map(cells)];
  const out = [table(rows), ''];
  const reasons = res.cases.filter((r) => r.status !== 'pass' && r.reasons.length);
  for (const r of reasons) out.push(`${r.status.padEnd(5)} ${r.key}: ${r.reasons.join(' | ')}`);
  for (const r of res.cases.filter((c) => c.status === 'pass' && c.reasons.length)) out.push(`note  ${r.key}: ${r.reasons.join(' | ')}`);
  for (const r of res.cases) for (const i of r.replay?.issues.filter((x) => x.kind === 'drift') ?? []) out.push(`drift ${r.key}: ${i.message}`);
  for (const s of res.skippedPaths) out.push(`skipped ${s.path}: ${s.reason}`);
  if (reasons.length || res.skippedPaths.length) out.push('');
  const groups = groupTable(res);
  if (groups) out.push(groups, '');
  out.push(summaryLines(res).join('\n'));
  return out.join('\n');
}

/** One row of the per-group table: hits over applicable cases for each check. */
export interface GroupRow {
  system: string;
  mode: string;
  fault: string;
  n: number;
  top1: number;
  top3: number;
  kind: number;
  kindN: number;
  span: number;
  spanN: number;
  function: number;
  functionN: number;
  file: number;
  fileN: number;
  pass: number;
}

/** Scored cases by system, mode (playbook / agent) and fault type within them: every check, so a
 * method that only works on one system, one mode or one kind of fault shows at a glance. */
export function groupRows(res: EvalResult): GroupRow[] {
  const acc = new Map<string, GroupRow>();
  const count = (g: GroupRow, k: 'kind' | 'span' | 'function' | 'file', v: boolean | undefined) => {
    if (v === undefined) return;
    g[`${k}N`]++;
    if (v) g[k]++;
  };
  for (const r of res.cases) {
    if (!r.score || !r.truth) continue;
    const system = r.system ?? '(unnamed)';
    for (const fault of ['all', r.truth.fault]) {
      const k = `${system}\u0000${r.mode}\u0000${fault}`;
      let g = acc.get(k);
      if (!g) acc.set(k, (g = { system, mode: r.mode, fault, n: 0, top1: 0, top3: 0, kind: 0, kindN: 0, span: 0, spanN: 0, function: 0, functionN: 0, file: 0, fileN: 0, pass: 0 }));
      g.n++;
      if (r.score.rank === 1) g.top1++;
      if (r.score.top3) g.top3++;
      if (r.status === 'pass') g.pass++;
      count(g, 'kind', r.score.kindMatch);
      count(g, 'span', r.truth.span ? r.score.span : undefined);
      count(g, 'function', r.truth.function ? r.score.function : undefined);
      count(g, 'file', r.truth.file ? r.score.file : undefined);
    }
  }
  const modeOrder = (m: string) => (m === 'playbook' ? 0 : 1);
  return [...acc.values()].sort(
    (a, b) => a.system.localeCompare(b.system) || modeOrder(a.mode) - modeOrder(b.mode) || a.mode.localeCompare(b.mode) || (a.fault === 'all' ? -1 : b.fault === 'all' ? 1 : a.fault.localeCompare(b.fault)),
  );
}

const GROUP_HEAD = ['system', 'mode', 'fault', 'cases', 'top-1', 'top-3', 'fault kind', 'span', 'function', 'file', 'pass'];

function groupCells(g: GroupRow, f: (h: number, n: number) => string): string[] {
  return [g.system, g.mode, g.fault, String(g.n), f(g.top1, g.n), f(g.top3, g.n), f(g.kind, g.kindN), f(g.span, g.spanN), f(g.function, g.functionN), f(g.file, g.fileN), f(g.pass, g.n)];
}

function groupTable(res: EvalResult): string | undefined {
  const rows = groupRows(res);
  if (rows.length === 0) return undefined;
  const f = (h: number, n: number) => (n ? `${h}/${n} ${((h / n) * 100).toFixed(0)}%` : '–');
  const all = [GROUP_HEAD, ...rows.map((g) => groupCells(g, f))];
  const width = all[0]!.map((_, i) => Math.max(...all.map((r) => [...r[i]!].length)));
  return all.map((r) => r.map((c, i) => c + ' '.repeat(width[i]! - [...c].length)).join('  ').trimEnd()).join('\n');
}

/** Summary lines per mode, when a run has more than one (the overall lines mix them). */
function modeLines(res: EvalResult): string[] {
  const modes = [...new Set(res.cases.map((c) => c.mode))];
  if (modes.length < 2) return [];
  return modes.map((m) => {
    const s = summarize(res.cases.filter((c) => c.mode === m));
    return `${m}: top-1 ${pct(s.top1)}   fault kind ${pct(s.kind)}   span ${pct(s.span)}   function ${pct(s.function)}   file ${pct(s.file)}   pass ${pct(s.pass)}`;
  });
}

export function summaryLines(res: EvalResult): string[] {
  const s = res.summary;
  const lines = [
    `cases ${s.total}: ${s.passed} passed, ${s.total - s.passed - s.skipped - s.errors} failed, ${s.errors} errors, ${s.skipped} skipped`,
    `top-1 ${pct(s.top1)}   top-3 ${pct(s.top3)}   fault kind ${pct(s.kind)}   language ${pct(s.lang)}`,
    `span ${pct(s.span)}   function ${pct(s.function)}   file ${pct(s.file)}   pass ${pct(s.pass)}`,
    `time mean ${secs(Math.round(s.ms.mean))}, max ${secs(s.ms.max)}, total ${secs(s.ms.total)}; tool calls ${s.toolCalls}${s.tokens ? `; tokens ${s.tokens}` : ''}`,
    ...modeLines(res),
  ];
  const repeated = s.groups.filter((g) => g.runs > 1);
  for (const g of repeated) lines.push(`repeat ${g.key}: pass ${(g.passRate * 100).toFixed(0)}% of ${g.runs} runs (variance ${g.passVariance.toFixed(3)}), top-1 ${(g.top1Rate * 100).toFixed(0)}%, time ${Math.round(g.msMean)}±${Math.round(g.msStd)} ms`);
  for (const f of s.failures) lines.push(`THRESHOLD FAILED: ${f}`);
  return lines;
}

const escMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(res: EvalResult): string {
  const s = res.summary;
  const out = [
    `# Queryless eval${res.suites.length ? ` — ${res.suites.join(', ')}` : ''}`,
    '',
    `Run ${res.startedAt}. ${s.total} case(s): ${s.passed} passed, ${s.errors} errors, ${s.skipped} skipped.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| top-1 root-cause service | ${pct(s.top1)} |`,
    `| top-3 root-cause service | ${pct(s.top3)} |`,
    `| fault kind | ${pct(s.kind)} |`,
    `| span / function / file found | ${pct(s.span)} / ${pct(s.function)} / ${pct(s.file)} |`,
    `| report language | ${pct(s.lang)} |`,
    `| pass | ${pct(s.pass)} |`,
    `| time per case (mean / max) | ${Math.round(s.ms.mean)} ms / ${s.ms.max} ms |`,
    `| tool calls / tokens | ${s.toolCalls} / ${s.tokens} |`,
    '',
    `| ${HEAD.join(' | ')} | notes |`,
    `|${HEAD.map(() => '---').join('|')}|---|`,
    ...res.cases.map((r) => `| ${cells(r).map(escMd).join(' | ')} | ${escMd(r.reasons.join('; '))} |`),
  ];
  const groups = groupRows(res);
  if (groups.length) {
    const f = (h: number, n: number) => (n ? `${h}/${n}` : '–');
    out.push('', `| ${GROUP_HEAD.join(' | ')} |`, `|${GROUP_HEAD.map(() => '---').join('|')}|`);
    for (const g of groups) out.push(`| ${groupCells(g, f).map(escMd).join(' | ')} |`);
  }
  const repeated = s.groups.filter((g) => g.runs > 1);
  if (repeated.length) {
    out.push('', '| repeated case | runs | pass rate | variance | top-1 rate | time (ms) |', '|---|---|---|---|---|---|');
    for (const g of repeated) out.push(`| ${escMd(g.key)} | ${g.runs} | ${(g.passRate * 100).toFixed(0)}% | ${g.passVariance.toFixed(3)} | ${(g.top1Rate * 100).toFixed(0)}% | ${Math.round(g.msMean)} ± ${Math.round(g.msStd)} |`);
  }
  if (s.failures.length) out.push('', ...s.failures.map((f) => `**Threshold failed:** ${f}`));
  for (const p of res.skippedPaths) out.push('', `Skipped ${p.path}: ${p.reason}`);
  return out.join('\n') + '\n';
}

/** A one-line progress bar on stderr (redrawn in place on a TTY, one line per case otherwise). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, label: string) => void {
  const tty = Boolean(stream.isTTY);
  let lastDone = -1;
  return (done, total, label) => {
    const width = 24;
    const fill = total ? Math.round((done / total) * width) : 0;
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${done < total ? `running ${label}` : 'done'}`;
    if (tty) {
      stream.write(`\r\x1b[K${line.slice(0, (stream.columns ?? 120) - 1)}`);
      if (done === total) stream.write('\n');
    } else if (done !== lastDone) {
      stream.write(`${line}\n`);
    }
    lastDone = done;
  };
}
