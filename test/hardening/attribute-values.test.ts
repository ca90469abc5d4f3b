// An attribute whose stringValue is an object (a malformed export; found by the fuzz campaign,
// scripts/fuzz-inputs.ts, as `http.route=[object Object]` in the investigate report) is read as its JSON.
import { describe, expect, it } from 'vitest';
import { anyValue } from '../../src/sources/otlp.js';

describe('attribute values of the wrong type', () => {
  it('objects and arrays where a string belongs are kept as JSON text', () => {
    expect(anyValue({ stringValue: { value: '/cart/items' } as never })).toBe('{"value":"/cart/items"}');
    expect(anyValue({ stringValue: ['a'] as never })).toBe('["a"]');
    expect(anyValue({ bytesValue: { x: 1 } as never })).toBe('{"x":1}');
    expect(anyValue({ stringValue: '/cart/items' })).toBe('/cart/items');
    expect(anyValue({ stringValue: 42 as never })).toBe('42');
  });
});
