// A TCP proxy in front of one service that can delay every chunk it forwards, in both directions:
// the network-delay fault without root or tc netem. All of a service's callers reach it through its
// proxy from the start, so the topology does not change when the delay is switched on.
'use strict';
const net = require('node:net');

function startDelayProxy({ listenPort, targetPort }) {
  let delayMs = 0;
  const sockets = new Set();
  const pipe = (from, to) => {
    from.on('data', (chunk) => {
      if (delayMs === 0) return void to.write(chunk);
      from.pause();
      setTimeout(() => {
        to.write(chunk);
        from.resume();
      }, delayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    pipe(client, upstream);
    pipe(upstream, client);
  });
  return new Promise((resolve) =>
    server.listen(listenPort, '127.0.0.1', () =>
      resolve({
        setDelay(ms) {
          delayMs = ms;
        },
        close() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

module.exports = { startDelayProxy };
