// Naming an anonymous profile frame after the function whose body holds it.
import { describe, expect, it } from 'vitest';
import { enclosingFunction, isAnonymousName } from '../../src/analysis/profiles/enclosing.js';

const JS = `'use strict';
function helper() {
  return 1;
}

function recountStock(pool) {
  return inTransaction(pool, async (client) => {
    for (let p = 0; p < 10; p++) await client.query('UPDATE …');
  });
}

const handler = async (req) => {
  return items.map((x) => x * 2);
};

class Cart {
  total(items) {
    return items.reduce((a, b) => a + b, 0);
  }
}
`;

describe('enclosing function', () => {
  it('recognises anonymous frame names', () => {
    for (const n of ['(anonymous:L#11:C#34)', '(anonymous)', '<anonymous>', 'anonymous', '<lambda>']) expect(isAnonymousName(n), n).toBe(true);
    for (const n of ['recountStock', 'main.(*Cache).Lookup', 'anonymousUser']) expect(isAnonymousName(n), n).toBe(false);
  });

  it('finds the innermost named function still open at the line (JavaScript)', () => {
    expect(enclosingFunction(JS, 8, 'services/inventory/recount.js')).toEqual({ name: 'recountStock', line: 6 });
    expect(enclosingFunction(JS, 13, 'a.js')).toEqual({ name: 'handler', line: 12 });
    expect(enclosingFunction(JS, 18, 'a.ts')).toEqual({ name: 'total', line: 17 });
    // Between functions: helper ended above, so nothing encloses line 5.
    expect(enclosingFunction(JS, 5, 'a.js')).toBeUndefined();
  });

  it('Python and Go definitions; unknown languages give nothing', () => {
    const py = 'def outer(xs):\n    total = 0\n    return sorted(xs, key=lambda x: -x)\n\ndef other():\n    pass\n';
    expect(enclosingFunction(py, 3, 'app/x.py')).toEqual({ name: 'outer', line: 1 });
    const go = 'package main\n\nfunc (c *Cache) Lookup(k string) {\n\tgo func() {\n\t\tc.mu.Lock()\n\t}()\n}\n';
    expect(enclosingFunction(go, 5, 'cache.go')).toEqual({ name: 'Lookup', line: 3 });
    expect(enclosingFunction('x', 1, 'a.unknown')).toBeUndefined();
  });
});
