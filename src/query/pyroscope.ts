// Pyroscope query builders: label selectors and `typeId{selector}` queries, rendered from intent
// (service, label equalities) so callers never concatenate query strings.
import { parseProfileTypeId } from '../analysis/profiles/types.js';

export interface ProfileSelector {
  service?: string;
  /** Extra label matchers; `op` defaults to `=`. */
  labels?: Array<{ name: string; value: string; op?: '=' | '!=' | '=~' | '!~' }>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;

/** Escapes a label value for a double-quoted PromQL-style string. */
export function quoteLabelValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `{service_name="ride",region="eu"}`; `{}` selects everything. */
export function renderLabelSelector(sel: ProfileSelector): string {
  const parts: string[] = [];
  if (sel.service !== undefined) parts.push(`service_name=${quoteLabelValue(sel.service)}`);
  for (const l of sel.labels ?? []) {
    if (!LABEL_NAME.test(l.name)) throw new Error(`invalid Pyroscope label name "${l.name}" (letters, digits, _ and . only)`);
    parts.push(`${l.name}${l.op ?? '='}${quoteLabelValue(l.value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Validates a profile type id (`name:sampleType:sampleUnit:periodType:periodUnit`). */
export function assertProfileTypeId(id: string): string {
  if (!parseProfileTypeId(id)) throw new Error(`invalid profile type id "${id}": expected name:sample_type:sample_unit:period_type:period_unit, e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds`);
  return id;
}

/** The full query as Pyroscope's UI and /render take it: `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="ride"}`. */
export function renderProfileQuery(typeId: string, sel: ProfileSelector): string {
  return `${assertProfileTypeId(typeId)}${renderLabelSelector(sel)}`;
}
