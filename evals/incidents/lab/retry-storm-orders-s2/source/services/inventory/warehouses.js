// Chooses the warehouse that ships an item. The exception fault is a refactor that looks the region
// up by the product's new "zone" field, which only some products have: the others throw a TypeError
// and the reservation handler stops half way.
'use strict';
const { activeFaults } = require('../common/faults.js');

const REGIONS = { 1: { name: 'north', warehouse: 1 }, 2: { name: 'south', warehouse: 2 }, 3: { name: 'east', warehouse: 3 } };
const ZONES = { 1: { region: REGIONS[1] }, 2: { region: REGIONS[2] } };

function pickWarehouse(item) {
  if (activeFaults.has('exception')) {
    const zone = ZONES[(item.productId % 4) + 1];
    return zone.region.warehouse; // zones 3 and 4 are missing
  }
  return REGIONS[(item.productId % 3) + 1].warehouse;
}

module.exports = { pickWarehouse };
