// Product listings and details, read from PostgreSQL.
'use strict';
const { startService, HttpError } = require('../common/http.js');
const { createPool } = require('../common/db.js');
const { listByCategory, productById } = require('./queries.js');

let pool;
const svc = startService(
  'catalog',
  {
    'GET /products': async ({ query }) => {
      const category = query.get('category');
      if (!category) throw new HttpError(400, 'category is required');
      return { category, products: await listByCategory(pool, category) };
    },
    'GET /products/:id': async ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id <= 0) throw new HttpError(400, `bad product id ${params.id}`);
      const product = await productById(pool, id);
      if (!product) throw new HttpError(404, `no product ${id}`);
      return product;
    },
  },
  { onStop: () => pool.end() },
);
pool = createPool(svc.metrics, 'catalog');
