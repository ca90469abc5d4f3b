// The floor of the MCP benchmark: the same SDK over stdio, one tool with a fixed answer.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new McpServer({ name: 'floor', version: '0' });
server.registerTool('list_services', { description: 'fixed answer' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
await server.connect(new StdioServerTransport());
