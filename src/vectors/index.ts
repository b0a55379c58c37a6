export { dot, cosine, l2normalize, rowsNormalized, weightedMean, meanNormalised } from './vector-math.js';
export { similarityMatrix, similarityFlat, forEachSimilarityRow } from './similarity.js';
export { softmax, clipScore, CLIPSCORE_WEIGHT, rankOf, recallAtK } from './scores.js';
