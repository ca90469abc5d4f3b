// Public surface of the suspect ranking (see rank.ts for the method, and each feature module for the
// failure mode it answers).
export { rankSuspects, type Suspect, type SuspectsResult, type SuspectOptions, type EvidenceMessage } from './rank.js';
export { traceFeatures, type TraceFeatures } from './traces.js';
export { logFeatures, logLevel, logTemplate } from './logs.js';
export { metricFeatures } from './metrics.js';
export { coveredRatio, robustScores } from './stats.js';
export { leadOf, CLOSE_CALL_RATIO, type Lead } from './lead.js';
export { SCORE_PARTS, type ScorePart } from './score-parts.js';
