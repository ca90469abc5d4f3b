// The table a fuzz campaign prints: cases per kind, how many had each kind of finding, and the first
// example of each (case kind × finding kind) with the command that re-runs it.
import type { Finding } from './run-case.js';

export interface CaseResult {
  spec: { index: number; kind: string; base: string; file?: string; note: string };
  findings: Finding[];
  ms: number;
}

export function summary(results: CaseResult[], seed: number): string {
  const kinds = [...new Set(results.map((r) => r.spec.kind))].sort();
  const all = ['uncaught', 'crash', 'hang', 'tool-exception', 'unclear-error', 'bad-output', 'silent-ignore', 'silent-partial', 'secret-leak', 'unbounded'];
  // The first seven columns always (the bundle campaign's table); the others when a case found them.
  const findingKinds = all.filter((k, i) => i < 7 || results.some((r) => r.findings.some((f) => f.kind === k)));
  const rows = [['case kind', 'cases', ...findingKinds]];
  for (const k of kinds) {
    const rs = results.filter((r) => r.spec.kind === k);
    rows.push([k, String(rs.length), ...findingKinds.map((f) => String(rs.filter((r) => r.findings.some((x) => x.kind === f)).length || '.'))]);
  }
  rows.push(['all', String(results.length), ...findingKinds.map((f) => String(results.filter((r) => r.findings.some((x) => x.kind === f)).length))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
  const examples: string[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const f of r.findings) {
      const key = `${r.spec.kind}/${f.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      examples.push(`- ${key}: case ${r.spec.index} (${r.spec.base}, ${r.spec.file ?? ''}: ${r.spec.note})\n    ${f.detail.replace(/\n/g, '\n    ')}`);
    }
  }
  const bad = results.filter((r) => r.findings.length).length;
  return `seed ${seed}: ${results.length} case(s), ${bad} with findings (a case counts once per finding kind)\n${table}\n${examples.length ? `\nfirst example of each case kind × finding kind (re-run one with --from N --cases 1 --keep):\n${examples.join('\n')}` : ''}`;
}
