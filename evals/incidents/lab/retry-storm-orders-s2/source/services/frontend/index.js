// The shop's front door: the home page lists a category, a product page adds its price, checkout
// places an order. It has no database; everything comes from the services behind it.
'use strict';
const { startService, HttpError } = require('../common/http.js');

const CATEGORIES = ['books', 'games', 'garden', 'kitchen', 'music', 'sports', 'tools', 'toys'];

async function forward(res, what) {
  if (res.status >= 400) throw new HttpError(res.status >= 500 ? 502 : res.status, `${what} answered ${res.status}: ${res.body?.error ?? ''}`);
  return res.body;
}

startService('frontend', {
  'GET /home': async ({ query, call }) => {
    const category = query.get('category') ?? CATEGORIES[0];
    return forward(await call('catalog', 'GET', `/products?category=${encodeURIComponent(category)}`), 'catalog');
  },
  'GET /product/:id': async ({ params, call }) => {
    const product = await forward(await call('catalog', 'GET', `/products/${params.id}`), 'catalog');
    const quote = await forward(await call('pricing', 'POST', '/quote', { items: [{ productId: product.id, priceCents: product.price_cents, quantity: 1 }], currency: 'EUR' }), 'pricing');
    return { ...product, price: quote };
  },
  'POST /checkout': async ({ body, call, log }) => {
    if (!Array.isArray(body.items) || body.items.length === 0) throw new HttpError(400, 'a checkout needs items');
    const order = await forward(await call('orders', 'POST', '/orders', body, { timeoutMs: 10000 }), 'orders');
    log.info('checkout completed', { 'order.id': String(order.orderId), 'customer.id': String(body.customerId) });
    return order;
  },
});
