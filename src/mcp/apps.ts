// MCP Apps (io.modelcontextprotocol/ui, @modelcontextprotocol/ext-apps): the tools with a picture
// declare one UI resource, a small view that shows the picture the server attaches to the tool
// result's `_meta` (never to its text or structured content: the model's answer and budget stay as
// they are). The picture is made only for clients that announce the extension; others see nothing new.
import { getUiCapability, registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Sources } from '../sources/types.js';
import { readPrompt } from '../agent/assets.js';
import { PICTURE_TOOLS, toolPicture } from '../agent/tool-pictures.js';
import { maskSecrets } from '../mask.js';
import { log } from '../log.js';
import { gatherPictures } from '../agent/html.js';
import type { Report } from '../agent/findings.js';

export const PICTURE_APP_URI = 'ui://queryless/picture.html';
/** Where the picture travels in a tool result's `_meta`. */
export const PICTURE_META_KEY = 'io.queryless/picture';

/** Tools with a view: the single-picture tools, and investigate (the pictures of its findings, as in the HTML report). */
export const APP_TOOLS: Record<string, string> = { ...PICTURE_TOOLS, investigate: 'the pictures of the findings (RED charts, waterfalls, heatmaps, flame graphs)' };
/** Pictures per investigate answer in the view. */
const MAX_INVESTIGATE_PICTURES = 8;

/** The tool's `_meta` linking it to the view (both the nested and the legacy flat key, as registerAppTool writes them). */
export function toolUiMeta(tool: string): Record<string, unknown> | undefined {
  return APP_TOOLS[tool] ? { ui: { resourceUri: PICTURE_APP_URI }, 'ui/resourceUri': PICTURE_APP_URI } : undefined;
}

async function pictures(tool: string, args: Record<string, unknown>, data: Record<string, unknown>, sources: Sources, signal: AbortSignal): Promise<string[]> {
  if (tool !== 'investigate') {
    const svg = await toolPicture(tool, args, data, sources, 'en', signal);
    return svg ? [svg] : [];
  }
  // The structured answer is the report minus its text: enough for the report's own picture gathering.
  const report = { question: String(args.question ?? ''), mode: 'playbook', stats: { toolCalls: 0, ms: 0 }, suspects: [], findings: [], hints: [], partial: [], ...data } as unknown as Report;
  const p = await gatherPictures(report, sources, signal);
  return [...p.services.slice(0, 1), ...[...p.byFinding.values()].flat()].slice(0, MAX_INVESTIGATE_PICTURES);
}

export function registerPictureApp(server: McpServer): void {
  registerAppResource(server, 'Queryless picture', PICTURE_APP_URI, { description: `Shows the pictures of ${Object.keys(APP_TOOLS).join(', ')} (flame graph, trace waterfall, RED and metric charts, latency heatmap).` }, async () => ({
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
  if (!APP_TOOLS[tool] || !structured || !clientShowsApps(server)) return undefined;
  try {
    const svgs = (await pictures(tool, args, structured, sources, signal)).map(maskSecrets);
    return svgs.length ? { [PICTURE_META_KEY]: { svg: svgs[0], svgs, title: APP_TOOLS[tool] } } : undefined;
  } catch (e) {
    log.debug({ err: (e as Error).message, tool }, 'picture left out of the tool result');
    return undefined;
  }
}
