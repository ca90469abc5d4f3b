// The investigators an eval runs: the deterministic playbook and the agent loop (src/agent/*).
// They are loaded when a case runs, so the eval harness builds and its own tests run even while the
// investigation modules are missing or broken; a missing one fails the case with a clear message.
import type { Report } from '../agent/findings.js';
import type { PlaybookOptions } from '../agent/playbook.js';
import type { Sources } from '../sources/types.js';

export interface ModelSettings {
  apiKey?: string;
  baseUrl?: string;
  name: string;
}

/** The playbook's options are the investigator's options. */
export type InvestigateOptions = PlaybookOptions;

export type PlaybookFn = (sources: Sources, question: string, opts?: InvestigateOptions) => Promise<Report>;
export type AgentFn = (
  sources: Sources,
  question: string,
  opts: InvestigateOptions & { model: ModelSettings; maxSteps?: number; maxTokens?: number; onProgress?: (line: string) => void },
) => Promise<Report>;

export class InvestigatorMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvestigatorMissing';
  }
}

// Loaded lazily, when a case needs them, so a broken investigation module fails the cases that need it (with its
// error) instead of the whole eval command; the type-only imports below still hold the signatures to
// the contract at build time.
const PLAYBOOK_MODULE = '../agent/playbook.js';
const AGENT_MODULE = '../agent/loop.js';
type PlaybookModule = typeof import('../agent/playbook.js');
type AgentModule = typeof import('../agent/loop.js');
export const playbookContract: (f: PlaybookModule['runPlaybook']) => PlaybookFn = (f) => f;
export const agentContract: (f: AgentModule['runAgent']) => AgentFn = (f) => f;

async function load<T>(importer: () => Promise<unknown>, spec: string, exportName: string, what: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await importer()) as Record<string, unknown>;
  } catch (e) {
    const msg = (e as Error).message;
    throw new InvestigatorMissing(`${what} could not be loaded (${spec.replace('../', 'src/').replace(/\.js$/, '.ts')}): ${msg.split('\n')[0]}`);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new InvestigatorMissing(`${what}: ${spec} does not export a function ${exportName}()`);
  return fn as T;
}

// Literal specifiers (not the constants above), so a bundler sees them and takes the modules along.
export const loadPlaybook = () => load<PlaybookFn>(() => import('../agent/playbook.js'), PLAYBOOK_MODULE, 'runPlaybook', 'the deterministic playbook');
export const loadAgent = () => load<AgentFn>(() => import('../agent/loop.js'), AGENT_MODULE, 'runAgent', 'the agent loop');
