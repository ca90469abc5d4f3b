// A stand-in for the payment provider's API: an external dependency, so it is not instrumented and
// does not appear as a service in the telemetry. It answers in 15–35 ms plus 10 ms per request it is
// already serving (a provider slows under load, which is what lets retries feed on themselves); the
// failing-dependency fault makes it answer 503 (switched through /__lab/fault like the shop's services).
'use strict';
const http = require('node:http');

let failing = false;
let seq = 0;
let inFlight = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/__lab/fault') {
      failing = (JSON.parse(Buffer.concat(chunks).toString() || '{}').faults ?? []).includes('failing-dependency');
      res.writeHead(204);
      return res.end();
    }
    const delay = 15 + ((seq++ * 7919) % 21) + 10 * inFlight++;
    setTimeout(() => {
      inFlight--;
      if (failing) {
        res.writeHead(503, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'authorization service unavailable' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: `A${seq}` }));
    }, delay);
  });
});
server.listen(Number(process.env.LAB_PORT), '127.0.0.1', () => process.send?.({ ready: 'bank' }));
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
