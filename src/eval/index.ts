/**
 * Evaluation: cross-modal consistency (CLIPScore, calibrated mismatch checks), retrieval and zero-shot quality,
 * bias probes, model comparison and self-contained HTML reports. Everything takes a `Space`.
 */
export * from './metrics/index.js';
export * from './consistency/index.js';
export * from '../datasets/index.js';
export { evaluateRetrieval, type RetrievalOptions, type RetrievalResult, type Mismatch, type EvalProgress } from './evaluate-retrieval.js';
export {
  evaluateZeroShot,
  DEFAULT_TEMPLATES,
  type ZeroShotOptions,
  type ZeroShotResult,
  type ZeroShotMistake,
} from './evaluate-zeroshot.js';
export * from './bias/weat.js';
export { compareSpaces, type CompareOptions, type Comparison, type ComparisonRow } from './compare-spaces.js';
export * from './report/index.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
