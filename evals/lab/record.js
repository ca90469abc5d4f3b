// Records one incident: a fresh PostgreSQL, the shop's services under load, a baseline, then one
// fault switched on, all telemetry received and written as a Queryless bundle with its truth.
'use strict';
const { fork, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const YAML = require('yaml');
const { startPostgres, seedShop, execSql } = require('./db/postgres.js');
const { startDelayProxy } = require('./net/delay-proxy.js');
const { startLoad } = require('./load/generator.js');
const { startReceiver } = require('./receiver/otlp-receiver.js');
const { MetricsStore } = require('./receiver/openmetrics.js');
const { resolveFault, truthOf, SERVICES } = require('./faults/catalog.js');

const LAB_ROOT = __dirname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (m) => process.stderr.write(`[lab ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function post(url, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(data);
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('error', reject);
  });
}

/** Starts a Node process with the OpenTelemetry preload (or without, for the external bank). */
function startProcess(name, script, env, { instrumented = true, cpu } = {}) {
  const execArgv = instrumented ? ['-r', path.join(LAB_ROOT, 'telemetry', 'otel.js')] : [];
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  if (cpu !== undefined) spawnSync('taskset', ['-pc', String(cpu), String(child.pid)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s: ${stderr}`)), 20000);
    child.on('message', (m) => {
      if (m?.ready) (clearTimeout(timer), resolve({ name, child, stderr: () => stderr }));
    });
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`${name} exited with ${code}: ${stderr}`))));
  });
}

function stopProcess(p) {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    const kill = setTimeout(() => p.child.kill('SIGKILL'), 10000);
    p.child.once('exit', () => (clearTimeout(kill), resolve()));
    p.child.kill('SIGTERM');
  });
}

/**
 * The competing process for cpu-contention: busy 40 ms, idle 40 ms, pinned to the victim's CPU when
 * taskset exists, and under root at nice -10. Linux favours a task that mostly sleeps, so a hog of
 * equal priority barely delays a light service; a higher-priority neighbour (a batch job started with
 * priority) does. The idle half leaves that CPU to the other services: on a two-core machine a hog
 * that never sleeps would starve every process that the scheduler moves off it.
 */
function startHog(cpu) {
  const busy = 'const s=new Int32Array(new SharedArrayBuffer(4));let x=0;for(;;){const e=Date.now()+40;while(Date.now()<e)x=(x*1103515245+12345)%2147483648;Atomics.wait(s,0,0,40)}';
  const args = [process.execPath, '-e', busy];
  if (cpu !== undefined) args.unshift('taskset', '-c', String(cpu));
  if (process.getuid?.() === 0) args.unshift('nice', '-n', '-10');
  return spawn(args[0], args.slice(1), { stdio: 'ignore' });
}

function hasTaskset() {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

function gzipFile(from, to) {
  fs.writeFileSync(to, zlib.gzipSync(fs.readFileSync(from), { level: 9 }));
  fs.rmSync(from);
}

function copyTree(from, to) {
  fs.cpSync(from, to, { recursive: true, filter: (p) => !p.includes('node_modules') });
}

const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);

/**
 * Records one incident into `out`. Options: fault, service, seed, baselineSec, faultSec, rate
 * (requests per second), warmupSec.
 */
async function recordIncident(opts) {
  const { kind, def, service } = resolveFault(opts.fault, opts.service);
  const seed = Number(opts.seed ?? 1);
  const baselineSec = Number(opts.baselineSec ?? 60);
  const faultSec = Number(opts.faultSec ?? 60);
  const warmupSec = Number(opts.warmupSec ?? 8);
  const rate = Number(opts.rate ?? 12);
  const out = path.resolve(opts.out);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new Error(`${out} is not empty: choose a new --out folder`);
  fs.mkdirSync(out, { recursive: true });
  const began = Date.now();
  const cleanups = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => say(`cleanup: ${e.message}`));
    cleanups.length = 0;
  };
  // Ctrl-C or a crash must not leave PostgreSQL and the services running.
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    say(`recording ${kind} in ${service} (seed ${seed}): ${def.summary}`);
    // The source the services run, copied before they start (edits made during a recording must not leak in).
    copyTree(path.join(LAB_ROOT, 'services'), path.join(out, 'source', 'services'));
    const pg = await startPostgres({ port: await freePort() });
    cleanups.push(() => pg.stop());
    await seedShop(pg.url);
    say('postgres ready and seeded');

    const receiver = await startReceiver({ port: await freePort(), outDir: out, labRoot: LAB_ROOT });
    cleanups.push(() => receiver.close());

    const pinned = hasTaskset() && os.cpus().length > 1 ? os.cpus().length - 1 : undefined;
    const ports = {};
    const proxies = {};
    const env = { LAB_OTLP_URL: receiver.url, LAB_DATABASE_URL: pg.url.replace(/\/postgres$/, '/postgres') };
    for (const s of [...SERVICES, 'bank']) {
      ports[s] = await freePort();
      const proxyPort = await freePort();
      proxies[s] = await startDelayProxy({ listenPort: proxyPort, targetPort: ports[s] });
      cleanups.push(async () => proxies[s].close());
      env[`LAB_URL_${s.toUpperCase()}`] = `http://127.0.0.1:${proxyPort}`;
    }
    const procs = [];
    cleanups.push(() => Promise.all(procs.map(stopProcess)));
    procs.push(await startProcess('bank', path.join(LAB_ROOT, 'services', 'bank', 'index.js'), { ...env, LAB_PORT: ports.bank }, { instrumented: false }));
    for (const s of SERVICES) {
      // cpu-contention: only the victim is pinned, to the CPU the hog will run on.
      const cpu = kind === 'cpu-contention' && s === service ? pinned : undefined;
      procs.push(await startProcess(s, path.join(LAB_ROOT, 'services', s, 'index.js'), { ...env, LAB_SERVICE: s, LAB_PORT: ports[s] }, { cpu }));
    }
    say(`services up: ${SERVICES.join(', ')} (+ bank, external)`);

    const metrics = new MetricsStore();
    const scrape = async () => {
      const now = Date.now();
      await Promise.all(
        SERVICES.map(async (s) => {
          const text = await get(`http://127.0.0.1:${ports[s]}/metrics`).catch(() => undefined);
          if (text) metrics.addScrape(text, now, { service: s, instance: `${s}-${procs.find((p) => p.name === s)?.child.pid}` });
        }),
      );
    };
    const scraper = setInterval(() => void scrape(), 5000);
    cleanups.push(async () => clearInterval(scraper));

    const load = startLoad({ port: ports.frontend, rate, seed });
    cleanups.push(async () => load.stop());
    await sleep(warmupSec * 1000);
    const baselineStart = Date.now();
    await scrape();
    say(`baseline for ${baselineSec} s at ${rate} req/s`);
    await sleep(baselineSec * 1000);

    const faultStart = Date.now();
    const hogs = [];
    cleanups.push(async () => hogs.forEach((h) => h.kill('SIGKILL')));
    if (def.how === 'code') await post(`http://127.0.0.1:${ports[service]}/__lab/fault`, { faults: [kind] });
    else if (def.how === 'proxy-delay') proxies[service].setDelay(60);
    else if (def.how === 'cpu-hog') hogs.push(startHog(pinned));
    else if (def.how === 'sql') await execSql(pg.url, def.sql);
    else if (def.how === 'bank') await post(`http://127.0.0.1:${ports.bank}/__lab/fault`, { faults: [kind] });
    say(`fault on: ${kind} in ${service} for ${faultSec} s`);
    await sleep(faultSec * 1000);
    const end = Date.now();
    await scrape();
    load.stop();
    hogs.forEach((h) => h.kill('SIGKILL'));
    await sleep(2000);
    await Promise.all(procs.map(stopProcess));
    procs.length = 0;
    await cleanup();

    gzipFile(path.join(out, 'traces', 'traces.jsonl'), path.join(out, 'traces', 'traces.json.gz'));
    gzipFile(path.join(out, 'logs', 'logs.jsonl'), path.join(out, 'logs', 'logs.json.gz'));
    fs.mkdirSync(path.join(out, 'metrics'), { recursive: true });
    fs.writeFileSync(path.join(out, 'metrics', 'metrics.om.gz'), zlib.gzipSync(metrics.toOpenMetrics(), { level: 9 }));

    const id = path.basename(out);
    const incident = {
      id,
      title: `Lab shop: ${kind} in ${service}`,
      system: 'lab-shop',
      window: { start: new Date(baselineStart).toISOString(), end: new Date(end).toISOString() },
      baseline: { start: new Date(baselineStart).toISOString(), end: new Date(faultStart).toISOString() },
      incident: { start: new Date(faultStart).toISOString(), end: new Date(end).toISOString() },
      questions: [
        { lang: 'en', text: `What went wrong in the shop since ${hhmm(faultStart)} UTC?` },
        { lang: 'fr', text: `Qu'est-ce qui ne va pas dans la boutique depuis ${hhmm(faultStart)} UTC ?` },
      ],
      truth: truthOf({ kind, def, service }),
      lab: {
        seed,
        rate_per_second: rate,
        baseline_seconds: baselineSec,
        fault_seconds: faultSec,
        requests: { ...load.stats },
        received: { ...receiver.counts },
        recording_seconds: Math.round((Date.now() - began) / 1000),
        node: process.version,
        recorder: 'evals/lab (npm run lab -- record)',
      },
    };
    fs.writeFileSync(path.join(out, 'incident.yaml'), YAML.stringify(incident));
    say(`wrote ${out} in ${incident.lab.recording_seconds} s: ${load.stats.sent} requests (${load.stats.failed} failed), ${receiver.counts.traceBatches} trace and ${receiver.counts.logBatches} log batches, ${receiver.counts.profiles} profiles`);
    return incident;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanup();
  }
}

module.exports = { recordIncident };
