export { AnnIndexes } from './ann-indexes.js';
export { DEFAULT_ANN, ANN_QUANTIZATIONS, resolveAnnSettings, type AnnSettings, type AnnQuantization } from './settings.js';
export type { AnnState, AnnStatus } from './space-index.js';
export { KEY_COLUMN, newRowKeys } from './row-keys.js';
