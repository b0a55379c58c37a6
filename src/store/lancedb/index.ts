export { LanceStore, openLanceStore, type LanceStoreOptions, type ItemCommit } from './lance-store.js';
export {
  DEFAULT_INDEX,
  DEFAULT_INDEX_THRESHOLD,
  DEFAULT_SEARCH_TUNING,
  INDEX_TYPES,
  type IndexSettings,
  type IndexType,
  type SearchTuning,
} from './index-policy.js';
