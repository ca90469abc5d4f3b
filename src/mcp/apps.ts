// MCP Apps (io.modelcontextprotocol/ui, @modelcontextprotocol/ext-apps): the tools with a picture
// declare one UI resource, a small view that shows the picture the server attaches to the tool
// result's `_meta` (never to its text or structured content: the model's answer and budget stay as
// they are). The picture is made only for clients that announce the extension; others see nothing new.
import { getUiCapability, registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Sources } from '../sources/types.js';
import { readPrompt } from '../agent/assets.js';
import { PICTURE_TOOLS, toolPicture } from '../commands/picture.js';
import { maskSecrets } from '../mask.js';
import { log } from '../log.js';

export const PICTURE_APP_URI = 'ui://queryless/picture.html';
/** Where the picture travels in a tool result's `_meta`. */
export const PICTURE_META_KEY = 'io.queryless/picture';

/** The tool's `_meta` linking it to the view (both the nested and the legacy flat key, as registerAppTool writes them). */
export function toolUiMeta(tool: string): Record<string, unknown> | undefined {
  return PICTURE_TOOLS[tool] ? { ui: { resourceUri: PICTURE_APP_URI }, 'ui/resourceUri': PICTURE_APP_URI } : undefined;
}

export function registerPictureApp(server: McpServer): void {
  registerAppResource(server, 'Queryless picture', PICTURE_APP_URI, { description: `Shows the picture of ${Object.keys(PICTURE_TOOLS).join(', ')} (flame graph, trace waterfall, RED and metric charts).` }, async () => ({
    contents: [{ uri: PICTURE_APP_URI, mimeType: RESOURCE_MIME_TYPE, text: readPrompt('picture-app.html'), _meta: { ui: { prefersBorder: true } } }],
  }));
}

/** Whether the connected client renders MCP Apps. */
export function clientShowsApps(server: McpServer): boolean {
  const cap = getUiCapability(server.server.getClientCapabilities() as Parameters<typeof getUiCapability>[0]);
  return !!cap?.mimeTypes?.includes(RESOURCE_MIME_TYPE);
}

/** The result `_meta` carrying the picture; undefined when the answer has none (a picture never fails a call). */
export async function pictureMeta(server: McpServer, tool: string, args: Record<string, unknown>, structured: Record<string, unknown> | undefined, sources: Sources, signal: AbortSignal): Promise<Record<string, unknown> | undefined> {
  if (!PICTURE_TOOLS[tool] || !structured || !clientShowsApps(server)) return undefined;
  try {
    const svg = await toolPicture(tool, args, structured, sources, 'en', signal);
    return svg ? { [PICTURE_META_KEY]: { svg: maskSecrets(svg), title: PICTURE_TOOLS[tool] } } : undefined;
  } catch (e) {
    log.debug({ err: (e as Error).message, tool }, 'picture left out of the tool result');
    return undefined;
  }
}
