/** HTTP requests with the path sent byte for byte (fetch and URL normalise `..`, case and some escapes). */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export function rawRequest(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, method, path, headers: { connection: 'close', ...options.headers }, insecureHTTPParser: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

import { connect, type Socket } from 'node:net';

export interface TrickleClient {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from connect to the server closing the connection (or `null` after `waitMs`). */
  closed(waitMs: number): Promise<number | null>;
  stop(): void;
}

/**
 * A client that sends `head` then one byte of `rest` every `everyMs` (a slow-loris body or header). It never
 * finishes on its own: the server has to cut it off.
 */
export function trickle(base: string, head: string, rest: string, everyMs: number, localAddress?: string): TrickleClient {
  const { hostname, port } = new URL(base);
  const started = performance.now();
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  let data = '';
  let closedAt: number | undefined;
  socket.on('data', (d) => {
    data += d;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closedAt = performance.now() - started;
    clearInterval(timer);
  });
  let i = 0;
  socket.on('connect', () => {
    if (head) socket.write(head);
  });
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || i >= rest.length) return;
    socket.write(rest[i]);
    i += 1;
  }, everyMs);
  return {
    socket,
    received: () => data,
    async closed(waitMs) {
      const until = performance.now() + waitMs;
      while (closedAt === undefined && performance.now() < until) await new Promise((r) => setTimeout(r, 25));
      return closedAt ?? null;
    },
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
