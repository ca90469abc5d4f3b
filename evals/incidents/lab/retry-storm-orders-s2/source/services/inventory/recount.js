// A background job that keeps the warehouses' reserved totals in step with stock. The lock-contention
// fault is its rewrite into a row-by-row recount inside one transaction: every stock row of the north
// warehouse stays locked until COMMIT, so reservations of those products queue behind the job.
'use strict';
const { activeFaults } = require('../common/faults.js');
const { inTransaction } = require('../common/db.js');

function recountStock(pool) {
  return inTransaction(pool, async (client) => {
    if (activeFaults.has('lock-contention')) {
      for (let p = 0; p < 2000; p += 2) await client.query('UPDATE stock SET quantity = quantity WHERE warehouse_id = 1 AND product_id BETWEEN $1 AND $2', [p, p + 1]);
    }
    await client.query('UPDATE warehouses SET reserved_total = (SELECT sum(1000000 - quantity) FROM stock WHERE warehouse_id = warehouses.id)');
  });
}

module.exports = { recountStock };
