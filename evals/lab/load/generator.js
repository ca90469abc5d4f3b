// Open-loop load on the frontend: Poisson arrivals at a fixed rate, so a slow shop does not lower
// the offered load (a closed loop would hide the slowdown). Seeded, so a seed replays the same mix.
'use strict';
const http = require('node:http');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['books', 'games', 'garden', 'kitchen', 'music', 'sports', 'tools', 'toys'];

function nextRequest(rand) {
  const r = rand();
  if (r < 0.45) return { method: 'GET', path: `/home?category=${CATEGORIES[Math.floor(rand() * CATEGORIES.length)]}` };
  if (r < 0.75) return { method: 'GET', path: `/product/${1 + Math.floor(rand() * 2000)}` };
  const n = 1 + Math.floor(rand() * 4);
  const items = Array.from({ length: n }, () => ({ productId: 1 + Math.floor(rand() * 2000), priceCents: 100 + Math.floor(rand() * 9900), quantity: 1 + Math.floor(rand() * 3) }));
  return { method: 'POST', path: '/checkout', body: { customerId: 1 + Math.floor(rand() * 5000), items, currency: rand() < 0.8 ? 'EUR' : 'USD' } };
}

function startLoad({ port, rate, seed, maxInFlight = 150 }) {
  const rand = mulberry32(seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const stats = { sent: 0, ok: 0, failed: 0, dropped: 0 };
  let inFlight = 0;
  let stopped = false;
  const fire = () => {
    const spec = nextRequest(rand);
    if (inFlight >= maxInFlight) return void stats.dropped++;
    inFlight++;
    stats.sent++;
    const payload = spec.body ? Buffer.from(JSON.stringify(spec.body)) : undefined;
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, agent, timeout: 15000, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        if (res.statusCode < 400) stats.ok++;
        else stats.failed++;
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      inFlight--;
      stats.failed++;
    });
    req.end(payload);
  };
  const schedule = () => {
    if (stopped) return;
    fire();
    setTimeout(schedule, (-Math.log(1 - rand()) / rate) * 1000);
  };
  schedule();
  return {
    stats,
    stop() {
      stopped = true;
      agent.destroy();
    },
  };
}

module.exports = { startLoad, mulberry32 };
