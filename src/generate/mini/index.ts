export {
  MiniGenerator,
  readGeneratorConfig,
  miniGeneratorFiles,
  generatorNoise,
  type MiniGeneratorConfig,
  type SampleRow,
  type SampleOptions,
} from './mini-generator.js';
export {
  imagineMini,
  samplePng,
  resolveSeed,
  MINI_OUTPUT_SIZE,
  type MiniConditioner,
  type MiniImagineOptions,
  type MiniImagineResult,
  type MiniSample,
  type MiniSamplingOptions,
} from './imagine-mini.js';
export { animateMini, slerp, formatCurve, type AnimateOptions, type AnimateResult, type AnimateFrame } from './animate-mini.js';
