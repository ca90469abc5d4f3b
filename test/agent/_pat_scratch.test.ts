import { it } from 'vitest';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { patternFeatures } from '../../src/analysis/suspects/patterns.js';
import { logLevel } from '../../src/analysis/suspects.js';
import { maskKey } from '../../src/analysis/logs/tokenize.js';
it('x', async () => {
  const [d, svc] = (process.env.PAT ?? '').split(':');
  const b = await openBundle(path.join('/work/shared/datasets/nezha-trainticket/dev', d!));
  const w = b.defaults.incident!, bl = b.defaults.baseline!;
  const whole = { start: bl.start, end: w.end };
  const t = await b.traces!.findTraces({ range: whole });
  const l = await b.logs!.queryLogs({ range: whole, limit: 100000, direction: 'forward' });
  const f = patternFeatures(t.spans, l.records, w, bl, (x) => maskKey(x.slice(0, 600)), (r) => logLevel(r) !== 'other');
  for (const s of svc!.split(',')) for (const c of f.detail.get(s) ?? []) console.log(s, c.z.toFixed(1), c.before.toFixed(2), c.after.toFixed(2), c.invocations, c.entry.slice(0, 50), '::', c.event.slice(0, 150));
}, 60000);
