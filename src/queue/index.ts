import type * as DistributedModule from './distributed-index.js';
export type { DistributedIndexOptions, DistributedContext } from './distributed-index.js';
import type * as WorkerModule from './worker.js';
import type * as StatusModule from './queue-status.js';
export type { WorkerOptions } from './worker.js';
export type { QueueStatus } from './queue-status.js';

// BullMQ and ioredis load on the first call, not with the package (CLI start-up); see worker.ts and queue-status.ts.
export async function indexDistributed(
  ...args: Parameters<typeof DistributedModule.indexDistributed>
): ReturnType<typeof DistributedModule.indexDistributed> {
  return (await import('./distributed-index.js')).indexDistributed(...args);
}
export async function runWorker(...args: Parameters<typeof WorkerModule.runWorker>): ReturnType<typeof WorkerModule.runWorker> {
  return (await import('./worker.js')).runWorker(...args);
}
export async function queueStatus(...args: Parameters<typeof StatusModule.queueStatus>): ReturnType<typeof StatusModule.queueStatus> {
  return (await import('./queue-status.js')).queueStatus(...args);
}
export async function forgetRun(...args: Parameters<typeof StatusModule.forgetRun>): ReturnType<typeof StatusModule.forgetRun> {
  return (await import('./queue-status.js')).forgetRun(...args);
}
export type { RunProgress } from './run-progress.js';
export type { StoreTarget, RunSpec } from './run-spec.js';
