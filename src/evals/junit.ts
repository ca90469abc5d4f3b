// JUnit XML for CI systems: one <testsuite> per suite (or "queryless-eval"), one <testcase> per case.
// Skipped cases carry <skipped message>, failed ones <failure>, errored ones <error>.
import type { CaseResult, EvalResult } from './run.js';

const esc = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function testcase(r: CaseResult): string {
  const name = esc(r.key);
  const cls = esc(`${r.suite ?? 'eval'}.${r.mode}`);
  const open = `    <testcase classname="${cls}" name="${name}" time="${(r.stats.ms / 1000).toFixed(3)}">`;
  const props = r.score
    ? `\n      <system-out>${esc(`truth=${r.truth?.service} fault=${r.truth?.fault} rank=${r.score.rank ?? '-'} ranked=${r.score.ranked.slice(0, 5).join(',')} kind=${r.score.kindMatch ?? 'n/a'} lang=${r.score.reportLang} tools=${r.stats.toolCalls} tokens=${r.stats.tokens ?? 0}`)}</system-out>`
    : '';
  const msg = esc(r.reasons.join(' | '));
  switch (r.status) {
    case 'pass':
      return `${open}${props}\n    </testcase>`;
    case 'skip':
      return `${open}\n      <skipped message="${msg}"/>\n    </testcase>`;
    case 'fail':
      return `${open}\n      <failure message="${msg}" type="eval">${msg}</failure>${props}\n    </testcase>`;
    default:
      return `${open}\n      <error message="${msg}" type="error">${msg}</error>\n    </testcase>`;
  }
}

export function renderJunit(res: EvalResult): string {
  const bySuite = new Map<string, CaseResult[]>();
  for (const r of res.cases) {
    const k = r.suite ?? 'queryless-eval';
    bySuite.set(k, [...(bySuite.get(k) ?? []), r]);
  }
  const suites = [...bySuite].map(([name, rs]) => {
    const count = (s: CaseResult['status']) => rs.filter((r) => r.status === s).length;
    const time = rs.reduce((a, r) => a + r.stats.ms, 0) / 1000;
    return `  <testsuite name="${esc(name)}" tests="${rs.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${time.toFixed(3)}" timestamp="${res.startedAt}">\n${rs.map(testcase).join('\n')}\n  </testsuite>`;
  });
  const all = res.cases;
  const n = (s: CaseResult['status']) => all.filter((r) => r.status === s).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="queryless eval" tests="${all.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skip')}">\n${suites.join('\n')}\n</testsuites>\n`;
}
