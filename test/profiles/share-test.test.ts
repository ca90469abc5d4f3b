// The growth test of a function's share of profile samples: the normal tail, the two-proportion z
// test with its interval, and Holm's adjustment, against values worked by hand.
import { describe, expect, it } from 'vitest';
import { holmAdjust, normalUpperTail, rateGrowthTest, shareGrowthTest } from '../../src/analysis/profiles/share-test.js';

describe('share growth test', () => {
  it('normal upper tail matches the usual quantiles', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(3.090232)).toBeCloseTo(0.001, 6);
    expect(normalUpperTail(-1.644854)).toBeCloseTo(0.95, 6);
  });

  it('two proportions: 48 of 283 samples now vs 4 of 204 before is a significant growth', () => {
    const t = shareGrowthTest(48, 283, 4, 204)!;
    // Pooled p = 52/487; se = sqrt(p(1-p)(1/283+1/204)) = 0.02834; z = (0.16961-0.01961)/se.
    expect(t.share).toBeCloseTo(48 / 283, 10);
    expect(t.baseShare).toBeCloseTo(4 / 204, 10);
    expect(t.z).toBeCloseTo(5.293, 2);
    expect(t.p).toBeLessThan(1e-6);
    // Wald interval of the difference: 0.15 ± 1.96·sqrt(.1696·.8304/283 + .0196·.9804/204).
    expect(t.ci95[0]).toBeCloseTo(0.102, 2);
    expect(t.ci95[1]).toBeCloseTo(0.198, 2);
  });

  it('the same share on both sides is no evidence, and a side without samples gives no test', () => {
    const t = shareGrowthTest(20, 200, 10, 100)!;
    expect(t.z).toBe(0);
    expect(t.p).toBeCloseTo(0.5, 6);
    expect(shareGrowthTest(3, 10, 0, 0)).toBeUndefined();
    // A small count can be "new since the baseline" and still not significant.
    expect(shareGrowthTest(2, 358, 0, 98)!.p).toBeGreaterThan(0.2);
  });

  it('Holm adjusts step-down and keeps the input order', () => {
    // Sorted: 0.001·4 = 0.004, 0.01·3 = 0.03, 0.02·2 = 0.04, 0.5·1 = 0.5.
    expect(holmAdjust([0.02, 0.001, 0.5, 0.01])).toEqual([0.04, 0.004, 0.5, 0.03]);
    // Monotone: a later (larger) p never gets a smaller adjusted value.
    expect(holmAdjust([0.01, 0.011])).toEqual([0.02, 0.02]);
  });
});

describe('rate growth test', () => {
  it('tells a grown count per second from Poisson noise, whatever the lengths of the two periods', () => {
    // 960 events in 160 s vs 70 in 140 s: n = 1030, expected 549.3 in the window under no change.
    const t = rateGrowthTest(960, 160, 70, 140)!;
    expect(t.z).toBeCloseTo((960 - 1030 * (160 / 300)) / Math.sqrt(1030 * (160 / 300) * (140 / 300)), 6);
    expect(t.p).toBeLessThan(1e-12);
    // The same rate (6/s) over different lengths is no growth.
    expect(rateGrowthTest(960, 160, 840, 140)!.z).toBeCloseTo(0, 6);
    expect(rateGrowthTest(976, 160, 840, 140)!.p).toBeGreaterThan(0.2);
    expect(rateGrowthTest(5, 0, 3, 10)).toBeUndefined();
    expect(rateGrowthTest(0, 10, 0, 10)).toBeUndefined();
  });
});
