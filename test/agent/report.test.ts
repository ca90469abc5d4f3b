import { describe, expect, it } from 'vitest';
import { renderJson, renderMarkdown } from '../../src/agent/report.js';
import { formatKeyed } from '../../src/agent/format.js';
import type { Report } from '../../src/agent/findings.js';
import { resolveHints } from '../../src/agent/hints.js';

function report(lang: string): Report {
  const findings: Report['findings'] = [
    {
      kind: 'error',
      service: 'checkout',
      title: 'INSERT INTO orders: pq: duplicate key value violates unique constraint "orders_pkey"',
      numbers: { count: 1234, share_of_errors: 0.873, error_rate: 0.21 },
      evidence: { traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'], query: { language: 'traceql', text: '{ resource.service.name = "checkout" && status = error }' }, link: 'http://grafana.test/explore?x=1' },
      score: 10,
    },
    {
      kind: 'latency',
      service: 'ride',
      title: 'SELECT driver_id FROM car_login WHERE car_id = $1',
      numbers: { p95_ms: 1534.5, p95_ms_baseline: 4.2, change: 364.4 },
      evidence: { query: { language: 'traceql', text: '{ name = "SELECT car_login" }' } },
      source: { repo: 'acme/ride', path: 'internal/store/login.go', startLine: 40, endLine: 52, snippet: 'rows, err := db.Query(`SELECT ...`)\n```\nfake fence', function: 'store.FindLogin' },
      score: 8,
    },
  ];
  const hints = resolveHints(findings, lang);
  return {
    question: 'q | with a pipe',
    lang,
    mode: 'playbook',
    window: { start: '2025-06-03T10:04:00.000Z', end: '2025-06-03T10:20:00.000Z' },
    baseline: { start: '2025-06-03T09:50:00.000Z', end: '2025-06-03T10:04:00.000Z' },
    suspects: [{ service: 'checkout', score: 12.5, parts: { own_errors: 9.6 }, evidence: ['83 error span(s) | pipe'] }],
    findings,
    hints,
    partial: ['metrics: no metric source'],
    stats: { toolCalls: 4, ms: 321 },
  };
}

describe('report rendering', () => {
  it('renders French with French numbers, dates, labels and hints', () => {
    const md = renderMarkdown(report('fr'));
    expect(md).toContain("# Enquête sur l'incident");
    expect(md).toContain('3 juin 2025');
    expect(md).toMatch(/1\u202f234|1\u00a0234|1 234/); // French thousands separator
    expect(md).toMatch(/87\s?%/);
    expect(md).toMatch(/1,53\s?s/);
    expect(md).toContain('Violation de clé unique');
    expect(md).toContain("Requête lente filtrant");
    expect(md).toContain('{ resource.service.name = "checkout" && status = error }');
    expect(md).toContain('[Ouvrir dans Grafana](http://grafana.test/explore?x=1)');
    expect(md).toContain('`acme/ride/internal/store/login.go` lignes 40–52');
    // Telemetry text cannot break the layout: pipes escaped in tables, fences neutralised in snippets.
    expect(md).toContain('83 error span(s) \\| pipe');
    expect(md).not.toMatch(/\n```\nfake fence/);
  });
  it('renders English and German with their own formats', () => {
    const en = renderMarkdown(report('en'));
    expect(en).toContain('# Incident investigation');
    expect(en).toContain('3 Jun 2025');
    expect(en).toContain('1,234');
    expect(en).toMatch(/\+36,440%/);
    const de = renderMarkdown(report('de'));
    expect(de).toContain('Verletzung eines eindeutigen Schlüssels');
    expect(de).toContain('1.234');
  });
  it('formats keyed numbers by convention', () => {
    expect(formatKeyed('p95_ms', 12.345, 'en')).toBe('12 ms');
    expect(formatKeyed('self_share', 0.5, 'es')).toMatch(/50\s?%/);
    expect(formatKeyed('per_second', 3.5, 'en')).toBe('3.5');
    expect(formatKeyed('duration_seconds', 90, 'en')).toBe('1.5 mins'); // Intl's en-GB short unit
  });
  it('neutralises HTML in telemetry text but keeps placeholders readable', () => {
    const r = report('en');
    r.findings[0]!.title = 'msg=<_> user=<*> <img src=x onerror=alert(1)>';
    const md = renderMarkdown(r);
    expect(md).toContain('msg=<_> user=<*> &lt;img src=x onerror=alert(1)>');
    expect(md).not.toContain('<img');
  });
  it('renders JSON', () => {
    expect(JSON.parse(renderJson(report('es'))).hints[0].title).toMatch(/clave única/);
  });
});

describe('finding titles in the report language', () => {
  it('translates message parts and formats their numbers for the locale; telemetry text stays as is', async () => {
    const { findingTitle } = await import('../../src/agent/report.js');
    const f: Report['findings'][number] = {
      kind: 'hot-function',
      service: 'ride',
      title: 'driver.Lookup uses 69.2% of ride CPU, +6364% per second vs baseline',
      message: [
        { key: 'msg_hot_function', args: { fn: 'driver.Lookup', pct: 69.2, service: 'ride', what: 'CPU' } },
        { key: 'msg_hot_change', args: { sign: '+', pct: 6364 } },
      ],
      numbers: {},
      evidence: {},
      score: 1,
    };
    expect(findingTitle(f, 'en')).toBe('driver.Lookup uses 69.2% of ride CPU, +6,364% per second vs baseline');
    expect(findingTitle(f, 'fr')).toMatch(/^driver\.Lookup consomme 69,2 % du CPU de ride, \+6\s364 % par seconde vs référence$/);
    expect(findingTitle(f, 'de')).toMatch(/^driver\.Lookup belegt 69,2 % der CPU von ride, \+6\.364 % pro Sekunde/);
    // Without a message (agent-written findings) the English title is kept.
    expect(findingTitle({ ...f, message: undefined }, 'fr')).toBe(f.title);
    const md = renderMarkdown({ ...report('es'), findings: [f] });
    expect(md).toContain('driver.Lookup usa el 69,2 % de la CPU de ride');
    // Suspect evidence lines too, when they come with messages.
    const withEv = renderMarkdown({
      ...report('fr'),
      suspects: [{ service: 'ride', score: 3, parts: {}, evidence: ['self time of "Lookup" 0.1 ms → 43.3 ms (median, 683 spans)'], evidenceMessages: [[{ key: 'ev_self_time', args: { op: 'Lookup', before: 0.1, after: 43.3, n: 683 } }]] }],
    });
    expect(withEv).toContain('temps propre de « Lookup » 0,1 ms → 43,3 ms (médiane, 683 spans)');
  });

  it('every message key exists in every language', async () => {
    const { readFileSync } = await import('node:fs');
    const load = (l: string) => JSON.parse(readFileSync(`prompts/i18n/${l}.json`, 'utf8')) as Record<string, unknown>;
    const en = Object.keys(load('en')).filter((k) => k.startsWith('msg_'));
    expect(en.length).toBeGreaterThanOrEqual(12);
    for (const l of ['fr', 'es', 'de']) expect(Object.keys(load(l)).filter((k) => k.startsWith('msg_')).sort()).toEqual(en.sort());
  });
});

describe('score parts in the report language', () => {
  it('labels known parts, strongest first, and shows a part no catalogue knows as its identifier', () => {
    const r = { ...report('fr'), suspects: [{ service: 'checkout', score: 12.5, parts: { future_part: 1.5, own_errors: 9.6, self_time: 2 }, evidence: [] }] };
    expect(renderMarkdown(r)).toContain('| erreurs propres 9,6\u00a0; temps propre 2\u00a0; future_part 1,5 |');
    // In a right-to-left report the English identifier is isolated from the Arabic around it.
    expect(renderMarkdown({ ...r, lang: 'ar' })).toContain('| أخطاء ذاتية 9.6، الوقت الذاتي 2، \u2068future_part\u2069 1.5 |');
    expect(renderJson(r)).toContain('"future_part": 1.5');
  });

  it('labels a suspect finding\'s numbers (its score parts) too', () => {
    const r = report('ja');
    r.findings = [{ kind: 'suspect', service: 'checkout', title: 'moved most vs baseline (score 3)', numbers: { score: 3, own_errors: 2.5, edge_wait: 0.5 }, evidence: {}, score: 3 }];
    const md = renderMarkdown(r);
    expect(md).toContain('- スコア: **3**');
    expect(md).toContain('- 自身のエラー: **2.5**');
    expect(md).toContain('- 呼び出しの待ち時間: **0.5**');
    expect(md).not.toMatch(/own errors|edge wait/);
  });

  it('shows a metric finding\'s signal as a translated label and value, not among the verbatim details', () => {
    const r = report('de');
    r.findings = [{ kind: 'metric-anomaly', service: 'ride', title: 'p99', numbers: { baseline: 0.01, window: 2.2 }, evidence: {}, score: 1, details: { metric: 'http_server_request_duration_seconds', signal: 'latency' } }];
    const md = renderMarkdown(r);
    expect(md).toContain('- Signal: **Latenz**');
    expect(md).toContain('metric=`http_server_request_duration_seconds`');
    expect(md).not.toContain('signal=');
    expect(JSON.parse(renderJson(r)).findings[0].details.signal).toBe('latency');
  });
});

describe('quantities in messages', () => {
  it('formats numeric message args with their unit for the locale', async () => {
    const { translateMessage } = await import('../../src/agent/report.js');
    const part = { key: 'msg_metric_p99', args: { metric: 'http_server_duration_seconds', service: 'ride', from: 0.00989, to: 2.22 }, units: { from: 'seconds', to: 'seconds' } };
    expect(translateMessage([part], 'fr')).toMatch(/^p99 de http_server_duration_seconds pour ride passé de 9,89\sms à 2,22\ss$/);
    expect(translateMessage([{ ...part, key: 'msg_metric_moved', args: { ...part.args, from: 0.0772, to: 1234.5 }, units: { from: 'per-second', to: 'per-second' } }], 'de')).toBe(
      'http_server_duration_seconds für ride änderte sich von 0,0772/s auf 1.234,5/s',
    );
  });
});
