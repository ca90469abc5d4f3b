// The catalog's queries. listByCategory relies on idx_products_category; without it PostgreSQL scans
// the whole products table (the missing-index fault).
'use strict';

async function listByCategory(pool, category) {
  const { rows } = await pool.query('SELECT id, sku, name, price_cents FROM products WHERE category = $1 ORDER BY price_cents LIMIT 20', [category]);
  return rows;
}

async function productById(pool, id) {
  const { rows } = await pool.query('SELECT id, sku, name, category, price_cents FROM products WHERE id = $1', [id]);
  return rows[0];
}

module.exports = { listByCategory, productById };
