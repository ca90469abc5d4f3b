// Reserves stock in one transaction. The lock-contention fault adds a running total on the warehouse
// row, updated first and held until commit: every reservation for that warehouse now queues on one
// row lock for the whole transaction.
'use strict';
const { activeFaults } = require('../common/faults.js');
const { pickWarehouse } = require('./warehouses.js');

async function reserveStock(pool, items) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (activeFaults.has('lock-contention')) {
      const units = items.reduce((n, i) => n + i.quantity, 0);
      await client.query('UPDATE warehouses SET reserved_total = reserved_total + $1 WHERE id = 1', [units]);
    }
    for (const item of items) {
      const warehouse = pickWarehouse(item);
      await client.query('UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND warehouse_id = $3', [item.quantity, item.productId, warehouse]);
    }
    // The reservation is checked against the day's limits before commit (a real, small read).
    await client.query('SELECT count(*) FROM stock WHERE quantity < 0 AND warehouse_id = 1');
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

module.exports = { reserveStock };
