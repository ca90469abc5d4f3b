// Places an order: reserve stock, price it, charge it, store it, audit it.
'use strict';
const { startService, HttpError } = require('../common/http.js');
const { createPool } = require('../common/db.js');
const { chargeWithRetry } = require('./payment-client.js');
const { recordAudit } = require('./audit.js');

async function expect(res, what) {
  if (res.status >= 400) throw new HttpError(res.status >= 500 ? 502 : res.status, `${what} answered ${res.status}: ${res.body?.error ?? ''}`);
  return res.body;
}

let pool;
const svc = startService(
  'orders',
  {
    'POST /orders': async ({ body, call, log }) => {
      const { customerId, items, currency = 'EUR' } = body;
      if (!Number.isInteger(customerId) || !Array.isArray(items) || items.length === 0) throw new HttpError(400, 'an order needs customerId and items');
      await expect(await call('inventory', 'POST', '/reserve', { items }), 'inventory');
      const quote = await expect(await call('pricing', 'POST', '/quote', { items, currency }), 'pricing');
      const { rows } = await pool.query("INSERT INTO orders (customer_id, total_cents, currency, status) VALUES ($1, $2, $3, 'pending') RETURNING id", [customerId, typeof quote.total === 'number' ? quote.total : 0, currency]);
      const orderId = rows[0].id;
      let charged;
      try {
        charged = await chargeWithRetry(call, log, { orderId, amount: quote.total, currency });
      } catch (e) {
        throw new HttpError(502, `payment for order ${orderId} failed: ${e.message}`);
      }
      if (charged.status >= 400) {
        await pool.query("UPDATE orders SET status = 'rejected' WHERE id = $1", [orderId]);
        throw new HttpError(502, `payments rejected order ${orderId}: ${charged.body?.error ?? charged.status}`);
      }
      await pool.query("UPDATE orders SET status = 'paid' WHERE id = $1", [orderId]);
      await recordAudit(pool, orderId, items);
      log.info(`order ${orderId} placed`, { 'order.id': String(orderId), 'order.items': items.length });
      return { orderId, total: quote.total, currency };
    },
  },
  { onStop: () => pool.end() },
);
pool = createPool(svc.metrics, 'orders');
