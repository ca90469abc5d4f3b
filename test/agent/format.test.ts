import { describe, expect, it } from 'vitest';
import { formatKeyed } from '../../src/agent/format.js';

describe('finding numbers formatted for the asker', () => {
  it('translates yes/no flags and formats ISO times in the locale', () => {
    expect(formatKeyed('new', 'yes', 'fr')).toBe('oui');
    expect(formatKeyed('new', 'no', 'de')).toBe('nein');
    expect(formatKeyed('first_seen', '2025-06-03T10:04:16.103Z', 'fr')).toMatch(/^3\sjuin\s2025,?\s10:04:16\sUTC$/);
    expect(formatKeyed('first_seen', '2025-06-03T10:04:16.103Z', 'en')).toMatch(/(3 Jun 2025|Jun 3, 2025), 10:04:16(\sAM)? UTC$/);
    expect(formatKeyed('message', 'pq: duplicate key', 'fr')).toBe('pq: duplicate key');
  });
  it('keeps unit conventions by key', () => {
    expect(formatKeyed('share_of_requests', 0.032, 'fr')).toMatch(/^3,2\s%$/);
    expect(formatKeyed('p95_ms', 1250, 'en')).toMatch(/^1\.25\ssecs?$/);
  });
});
