// The names of a suspect's score parts (`Suspect.parts` keys), one per feature of the ranking. They are
// identifiers in every machine output (JSON, tool results, eval results); the human report labels them
// in its language from each catalogue's `score_parts` (a test holds every catalogue to this list, and
// rank.ts can only set a part named here).
export const SCORE_PARTS = [
  'own_errors',
  'new_error_kinds',
  'self_time',
  'edge_wait',
  'critical_share',
  'pod_outlier',
  'structure',
  'log_errors',
  'first_log_errors',
  'log_shift',
  'new_log_errors',
  'error_burden',
  'metrics',
  'profile_growth',
  'patterns',
  'named_in_errors',
  'transitions',
] as const;

export type ScorePart = (typeof SCORE_PARTS)[number];
