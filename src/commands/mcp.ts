// PLACEHOLDER — replaced by the MCP server work.
export async function mcpCommand(_argv: string[]): Promise<number> {
  process.stderr.write('queryless mcp: not built yet\n');
  return 2;
}
