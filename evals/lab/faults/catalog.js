// The faults the lab can inject, one at a time, with the truth each one leaves in incident.yaml.
// Code faults are switched on inside one service (the faulty code ships in that service, off until
// then) and name the function and file a fix would change; the others act from outside the code.
'use strict';

const SERVICES = ['frontend', 'catalog', 'pricing', 'orders', 'inventory', 'payments'];

const FAULTS = {
  'network-delay': {
    services: SERVICES,
    defaultService: 'inventory',
    summary: 'every packet to and from the service is held 60 ms by its proxy',
    span: { frontend: 'POST /checkout', catalog: 'GET /products', pricing: 'POST /quote', orders: 'POST /orders', inventory: 'POST /reserve', payments: 'POST /charge' },
    how: 'proxy-delay',
  },
  'cpu-contention': {
    services: SERVICES,
    defaultService: 'catalog',
    summary: 'a higher-priority process, busy half of the time, competes for the one CPU the service is pinned to',
    span: { frontend: 'GET /home', catalog: 'GET /products', pricing: 'POST /quote', orders: 'POST /orders', inventory: 'POST /reserve', payments: 'POST /charge' },
    how: 'cpu-hog',
  },
  'cpu-hungry': {
    services: ['pricing'],
    summary: 'a new tier search re-checks every discount tier against every other for each unit count (~30 ms of CPU per quote)',
    span: 'POST /quote',
    function: 'preciseTierFor',
    file: 'services/pricing/discounts.js',
    how: 'code',
  },
  exception: {
    services: ['inventory'],
    summary: 'pickWarehouse reads the region of a zone most products lack: TypeError, the reservation stops',
    span: 'POST /reserve',
    function: 'pickWarehouse',
    file: 'services/inventory/warehouses.js',
    how: 'code',
  },
  'wrong-return': {
    services: ['pricing'],
    summary: 'convertCurrency returns "12.34" (major units, a string) instead of integer cents; payments rejects the charge',
    span: 'POST /quote',
    function: 'convertCurrency',
    file: 'services/pricing/currency.js',
    how: 'code',
  },
  'missing-index': {
    services: ['catalog'],
    summary: 'idx_products_category is dropped: category listings scan all 150,000 products',
    // The slow span is the query's own (instrumentation-pg names it by operation and database).
    span: 'pg.query:SELECT postgres',
    query: 'SELECT id, sku, name, price_cents FROM products WHERE category = $1 ORDER BY price_cents LIMIT 20',
    how: 'sql',
    sql: 'DROP INDEX idx_products_category',
  },
  'lock-contention': {
    services: ['inventory'],
    summary: 'the stock recount job walks the north warehouse row by row in one transaction, holding the rows reservations update',
    span: 'POST /reserve',
    function: 'recountStock',
    file: 'services/inventory/recount.js',
    how: 'code',
  },
  'pool-exhaustion': {
    services: ['orders'],
    summary: 'recordAudit returns early for orders of 3+ items without releasing its pooled connection',
    span: 'POST /orders',
    function: 'recordAudit',
    file: 'services/orders/audit.js',
    how: 'code',
  },
  'retry-storm': {
    services: ['orders'],
    summary: 'the payments client times out after 25 ms (meant 250) and retries six times at once',
    span: 'POST /orders',
    function: 'chargeWithRetry',
    file: 'services/orders/payment-client.js',
    how: 'code',
  },
  'failing-dependency': {
    services: ['payments'],
    summary: "the bank's authorization API (external, not instrumented) answers 503",
    span: 'POST /charge',
    how: 'bank',
  },
};

class FaultSpecError extends Error {}

/** Checks a fault/service pair and returns the fault's definition and the service it targets. */
function resolveFault(kind, service) {
  const def = FAULTS[kind];
  if (!def) throw new FaultSpecError(`unknown fault "${kind}"; known: ${Object.keys(FAULTS).join(', ')}`);
  const target = service ?? def.defaultService ?? def.services[0];
  if (!def.services.includes(target)) throw new FaultSpecError(`fault ${kind} lives in ${def.services.join(' or ')}, not "${target}" (omit --service for the default)`);
  return { kind, def, service: target };
}

/** The truth block of incident.yaml. */
function truthOf({ kind, def, service }) {
  const truth = { service, fault: kind, span: typeof def.span === 'string' ? def.span : def.span[service] };
  if (def.function) truth.function = def.function;
  if (def.file) truth.file = def.file;
  if (def.query) truth.query = def.query;
  truth.explanation = def.summary;
  return truth;
}

module.exports = { FAULTS, SERVICES, resolveFault, truthOf, FaultSpecError };
