// What a model is shown of each tool: the MCP tools/list entry and the agent loop's function
// definition both come from here, so a chat client and our own loop see the same compact list.
//
// Why compact: every client pays tools/list on every conversation. Before this module the list was
// ~18,100 tokens (72 KB), mostly output schemas and the scope fields' long descriptions repeated in
// every tool. The budget is 4,000 tokens for the whole list (test/mcp/tools-list-size.test.ts).
// What is left out of the listing is still enforced: calls are validated against the full zod schema
// (tools/run.ts), whose error text names the bound or pattern that was broken.
import { z } from 'zod';
import type { ToolDef } from './types.js';
import { servedInputSchema, servedOutputSchema } from './run.js';

/**
 * Arguments shared by (almost) every tool. They are listed with their type only; their meaning is
 * given once, in SCOPE_GUIDE (server instructions, the investigate-incident prompt, the agent's
 * system prompt), instead of ~110 tokens of descriptions repeated in each of the tools.
 */
export const SHARED_FIELDS = new Set(['from', 'to', 'baseline_from', 'baseline_to', 'budget']);

/** The one description of the shared arguments. Keep it in step with tools/common.ts. */
export const SCOPE_GUIDE = `Shared arguments (every tool that lists them; all optional):
- from, to: the window. RFC 3339, epoch seconds, "now-1h" or "10:04" (UTC). Default: the incident window of the data.
- baseline_from, baseline_to: what the window is compared with. Default: the bundle's baseline, else the same length just before the window.
- service: a name as list_services prints it.
- budget: tokens for the text answer (default 2000, 200-100000); a cut answer says what it left out and how to narrow.
- limit: rows, groups or lines returned.`;

/**
 * JSON Schema keywords that only restate validation bounds. Dropped from the listing (the model
 * learns them from a validation error if it ever crosses one); type, enum, items, required and the
 * value type of maps stay, since they shape a correct call.
 */
const BOUND_KEYWORDS = new Set(['$schema', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'propertyNames', 'minItems', 'maxItems', 'default']);

function stripBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripBounds);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  const type = (node as Record<string, unknown>).type;
  // A list of types is legal JSON Schema but not portable (single-type dialects such as Gemini's
  // function declarations reject it; the Inspector's --strict flags it): one anyOf branch per type.
  if (Array.isArray(type)) return stripBounds({ ...(node as Record<string, unknown>), type: undefined, anyOf: type.map((t) => ({ type: t })) });
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (BOUND_KEYWORDS.has(k)) continue;
    // `properties` maps names to schemas: its keys are argument names, never keywords to drop.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, stripBounds(s)])) : stripBounds(v);
  }
  return out;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };

const inputCache = new WeakMap<ToolDef, JsonSchema>();

/** The input schema as listed: the served zod schema in JSON Schema, bounds dropped, shared fields typed only. */
export function listedInputSchema(def: ToolDef): JsonSchema {
  const hit = inputCache.get(def);
  if (hit) return hit;
  const schema = stripBounds(z.toJSONSchema(servedInputSchema(def), { io: 'input', unrepresentable: 'any' })) as JsonSchema;
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (SHARED_FIELDS.has(name)) delete prop.description;
  }
  // Zod marks closed objects with additionalProperties:false; the listing says nothing it need not.
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  inputCache.set(def, schema);
  return schema;
}

/** The full output schema in JSON Schema (served only when output schemas are asked for). */
export function listedOutputSchema(def: ToolDef): JsonSchema {
  const schema = z.toJSONSchema(servedOutputSchema(def), { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

export interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations: Record<string, unknown>;
}

/**
 * One tools/list entry. Annotations keep only what differs from the MCP defaults for a read-only
 * tool: readOnlyHint (false by default), openWorldHint when false (true by default); the title is
 * given once at the top level (clients read it there first), destructiveHint/idempotentHint mean
 * nothing when readOnlyHint is true.
 */
export function listedTool(def: ToolDef, opts: { outputSchemas?: boolean } = {}): ListedTool {
  const annotations: Record<string, unknown> = { readOnlyHint: true };
  if (def.annotations.openWorldHint === false) annotations.openWorldHint = false;
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: listedInputSchema(def),
    ...(opts.outputSchemas ? { outputSchema: listedOutputSchema(def) } : {}),
    annotations,
  };
}
