// The investigate playbook's source lookup: a GitHub lookup that fails (rate limit, a damaged answer)
// is a partial line of the report, not a finding that silently lost its code location (found by the
// remote fuzz campaign with `--backend github`: JSON 200,000 deep on the contents endpoint).
import { describe, expect, it } from 'vitest';
import { addSourceLocations } from '../../src/agent/playbook.js';
import type { Finding } from '../../src/agent/findings.js';
import { CodeSourceError, GitHubCodeSource } from '../../src/sources/remote/github.js';
import type { Sources } from '../../src/sources/types.js';

describe('source lookup in the playbook', () => {
  it('a failed lookup becomes a partial line naming the function and the error', async () => {
    const code = new GitHubCodeSource({ token: 't', owner: 'acme', repo: 'shop' });
    code.findFunction = async () => {
      throw new CodeSourceError('GitHub rate limit exceeded while searching code (Validate repo:acme/shop); resets at 2026-12-07T15:00:00.000Z.');
    };
    const sources = { code, defaults: { window: { start: 0, end: 1 } }, problems: [], describe: 'test' } as unknown as Sources;
    const f = { kind: 'hot-function', service: 'payment', title: 'shop/payment.(*Card).Validate', numbers: {}, evidence: {}, score: 1 } as unknown as Finding;
    const partial: string[] = [];
    await addSourceLocations([f], sources, new AbortController().signal, partial);
    expect(f.source).toBeUndefined();
    expect(partial).toEqual(['source of shop/payment.(*Card).Validate: GitHub rate limit exceeded while searching code (Validate repo:acme/shop); resets at 2026-12-07T15:00:00.000Z.']);
  });
});
