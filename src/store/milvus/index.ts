export { MilvusStore, openMilvusStore, milvusExpr, type MilvusStoreOptions } from './milvus-store.js';
