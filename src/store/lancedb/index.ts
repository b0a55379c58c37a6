export { LanceStore, openLanceStore, type LanceStoreOptions, type ItemCommit } from './lance-store.js';
export { DEFAULT_INDEX_THRESHOLD, DEFAULT_SEARCH_TUNING, type SearchTuning } from './index-policy.js';
