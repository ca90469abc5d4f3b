// PLACEHOLDER — replaced by the metrics work (OpenMetrics parser + PromQL evaluator).
import type { MetricSource } from '../types.js';
export function createBundleMetricSource(_files: string[], _problems: string[]): MetricSource | undefined {
  return undefined;
}
