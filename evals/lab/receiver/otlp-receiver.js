// Our OTLP/HTTP receiver: the services' exporters POST OTLP/JSON to /v1/traces and /v1/logs, the
// profiler POSTs pprof to /__lab/profiles. Everything is written in the bundle formats the Queryless
// loader reads: OTLP JSON Lines, pprof per service, OpenMetrics. Paths of the build machine are made
// relative to the lab folder, as a build from a checkout would show them.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');
const { Profile, StringTable, emptyTableToken } = require('pprof-format');

function relativize(labRoot) {
  const prefix = labRoot.endsWith('/') ? labRoot : `${labRoot}/`;
  const fileUrl = `file://${prefix}`;
  return (s) => (s.includes(prefix) ? s.split(fileUrl).join('').split(prefix).join('') : s);
}

/** Decodes a pprof profile (gzip or not) with its file names made relative by `rel`. */
function relativizeProfile(body, rel) {
  const raw = body[0] === 0x1f && body[1] === 0x8b ? zlib.gunzipSync(body) : body;
  const profile = Profile.decode(raw);
  // The string table caches its encoding: build a new one, index for index.
  const table = new StringTable(emptyTableToken);
  const strings = profile.stringTable.strings;
  const same = strings.every((str, i) => table.dedup(rel(str)) === i);
  if (same) profile.stringTable = table; // else two names became one: keep the original paths
  return profile;
}

function startReceiver({ port, outDir, labRoot }) {
  const rel = relativize(labRoot);
  fs.mkdirSync(path.join(outDir, 'traces'), { recursive: true });
  fs.mkdirSync(path.join(outDir, 'logs'), { recursive: true });
  const traces = fs.createWriteStream(path.join(outDir, 'traces', 'traces.jsonl'));
  const logs = fs.createWriteStream(path.join(outDir, 'logs', 'logs.jsonl'));
  const counts = { traceBatches: 0, logBatches: 0, profiles: 0, rejected: 0 };

  const writeProfile = (service, body) => {
    const profile = relativizeProfile(body, rel);
    const dir = path.join(outDir, 'profiles', service);
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date(Number(profile.timeNanos / 1000000n)).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    fs.writeFileSync(path.join(dir, `${service}-${stamp}.pb.gz`), zlib.gzipSync(profile.encode()));
    counts.profiles++;
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      try {
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const url = new URL(req.url, 'http://receiver');
        if (req.method === 'POST' && (url.pathname === '/v1/traces' || url.pathname === '/v1/logs')) {
          if (!/json/.test(req.headers['content-type'] ?? '')) throw new Error(`expected OTLP/JSON, got ${req.headers['content-type']}`);
          const line = rel(JSON.stringify(JSON.parse(body.toString('utf8'))));
          if (url.pathname === '/v1/traces') (traces.write(`${line}\n`), counts.traceBatches++);
          else (logs.write(`${line}\n`), counts.logBatches++);
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{}');
        }
        if (req.method === 'POST' && url.pathname === '/__lab/profiles') {
          const service = url.searchParams.get('service');
          if (!service || !/^[\w-]+$/.test(service)) throw new Error('profiles need ?service=NAME');
          writeProfile(service, body);
          res.writeHead(204);
          return res.end();
        }
        res.writeHead(404);
        res.end();
      } catch (e) {
        counts.rejected++;
        process.stderr.write(`receiver: ${req.url}: ${e.message}\n`);
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: e.message }));
      }
    });
  });

  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${port}`,
        counts,
        async close() {
          server.close();
          await Promise.all([new Promise((r) => traces.end(r)), new Promise((r) => logs.end(r))]);
        },
      }),
    ),
  );
}

module.exports = { startReceiver, relativize, relativizeProfile };
