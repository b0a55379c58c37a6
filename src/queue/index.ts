export { indexDistributed, type DistributedIndexOptions, type DistributedContext } from './distributed-index.js';
export { runWorker, type WorkerOptions } from './worker.js';
export { queueStatus, forgetRun, type QueueStatus } from './queue-status.js';
export type { RunProgress } from './run-progress.js';
export type { StoreTarget, RunSpec } from './run-spec.js';
