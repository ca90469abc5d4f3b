// Calls payments. Normal policy: one retry after 100 ms on 503 or a network error, 3 s timeout. The
// retry-storm fault is a config change: a 25 ms timeout (meant to be 250) and six immediate retries, so every slow
// charge is sent again at once and payments' load multiplies.
'use strict';
const { activeFaults } = require('../common/faults.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function chargeWithRetry(call, log, charge) {
  const storm = activeFaults.has('retry-storm');
  const attempts = storm ? 7 : 2;
  const timeoutMs = storm ? 25 : 3000;
  let last;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await call('payments', 'POST', '/charge', charge, { timeoutMs });
      if (res.status !== 503) return res;
      last = new Error(`payments answered 503: ${res.body?.error ?? ''}`);
    } catch (e) {
      last = e;
    }
    log.warn(`charge attempt ${attempt} for order ${charge.orderId} failed: ${last.message}`, { 'order.id': String(charge.orderId), attempt });
    if (!storm) await sleep(100);
  }
  throw last;
}

module.exports = { chargeWithRetry };
