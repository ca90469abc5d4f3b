// How far the first suspect leads the second: the ranking's own statement of how sure it is.
/** The first suspect's lead: its score over the runner-up's. A close call means "check both". */
export interface Lead {
  ratio: number;
  runnerUp: string;
  close: boolean;
}

/** Below this score ratio the first two suspects are a close call: the evidence does not separate
 * them (measured on the Nezha dev systems: most wrong first suspects lead by less, see README). */
export const CLOSE_CALL_RATIO = 1.5;

export function leadOf(suspects: Array<{ service: string; score: number }>): Lead | undefined {
  const [a, b] = suspects;
  if (!a || !b || !(a.score > 0)) return undefined;
  const ratio = b.score > 0 ? a.score / b.score : Number.POSITIVE_INFINITY;
  return { ratio: Math.round(ratio * 100) / 100, runnerUp: b.service, close: ratio < CLOSE_CALL_RATIO };
}
