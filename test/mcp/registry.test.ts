// Every registry tool served over MCP with output schemas listed (QUERYLESS_OUTPUT_SCHEMAS=1): the SDK
// then checks structured content against them (the CLI runner does not), so a tool whose data drifts
// from its schema fails here. The default listing leaves them out (test/mcp/tools-list-size.test.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { tools } from '../../tools/index.js';
import { MINI_BUNDLE, ROOT } from './helpers.js';

const DEMO = path.join(ROOT, 'evals/incidents/demo-checkout');

for (const [label, dir] of [
  ['mini fixture', MINI_BUNDLE],
  ['demo incident', DEMO],
] as const) {
  describe.skipIf(!existsSync(path.join(dir, 'incident.yaml')))(`registry tools over MCP on the ${label}`, () => {
    let client: Client;
    beforeAll(async () => {
      const sources = await openBundle(dir);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await createMcpServer(sources, { outputSchemas: true }).connect(serverSide);
      client = new Client({ name: 'registry-test', version: '1.0.0' });
      await client.connect(clientSide);
    });
    afterAll(async () => {
      await client?.close();
    });

    it('lists every registry tool with an output schema', async () => {
      const listed = (await client.listTools()).tools;
      expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
      for (const t of listed) expect(t.outputSchema?.type, t.name).toBe('object');
    });

    // Tools callable without arguments: their answer (or their clear error) must pass the SDK's checks.
    for (const def of tools) {
      it(`${def.name} {} answers a valid result`, async () => {
        const listed = (await client.listTools()).tools.find((t) => t.name === def.name)!;
        if ((listed.inputSchema.required ?? []).length > 0) {
          const res = await client.callTool({ name: def.name, arguments: {} });
          expect(res.isError, def.name).toBe(true); // a required argument is missing: error result, no crash
          return;
        }
        const res = await client.callTool({ name: def.name, arguments: {} });
        const text = (res.content as Array<{ type: string; text: string }>)[0]?.text ?? '';
        expect(text, def.name).not.toMatch(/Output validation error/);
        if (!res.isError) expect(res.structuredContent, def.name).toBeTypeOf('object');
        expect(text.length, def.name).toBeGreaterThan(0);
      });
    }
  });
}
