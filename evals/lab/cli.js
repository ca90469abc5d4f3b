#!/usr/bin/env node
// `npm run lab -- record|suite|faults`: the incident lab's command line. The lab's dependencies
// (OpenTelemetry SDK, pg, the profiler) live in evals/lab/package.json and are installed on first use
// with `npm ci --prefix evals/lab`, so the main package stays lean.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const LAB_ROOT = __dirname;

function ensureDependencies() {
  if (fs.existsSync(path.join(LAB_ROOT, 'node_modules', '.package-lock.json'))) return;
  process.stderr.write('[lab] installing the lab dependencies (npm ci --prefix evals/lab)…\n');
  const r = spawnSync('npm', ['ci', '--prefix', LAB_ROOT, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci --prefix evals/lab failed: the lab needs its dependencies from the npm registry');
}

const USAGE = `usage:
  npm run lab -- record --fault KIND [--service NAME] [--seed N] --out DIR [--baseline SEC] [--duration SEC] [--rate RPS] [--warmup SEC]
  npm run lab -- suite [--out DIR] [--seed N] [--faults a,b,…] [--baseline SEC] [--duration SEC]
  npm run lab -- faults          list the fault kinds, their services and truth`;

async function main(argv) {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    strict: true,
    args: rest,
    options: {
      fault: { type: 'string' },
      service: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      baseline: { type: 'string', default: '60' },
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '12' },
      warmup: { type: 'string', default: '8' },
      faults: { type: 'string' },
    },
  });
  if (command === 'faults') {
    const { FAULTS } = require('./faults/catalog.js');
    for (const [k, d] of Object.entries(FAULTS)) console.log(`${k.padEnd(20)} ${d.services.join('|').padEnd(50)} ${d.summary}`);
    return;
  }
  if (command !== 'record' && command !== 'suite') throw Object.assign(new Error(USAGE), { usage: true });
  ensureDependencies();
  const { recordIncident } = require('./record.js');
  const { FAULTS } = require('./faults/catalog.js');
  const number = (flag, min) => {
    const v = Number(values[flag]);
    if (!Number.isFinite(v) || v < min) throw Object.assign(new Error(`--${flag} must be a number ≥ ${min}, got "${values[flag]}"\n${USAGE}`), { usage: true });
    return v;
  };
  const common = { seed: number('seed', 0), baselineSec: number('baseline', 1), faultSec: number('duration', 1), rate: number('rate', 0.1), warmupSec: number('warmup', 0) };
  if (command === 'record') {
    if (!values.fault || !values.out) throw Object.assign(new Error(`record needs --fault and --out\n${USAGE}`), { usage: true });
    await recordIncident({ ...common, fault: values.fault, service: values.service, out: values.out });
    return;
  }
  const outRoot = path.resolve(values.out ?? path.join(LAB_ROOT, '..', 'incidents', 'lab'));
  const kinds = values.faults ? values.faults.split(',') : Object.keys(FAULTS);
  for (const kind of kinds) {
    const { service } = require('./faults/catalog.js').resolveFault(kind);
    const out = path.join(outRoot, `${kind}-${service}-s${values.seed}`);
    if (fs.existsSync(path.join(out, 'incident.yaml'))) {
      process.stderr.write(`[lab] ${out} exists, skipped\n`);
      continue;
    }
    fs.rmSync(out, { recursive: true, force: true });
    await recordIncident({ ...common, fault: kind, out });
  }
}

// Exit codes: 2 usage, 3 PostgreSQL cannot start here (callers such as the smoke test skip on it), 1 other.
main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${e.usage ? '' : 'lab: '}${e.message}\n`);
  process.exit(e.usage ? 2 : e.name === 'PostgresUnavailable' ? 3 : 1);
});
