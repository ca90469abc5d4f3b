import { describe, expect, it } from 'vitest';
import { loadTool, TOOL_NAMES } from '../../tools/lazy.js';
import { findTool, tools } from '../../tools/index.js';

describe('tools loaded on demand (queryless call)', () => {
  it('names every registered tool, in the registry order', () => {
    expect([...TOOL_NAMES]).toEqual(tools.map((t) => t.name));
  });

  it('loads each tool as the very definition the registry serves', async () => {
    for (const name of TOOL_NAMES) expect(await loadTool(name)).toBe(findTool(name));
  });

  it('keeps the former engine names and knows no others', async () => {
    expect((await loadTool('query_prometheus'))?.name).toBe('query_prometheus');
    expect(await loadTool('nope')).toBeUndefined();
    expect(await loadTool('../src/cli')).toBeUndefined();
  });
});
