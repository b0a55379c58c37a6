export interface LockOptions {
  /**
   * How long a job stays locked to a worker without a renewal, ms (default 30 s). A worker renews its
   * locks every half of this while alive; a killed worker's job is retried after it lapses.
   */
  lockMs?: number;
}

/** BullMQ settings derived from the lock time: stalled jobs are looked for at half its period and may stall many times (workers can be killed repeatedly). */
export function lockSettings(options: LockOptions) {
  const lockDuration = options.lockMs ?? 30_000;
  return { lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)), maxStalledCount: 50 };
}

/** Retries of a job that throws (a model or store failure), with backoff; its last reason is kept for `queue status`. */
export const JOB_ATTEMPTS = { attempts: 5, backoff: { type: 'exponential' as const, delay: 1000 } };
