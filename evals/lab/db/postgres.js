// A throwaway PostgreSQL cluster for one recording: initdb into a temporary folder, pg_ctl on a
// loopback port, the shop's schema and seed data. PostgreSQL refuses to run as root, so under root
// the cluster belongs to the `postgres` system user (Debian's package creates it).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

class PostgresUnavailable extends Error {
  name = 'PostgresUnavailable';
}

function findBin(name) {
  const candidates = [process.env.LAB_PG_BIN && path.join(process.env.LAB_PG_BIN, name)];
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) for (const v of fs.readdirSync(root).sort().reverse()) candidates.push(path.join(root, v, 'bin', name));
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (found) return found;
  const which = spawnSync('which', [name], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  throw new PostgresUnavailable(`${name} not found: install PostgreSQL (apt-get install -y postgresql) or set LAB_PG_BIN to its bin folder`);
}

/** Runs a PostgreSQL program as the cluster's owner. */
function runAs(user, bin, args) {
  const cmd = user ? ['runuser', ['-u', user, '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

async function startPostgres({ port }) {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? 'postgres' : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queryless-lab-pg-'));
  const data = path.join(dir, 'data');
  if (user) execFileSync('chown', [user, dir]);
  try {
    runAs(user, initdb, ['-D', data, '-U', 'lab', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=64MB -c max_connections=60`;
    runAs(user, pgCtl, ['-D', data, '-l', path.join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '30', 'start']);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new PostgresUnavailable(`PostgreSQL did not start: ${(e.stderr || e.message).toString().trim().split('\n').slice(-2).join(' ')}`);
  }
  const url = `postgres://lab@127.0.0.1:${port}/postgres`;
  return {
    url,
    async stop() {
      try {
        runAs(user, pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The shop's tables and data: 150,000 products (so a sequential scan is measurably slow), stock per warehouse. */
async function seedShop(url, { products = 150000 } = {}) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`
      CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL, name text NOT NULL, category text NOT NULL, price_cents int NOT NULL, description text NOT NULL);
      INSERT INTO products (sku, name, category, price_cents, description)
        SELECT 'SKU-' || g, 'Product ' || g,
               (ARRAY['books','games','garden','kitchen','music','sports','tools','toys'])[1 + g % 8],
               100 + (g * 37) % 9900, repeat(md5(g::text), 6)
        FROM generate_series(1, ${Number(products)}) g;
      CREATE INDEX idx_products_category ON products (category, price_cents);
      CREATE TABLE warehouses (id int PRIMARY KEY, name text NOT NULL, reserved_total bigint NOT NULL DEFAULT 0);
      INSERT INTO warehouses (id, name) VALUES (1, 'north'), (2, 'south'), (3, 'east');
      CREATE TABLE stock (product_id int NOT NULL, warehouse_id int NOT NULL REFERENCES warehouses, quantity int NOT NULL, PRIMARY KEY (product_id, warehouse_id));
      INSERT INTO stock SELECT p, w, 1000000 FROM generate_series(1, 2000) p, generate_series(1, 3) w;
      CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, total_cents int NOT NULL, currency text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE payments (id bigserial PRIMARY KEY, order_id bigint NOT NULL, amount_cents int NOT NULL, currency text NOT NULL, status text NOT NULL);
      CREATE TABLE audit_log (id bigserial PRIMARY KEY, order_id bigint NOT NULL, event text NOT NULL, at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX idx_audit_order ON audit_log (order_id);
      ANALYZE;
    `);
  } finally {
    await db.end();
  }
}

/** Runs one statement as the lab's database owner (fault injection that changes the schema). */
async function execSql(url, sql) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(sql);
  } finally {
    await db.end();
  }
}

module.exports = { startPostgres, seedShop, execSql, PostgresUnavailable };
