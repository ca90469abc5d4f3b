// Charges orders through the bank (an external API, not ours: it is not instrumented). Payments
// serves a few charges at a time and sheds the rest with 503, as a rate-limited gateway does.
'use strict';
const { startService, HttpError } = require('../common/http.js');
const { createPool } = require('../common/db.js');

const MAX_IN_FLIGHT = 6;
let inFlight = 0;
let pool;
const svc = startService(
  'payments',
  {
    'POST /charge': async ({ body, call, log }) => {
      if (!Number.isInteger(body.amount) || body.amount < 0) throw new HttpError(422, `amount must be integer cents, got ${JSON.stringify(body.amount)}`);
      if (inFlight >= MAX_IN_FLIGHT) {
        log.warn(`shedding charge for order ${body.orderId}: ${inFlight} charges in flight`, { 'order.id': String(body.orderId) });
        throw new HttpError(503, 'payments busy, retry later');
      }
      inFlight++;
      try {
        const auth = await call('bank', 'POST', '/authorize', { amount: body.amount, currency: body.currency, reference: String(body.orderId) });
        if (auth.status !== 200) throw new Error(`bank authorization failed with HTTP ${auth.status}: ${auth.body?.error ?? ''}`);
        await pool.query("INSERT INTO payments (order_id, amount_cents, currency, status) VALUES ($1, $2, $3, 'authorized')", [body.orderId, body.amount, body.currency]);
        return { authorized: true, code: auth.body.code };
      } finally {
        inFlight--;
      }
    },
  },
  { onStop: () => pool.end() },
);
pool = createPool(svc.metrics, 'payments');
