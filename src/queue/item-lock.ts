import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { keys, storeKey, type StoreTarget } from './run-spec.js';

export interface RedisLockOptions {
  /** How long a lock outlives a holder that stops renewing it (a killed worker), ms. Default 10 s. */
  ttlMs?: number;
  /** How long to wait for a lock others hold before giving up (the job is then retried), ms. Default 120 s. */
  waitMs?: number;
}

// Both act only while the key still holds our token, so a holder whose lock lapsed never frees or extends another's.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const LOST_RETRIES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` while holding the Redis lock `key`, across every process that uses the same key: taken with
 * `SET NX PX` and a random token (retried with growing, jittered pauses), renewed every third of its ttl
 * while `work` runs, freed by a compare-and-delete script. If the release finds another token — the lock
 * lapsed while `work` ran (the process stalled past the ttl, or Redis lost the key) — `work` runs again
 * under a fresh lock, so it must be idempotent and re-read what it merges.
 */
export async function withRedisLock<T>(redis: Redis, key: string, work: () => Promise<T>, options: RedisLockOptions = {}): Promise<T> {
  const ttl = options.ttlMs ?? 10_000;
  for (let attempt = 1; ; attempt += 1) {
    const token = await acquire(redis, key, ttl, options.waitMs ?? 120_000);
    let renewing: Promise<unknown> | undefined;
    const timer = setInterval(
      () => {
        renewing ??= redis
          .eval(RENEW, 1, key, token, String(ttl))
          .catch(() => undefined)
          .finally(() => {
            renewing = undefined;
          });
      },
      Math.max(20, Math.floor(ttl / 3)),
    );
    const release = async () => {
      clearInterval(timer);
      await renewing;
      return redis.eval(RELEASE, 1, key, token).catch(() => 0);
    };
    let value: T;
    try {
      value = await work();
    } catch (error) {
      await release();
      throw error;
    }
    const released = await release();
    if (released === 1) return value;
    if (attempt >= LOST_RETRIES) {
      throw new RosettaError(ErrorCodes.QUEUE_FAILED, `Lost the Redis lock ${key} ${LOST_RETRIES} times while holding it`, {
        hint: 'check that Redis keeps its data (appendonly yes) and that the worker is not starved of CPU; the job is retried',
      });
    }
  }
}

async function acquire(redis: Redis, key: string, ttl: number, waitMs: number): Promise<string> {
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 250)) {
    if ((await redis.set(key, token, 'PX', ttl, 'NX')) === 'OK') return token;
    if (Date.now() >= deadline) {
      throw new RosettaError(
        ErrorCodes.QUEUE_FAILED,
        `The Redis lock ${key} stayed held by another worker for ${Math.round(waitMs / 1000)} s`,
        {
          hint: 'another worker is committing the same item; the job is retried. If this repeats, look for a worker stuck in a commit (`rosetta queue status`)',
        },
      );
    }
    await sleep(pause / 2 + Math.random() * pause);
  }
}

/** Runs `work` while no other worker or committer is changing item `hash` in the same store. */
export type ItemTurn = <T>(hash: string, work: () => Promise<T>) => Promise<T>;

/** One process alone writes the store (the LanceDB committer): nothing to wait for. */
export const inProcessTurn: ItemTurn = (_hash, work) => work();

/** Item turns shared by every worker committing to `store`, through a Redis lock per item hash. */
export function redisItemTurns(redis: Redis, store: StoreTarget, options?: RedisLockOptions): ItemTurn {
  const id = storeKey(store);
  return (hash, work) => withRedisLock(redis, keys.itemLock(id, hash), work, options);
}
