// Collects /metrics scrapes (OpenMetrics text from prom-client) into one OpenMetrics document with
// timestamps, the form promtool backfills: each family's metadata once, then its samples in time order.
'use strict';

class MetricsStore {
  constructor() {
    this.families = new Map(); // name → { type, help, unit, samples: string[] }
  }

  /** Adds one scrape; `extraLabels` are added to every sample the way Prometheus adds job/instance. */
  addScrape(text, timestampMs, extraLabels) {
    const extra = Object.entries(extraLabels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
    const ts = (timestampMs / 1000).toFixed(3);
    let family;
    for (const line of text.split('\n')) {
      if (line === '' || line === '# EOF') continue;
      const meta = /^# (TYPE|HELP|UNIT) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        family = this.families.get(meta[2]) ?? { type: 'unknown', help: '', unit: '', samples: [] };
        this.families.set(meta[2], family);
        family[meta[1].toLowerCase()] = meta[3] ?? '';
        continue;
      }
      if (line.startsWith('#') || !family) continue;
      // name{labels} value [timestamp] [# exemplar]: keep name, labels and value; the scrape time is ours.
      const sample = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)/.exec(line.split(' # ')[0]);
      if (!sample) continue;
      const labels = sample[2] ? sample[2].slice(1, -1) : '';
      family.samples.push(`${sample[1]}{${[extra, labels].filter(Boolean).join(',')}} ${sample[3]} ${ts}`);
    }
  }

  toOpenMetrics() {
    const out = [];
    for (const [name, f] of this.families) {
      if (f.samples.length === 0) continue;
      out.push(`# TYPE ${name} ${f.type}`);
      if (f.unit) out.push(`# UNIT ${name} ${f.unit}`);
      if (f.help) out.push(`# HELP ${name} ${f.help}`);
      // Series stay together, each in time order (a stable sort keeps scrape order within a series).
      const series = (s) => s.slice(0, s.lastIndexOf(' ', s.lastIndexOf(' ') - 1));
      out.push(...[...f.samples].sort((a, b) => (series(a) < series(b) ? -1 : series(a) > series(b) ? 1 : 0)));
    }
    out.push('# EOF', '');
    return out.join('\n');
  }
}

module.exports = { MetricsStore };
