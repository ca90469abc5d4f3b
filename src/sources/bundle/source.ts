// PLACEHOLDER — replaced by the profiles/source work (offline source tree lookup).
import type { CodeSource } from '../types.js';
export function createBundleCodeSource(_dir: string, _repos?: Record<string, string>): CodeSource | undefined {
  return undefined;
}
