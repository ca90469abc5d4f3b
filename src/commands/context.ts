// Shared set-up for commands: configuration from env + flags, sources, a tool context.
import { loadConfig, type Config } from '../config.js';
import { createSources } from '../sources/index.js';
import type { Sources } from '../sources/types.js';
import type { BundleOptions } from '../sources/bundle/load.js';
import type { ToolContext } from '../../tools/types.js';

export async function setup(flags: Record<string, string>, opts: BundleOptions = {}): Promise<{ config: Config; sources: Sources }> {
  const config = loadConfig(process.env, flags);
  const sources = await createSources(config, opts);
  return { config, sources };
}

export function cliToolContext(sources: Sources, signal: AbortSignal, quiet = false): Omit<ToolContext, 'budgetTokens'> {
  return {
    sources,
    signal,
    progress: (done, total, message) => {
      if (!quiet) process.stderr.write(`… ${message ?? ''} ${total ? `${done}/${total}` : done}\n`);
    },
  };
}
