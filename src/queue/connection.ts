import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import type { RedisOptions } from 'bullmq';
import { invalidArgument } from '../util/validate.js';

/**
 * Connection settings from a `redis://[user:password@]host:port[/db]` URL. Commands wait through a
 * Redis restart instead of failing (`maxRetriesPerRequest: null`, what BullMQ's blocking workers
 * need), and reconnects back off up to 2 s, so a run resumes once Redis is back.
 */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument('queue', 'a Redis URL like redis://127.0.0.1:6379', url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw invalidArgument('queue', 'a redis:// or rediss:// URL', url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw invalidArgument('queue', 'a database number after the port (redis://host:6379/0)', url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

/**
 * A plain client for the run records beside the queues. Connection errors are retried by ioredis; each one
 * goes to `onError` (an errorReporter from worker-errors.ts, which reports a repeating one once). Without a
 * listener ioredis would print each one itself.
 */
export function openRedis(url: string, onError: (error: unknown) => void = () => undefined): Redis {
  const client = new Redis(redisOptions(url) as IoRedisOptions);
  client.on('error', onError);
  return client;
}

/** The URL without its password, for messages and status output. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
