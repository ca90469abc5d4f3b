// Writes the order's audit trail on its own pooled connection. The pool-exhaustion fault is a leak:
// large orders return early (the "skip duplicate audit" shortcut) without releasing the client, so
// the pool drains and every later query waits for a connection until it times out.
'use strict';
const { activeFaults } = require('../common/faults.js');

async function recordAudit(pool, orderId, items) {
  const client = await pool.connect();
  if (activeFaults.has('pool-exhaustion') && items.length >= 3) {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM audit_log WHERE order_id = $1', [orderId]);
    if (rows[0].n === 0) return; // the client is never released
  }
  try {
    await client.query('INSERT INTO audit_log (order_id, event) VALUES ($1, $2)', [orderId, `placed with ${items.length} item(s)`]);
  } finally {
    client.release();
  }
}

module.exports = { recordAudit };
