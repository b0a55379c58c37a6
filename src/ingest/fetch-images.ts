import { safeFetch } from '../media/remote/safe-fetch.js';

export interface FetchImagesOptions {
  /** Let URLs reach private and loopback addresses (a trusted network). Default false: the server's SSRF guard. */
  allowPrivate?: boolean;
  /** Attempts per URL on a timeout, a network error, HTTP 429 or 5xx (default 3). */
  attempts?: number;
  /** Downloads at once to one host (default 4). */
  perHost?: number;
  /** Largest image fetched, bytes (default 32 MiB). */
  maxBytes?: number;
  timeoutMs?: number;
  /** First retry delay; doubles each attempt (default 500 ms). */
  backoffMs?: number;
}

const RETRYABLE = /HTTP (429|5\d\d)|timed out|ECONNRESET|ECONNREFUSED|EAI_AGAIN|socket hang up|ETIMEDOUT/;

/**
 * Fetches shard images by URL through the server's SSRF guard (private addresses refused unless
 * allowed, each redirect re-checked), with retries on transient failures and a cap on concurrent
 * downloads per host, so a shard of URLs on one site does not hammer it.
 */
export class ImageFetcher {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly options: FetchImagesOptions = {}) {}

  async fetch(url: string): Promise<Buffer> {
    const host = hostOf(url);
    await this.acquire(host);
    try {
      const attempts = this.options.attempts ?? 3;
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await safeFetch(url, {
            maxBytes: this.options.maxBytes ?? 32 * 1024 * 1024,
            allowPrivate: this.options.allowPrivate,
            timeoutMs: this.options.timeoutMs ?? 20_000,
          });
        } catch (error) {
          if (attempt >= attempts || !RETRYABLE.test((error as Error).message)) throw error;
          await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 500) * 2 ** (attempt - 1)));
        }
      }
    } finally {
      this.release(host);
    }
  }

  private async acquire(host: string): Promise<void> {
    const limit = this.options.perHost ?? 4;
    if ((this.active.get(host) ?? 0) >= limit)
      await new Promise<void>((r) => (this.waiting.get(host) ?? this.waiting.set(host, []).get(host)!).push(r));
    this.active.set(host, (this.active.get(host) ?? 0) + 1);
  }

  private release(host: string): void {
    this.active.set(host, (this.active.get(host) ?? 1) - 1);
    this.waiting.get(host)?.shift()?.();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
