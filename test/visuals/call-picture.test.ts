// `queryless call TOOL --format svg|png`: each tool with a picture draws one from its own answer on the
// demo incident, and PNG comes out of resvg as a real PNG.
import { describe, expect, it } from 'vitest';
import { setup } from '../../src/commands/context.js';
import { PICTURE_TOOLS, svgToPng, toolPicture } from '../../src/agent/tool-pictures.js';
import { findTool } from '../../tools/index.js';
import { runTool } from '../../tools/run.js';

const BUNDLE = new URL('../../evals/incidents/demo-checkout', import.meta.url).pathname;

async function picture(tool: string, args: Record<string, unknown>, lang = 'en'): Promise<string | undefined> {
  const { sources } = await setup({ bundle: BUNDLE });
  const ac = new AbortController();
  const res = await runTool(findTool(tool)!, args, { sources, signal: ac.signal, progress: () => {} });
  expect(res.isError).toBe(false);
  return toolPicture(tool, args, res.structured as Record<string, unknown>, sources, lang, ac.signal);
}

describe('tool pictures', () => {
  it('lists only tools that exist', () => {
    for (const t of Object.keys(PICTURE_TOOLS)) expect(findTool(t)).toBeDefined();
  });

  it('get_trace → waterfall with the critical path', async () => {
    const svg = await picture('get_trace', { trace_id: 'e7e8fd1af5dd7361f5d1450b1b70684d' });
    expect(svg).toMatch(/class="span critical/);
    expect(svg).toContain('INSERT INTO orders');
  });

  it('hot_functions → flame graph with the hottest user function outlined, in the asked language', async () => {
    const svg = await picture('hot_functions', { service: 'ride' }, 'de');
    expect(svg).toMatch(/class="fr hot"/);
    expect(svg).toContain('Flame Graph von ride');
  });

  it('service_red and explore_metric → charts with the baseline shaded', async () => {
    const red = await picture('service_red', { service: 'checkout' });
    expect(red).toContain('fill-opacity="0.18"');
    const metric = await picture('explore_metric', { metric: 'http_server_request_duration_seconds' });
    expect(metric).toMatch(/<path class="series"/);
  });

  it('renders PNG through resvg', async () => {
    const png = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>');
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(60);
  });
});
