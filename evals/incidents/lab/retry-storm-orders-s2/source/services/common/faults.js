// Which lab faults are switched on in this process (set by the recorder through POST /__lab/fault).
// Code faults check it at the point where the faulty code would have been deployed.
'use strict';
let active = new Set();
const activeFaults = {
  set(list) {
    active = new Set(list);
  },
  has(kind) {
    return active.has(kind);
  },
};
module.exports = { activeFaults };
