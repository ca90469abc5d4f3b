// Volume and loyalty discounts. The cpu-hungry fault ships a "precise" tier search that re-evaluates
// every tier for every unit of every item: the same answer, a hundred times the work.
'use strict';
const { activeFaults } = require('../common/faults.js');

const TIERS = Array.from({ length: 400 }, (_, i) => ({ minUnits: i * 3, percent: Math.min(30, i / 12) }));

function tierFor(units) {
  let best = TIERS[0];
  for (const t of TIERS) if (units >= t.minUnits) best = t;
  return best;
}

function preciseTierFor(units) {
  // Walks the tiers once per unit and re-sorts them each time: O(units × tiers log tiers).
  let best = TIERS[0];
  for (let u = 0; u <= units + 40; u++) {
    const sorted = [...TIERS].sort((a, b) => a.minUnits - b.minUnits || a.percent - b.percent);
    for (const t of sorted) if (Math.min(u, units) >= t.minUnits && t.percent >= best.percent) best = t;
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
