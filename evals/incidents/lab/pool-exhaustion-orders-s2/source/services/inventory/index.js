// Stock reservations in PostgreSQL.
'use strict';
const { startService, HttpError } = require('../common/http.js');
const { createPool } = require('../common/db.js');
const { reserveStock } = require('./stock.js');
const { recountStock } = require('./recount.js');

let pool;
const svc = startService(
  'inventory',
  {
    'POST /reserve': async ({ body }) => {
      if (!Array.isArray(body.items) || body.items.length === 0) throw new HttpError(400, 'nothing to reserve');
      await reserveStock(pool, body.items);
      return { reserved: body.items.length };
    },
  },
  { onStop: () => pool.end() },
);
pool = createPool(svc.metrics, 'inventory', { max: 8 });
const recount = setInterval(() => recountStock(pool).catch((e) => svc.log.error(`stock recount failed: ${e.message}`)), 1000);
recount.unref();
