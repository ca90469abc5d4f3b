import { describe, expect, it } from 'vitest';
import { resolveInvestigationScope } from '../../src/agent/scope.js';
import type { Sources } from '../../src/sources/types.js';

const t = (s: string) => Date.parse(s);
const sources = (): Sources => ({
  defaults: {
    window: { start: t('2023-01-29T08:40:00Z'), end: t('2023-01-29T08:46:00Z') },
    baseline: { start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:43:04Z') },
    incident: { start: t('2023-01-29T08:43:04Z'), end: t('2023-01-29T08:46:00Z') },
  },
  problems: [],
  describe: 'test',
});

describe('investigation scope from the question', () => {
  it('reads "since HH:MM" with minute precision against the recorded incident start', () => {
    const s = resolveInvestigationScope(sources(), 'Since 08:43 UTC, users see failures. What is the root cause?', {});
    expect(s.from).toBe('question');
    expect(s.window).toEqual({ start: t('2023-01-29T08:43:04Z'), end: t('2023-01-29T08:46:00Z') });
    expect(s.baseline).toEqual({ start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:43:04Z') });
  });
  it('keeps the clean part of a recorded baseline that runs into an earlier window', () => {
    const s = resolveInvestigationScope(sources(), 'Depuis 08:42, pourquoi ça échoue ?', {});
    expect(s.window.start).toBe(t('2023-01-29T08:42:00Z'));
    expect(s.baseline).toEqual({ start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:42:00Z') });
  });
  it('falls back to the recorded window and baseline when the question names no time', () => {
    const s = resolveInvestigationScope(sources(), 'What is the root cause?', {});
    expect(s.from).toBe('defaults');
    expect(s.window.start).toBe(t('2023-01-29T08:43:04Z'));
  });
});
