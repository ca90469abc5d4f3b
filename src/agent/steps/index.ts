// The signal steps the playbook runs for the top suspects (one per signal area, src/agent/steps/<signal>.ts).
// Add a step here when its file lands; the playbook reports a missing signal step as partial.
import type { FindingStep } from '../findings.js';
import { tracesStep } from './traces.js';
import { logsStep } from './logs.js';
import { metricsStep } from './metrics.js';
import { profilesStep } from './profiles.js';

export interface NamedStep {
  name: 'traces' | 'logs' | 'metrics' | 'profiles';
  run: FindingStep;
}

export const steps: NamedStep[] = [
  { name: 'traces', run: tracesStep },
  { name: 'logs', run: logsStep },
  { name: 'metrics', run: metricsStep },
  { name: 'profiles', run: profilesStep },
];
