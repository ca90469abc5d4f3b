// Currency conversion of an amount in cents. The wrong-return fault returns the amount in major units
// as a decimal string ("12.34") instead of integer cents: nothing fails here; payments rejects it later.
'use strict';
const { activeFaults } = require('../common/faults.js');

const RATES = { EUR: 1, USD: 1.08, GBP: 0.85 };

function convertCurrency(amountCents, currency) {
  const rate = RATES[currency];
  if (rate === undefined) throw new Error(`unknown currency ${currency}`);
  const converted = amountCents * rate;
  if (activeFaults.has('wrong-return')) return (converted / 100).toFixed(2);
  return Math.round(converted);
}

module.exports = { convertCurrency };
