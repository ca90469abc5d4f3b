// The exceedance test's binomial tail against exact values, and its behaviour on the cases it exists for.
import { describe, expect, it } from 'vitest';
import { binomialUpperTail, exceedance, poissonBinomialUpperTail, pToZ } from '../../src/analysis/suspects/stats.js';

describe('binomial upper tail', () => {
  it('matches exact sums', () => {
    expect(binomialUpperTail(10, 10, 0.5)).toBeCloseTo(1 / 1024, 12);
    expect(binomialUpperTail(1, 20, 0.1)).toBeCloseTo(1 - 0.9 ** 20, 12);
    // P(K ≥ 2 | 5, 0.3) = 1 − 0.7^5 − 5·0.3·0.7^4
    expect(binomialUpperTail(2, 5, 0.3)).toBeCloseTo(1 - 0.7 ** 5 - 5 * 0.3 * 0.7 ** 4, 12);
    expect(binomialUpperTail(0, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(6, 5, 0.3)).toBe(0);
  });

  it('stays finite and monotone for large samples', () => {
    const a = pToZ(binomialUpperTail(1100, 100_000, 0.01));
    const b = pToZ(binomialUpperTail(1500, 100_000, 0.01));
    expect(a).toBeGreaterThan(2.9);
    expect(a).toBeLessThan(3.4);
    expect(b).toBeGreaterThan(a);
    expect(Number.isFinite(b)).toBe(true);
  });
});

describe('Poisson-binomial upper tail', () => {
  it('is the binomial tail when every chance is the same', () => {
    expect(poissonBinomialUpperTail(2, [0.3, 0.3, 0.3, 0.3, 0.3])).toBeCloseTo(binomialUpperTail(2, 5, 0.3), 12);
    expect(poissonBinomialUpperTail(6, Array(6).fill(0.1))).toBeCloseTo(1e-6, 15);
  });

  it('matches an exact sum over outcomes with unequal chances', () => {
    // P(K ≥ 2) for chances 0.5, 0.1, 0.2: 1 − P(0) − P(1).
    const p0 = 0.5 * 0.9 * 0.8;
    const p1 = 0.5 * 0.9 * 0.8 + 0.5 * 0.1 * 0.8 + 0.5 * 0.9 * 0.2;
    expect(poissonBinomialUpperTail(2, [0.5, 0.1, 0.2])).toBeCloseTo(1 - p0 - p1, 12);
    expect(poissonBinomialUpperTail(0, [0.5])).toBe(1);
    expect(poissonBinomialUpperTail(2, [0.5])).toBe(0);
  });
});

describe('exceedance', () => {
  const baseline = Array.from({ length: 50 }, (_, i) => 2 + (i % 5) * 0.2); // 2.0–2.8 ms
  it('sees a delay on a share of the values that leaves the median in place', () => {
    const window = Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? 202 : 2 + (i % 5) * 0.2));
    const r = exceedance(baseline, window, 0.5, 1);
    expect(r.k).toBe(15);
    expect(r.limit).toBeCloseTo(4.2, 6);
    expect(r.z).toBeGreaterThan(5);
  });

  it('is not evidence when the window stays within the minimum effect of the baseline’s slowest', () => {
    const window = Array.from({ length: 100 }, () => 3.5);
    expect(exceedance(baseline, window, 0.5, 1).z).toBe(0);
  });

  it('floors the null share, so a long baseline does not make a few slow calls significant', () => {
    const long = Array.from({ length: 1000 }, (_, i) => 2 + (i % 5) * 0.2);
    const window = Array.from({ length: 217 }, (_, i) => (i < 6 ? 50 : 2));
    expect(exceedance(long, window, 0.5, 1).z).toBeGreaterThan(3);
    expect(exceedance(long, window, 0.5, 1, 0.01).z).toBeLessThan(3);
  });
});
