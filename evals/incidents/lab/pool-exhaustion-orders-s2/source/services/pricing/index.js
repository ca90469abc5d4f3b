// Prices an order: subtotal, discount, conversion to the customer's currency. No database.
'use strict';
const { startService, HttpError } = require('../common/http.js');
const { computeDiscount } = require('./discounts.js');
const { convertCurrency } = require('./currency.js');

startService('pricing', {
  'POST /quote': async ({ body }) => {
    const items = body.items;
    if (!Array.isArray(items) || items.some((i) => !Number.isInteger(i.priceCents) || !Number.isInteger(i.quantity))) throw new HttpError(400, 'items need integer priceCents and quantity');
    const subtotal = items.reduce((n, i) => n + i.priceCents * i.quantity, 0);
    const discount = computeDiscount(items);
    const currency = body.currency ?? 'EUR';
    return { subtotalCents: subtotal, discountCents: discount, total: convertCurrency(subtotal - discount, currency), currency };
  },
});
