// Continuous CPU profiling with @datadog/pprof: every period the running profile is cut, encoded as
// pprof (gzip) and sent to the lab receiver, which files it under profiles/<service>/.
'use strict';
const http = require('node:http');
const pprof = require('@datadog/pprof');

function startProfiler({ service, receiverUrl, periodMs = 10000 }) {
  pprof.time.start({ intervalMicros: 10000, durationMillis: periodMs, lineNumbers: true });
  const cut = async () => {
    const profile = pprof.time.stop(true);
    const body = await pprof.encode(profile);
    await postProfile(receiverUrl, service, body).catch((e) => process.stderr.write(`${service}: profile upload failed: ${e.message}\n`));
  };
  const timer = setInterval(() => void cut(), periodMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      const profile = pprof.time.stop(false);
      const body = await pprof.encode(profile);
      await postProfile(receiverUrl, service, body).catch(() => {});
    },
  };
}

function postProfile(receiverUrl, service, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(`/__lab/profiles?service=${encodeURIComponent(service)}`, receiverUrl);
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`receiver answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

module.exports = { startProfiler };
