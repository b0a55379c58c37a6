export { score, bestOf, pairCosines, type ScoreInput, type ScoreResult } from './clip-score.js';
export { CLIPSCORE_WEIGHT, clipScore } from '../../vectors/scores.js';
export { calibrateThreshold, rocAuc, summarise, type Calibration, type DistributionSummary } from './calibration.js';
export {
  scorePairs,
  check,
  type ScoredPair,
  type ScorePairsResult,
  type PairScoringOptions,
  type CheckOptions,
  type CheckResult,
} from './check.js';
