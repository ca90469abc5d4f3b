// PLACEHOLDER — replaced by the profiles work (pprof decoding, merge per service/type/window).
import type { ProfileSource } from '../types.js';
export function createBundleProfileSource(_dir: string, _problems: string[]): ProfileSource | undefined {
  return undefined;
}
