// MCP Apps: the tools with a picture link one ui:// view; a client that announces the extension gets
// the picture in the result's _meta, any other client gets exactly the answer it got before.
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { createMcpServer } from '../../src/mcp/server.js';
import { PICTURE_APP_URI, PICTURE_META_KEY } from '../../src/mcp/apps.js';
import { setup } from '../../src/commands/context.js';
import { checkAppView, chromiumPath } from '../../scripts/browser.js';

const BUNDLE = new URL('../../evals/incidents/demo-checkout', import.meta.url).pathname;
const TRACE = 'e7e8fd1af5dd7361f5d1450b1b70684d';
let client: Client | undefined;

async function connect(apps: boolean): Promise<Client> {
  const { sources } = await setup({ bundle: BUNDLE });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(sources).connect(serverSide);
  const capabilities = apps ? { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } : {};
  client = new Client({ name: 'apps-test', version: '1.0.0' }, { capabilities: capabilities as Record<string, unknown> });
  await client.connect(clientSide);
  return client;
}

afterEach(async () => {
  await client?.close();
  client = undefined;
});

describe('MCP Apps', () => {
  it('links the picture tools to one UI resource, served as an MCP App', async () => {
    const c = await connect(true);
    const { tools } = await c.listTools();
    const linked = tools.filter((t) => (t._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri === PICTURE_APP_URI).map((t) => t.name);
    expect(linked.sort()).toEqual(['explore_metric', 'get_trace', 'hot_functions', 'investigate', 'service_red']);
    const { resources } = await c.listResources();
    expect(resources.find((r) => r.uri === PICTURE_APP_URI)?.mimeType).toBe(RESOURCE_MIME_TYPE);
    const read = await c.readResource({ uri: PICTURE_APP_URI });
    const html = (read.contents[0] as { text: string }).text;
    expect(html).toContain('ui/initialize');
    expect(html).toContain(PICTURE_META_KEY);
  });

  it('attaches the picture for a client that shows apps, and only then', async () => {
    const withApps = await connect(true);
    const r = await withApps.callTool({ name: 'get_trace', arguments: { trace_id: TRACE } });
    const pic = (r._meta as Record<string, { svg: string }> | undefined)?.[PICTURE_META_KEY];
    expect(pic?.svg).toMatch(/^<svg xmlns/);
    expect(pic?.svg).toMatch(/class="span critical/);
    await withApps.close();

    const plain = await connect(false);
    const r2 = await plain.callTool({ name: 'get_trace', arguments: { trace_id: TRACE } });
    expect(r2._meta).toBeUndefined();
    expect((r2.content as Array<{ text: string }>)[0]!.text).toBe((r.content as Array<{ text: string }>)[0]!.text);
  });
});

describe('MCP Apps view in headless Chromium', () => {
  it.skipIf(!chromiumPath())('initialises with its host and draws the picture of a tool result', async () => {
    const c = await connect(true);
    const r = await c.callTool({ name: 'get_trace', arguments: { trace_id: TRACE } });
    const view = ((await c.readResource({ uri: PICTURE_APP_URI })).contents[0] as { text: string }).text;
    const seen = await checkAppView(view, r);
    expect(seen.methods).toContain('ui/initialize');
    expect(seen.methods).toContain('ui/notifications/initialized');
    expect(seen.image?.width).toBeGreaterThan(500);
    expect(seen.errors).toEqual([]);
  }, 90_000);
});

describe('MCP Apps: investigate', () => {
  it('attaches the pictures of the findings', async () => {
    const c = await connect(true);
    const r = await c.callTool({ name: 'investigate', arguments: { question: 'Why are orders failing since 10:04?' } });
    const pic = (r._meta as Record<string, { svgs: string[] }> | undefined)?.[PICTURE_META_KEY];
    expect(pic?.svgs.length).toBeGreaterThan(2);
    expect(pic!.svgs.join('')).toMatch(/class="span critical/);
  }, 90_000);
});
