// The services' PostgreSQL pool (node-postgres), instrumented by @opentelemetry/instrumentation-pg.
'use strict';
const { Pool } = require('pg');
const { observePool } = require('../../telemetry/metrics.js');

function createPool(metrics, name, { max = 5 } = {}) {
  const pool = new Pool({
    connectionString: process.env.LAB_DATABASE_URL,
    max,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 0,
    application_name: name,
  });
  pool.on('error', () => {}); // an idle client's connection dropped: pg reconnects on the next checkout
  observePool(metrics, pool, name);
  return pool;
}

/** Runs `work(client)` in one transaction on a pooled connection: COMMIT, or ROLLBACK and rethrow. */
async function inTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

module.exports = { createPool, inTransaction };
