// Volume and loyalty discounts. The cpu-hungry fault ships a "precise" tier search that re-checks
// every tier against every other for every unit count: the same answer, thousands of times the work.
'use strict';
const { activeFaults } = require('../common/faults.js');

const TIERS = Array.from({ length: 400 }, (_, i) => ({ minUnits: i * 3, percent: Math.min(30, i / 12) }));

function tierFor(units) {
  let best = TIERS[0];
  for (const t of TIERS) if (units >= t.minUnits) best = t;
  return best;
}

function preciseTierFor(units) {
  // For every unit count up to the order's (plus a margin), re-filters every tier against every
  // other: O(units × tiers²) for the same tier tierFor finds in one pass.
  let best = TIERS[0];
  for (let u = 0; u <= units + 40; u++) {
    for (const t of TIERS) {
      const reachable = TIERS.filter((x) => x.minUnits <= Math.min(u, units) && x.percent <= t.percent);
      if (reachable.length && t.minUnits <= Math.min(u, units) && t.percent >= best.percent) best = t;
    }
  }
  return best;
}

function computeDiscount(items) {
  const units = items.reduce((n, i) => n + i.quantity, 0);
  const tier = activeFaults.has('cpu-hungry') ? preciseTierFor(units) : tierFor(units);
  const subtotal = items.reduce((n, i) => n + i.priceCents * i.quantity, 0);
  return Math.round((subtotal * tier.percent) / 100);
}

module.exports = { computeDiscount };
