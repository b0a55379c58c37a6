import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long a client may take to send a request, and how many connections it may hold. */
export interface ConnectionLimits {
  /** Request line and headers must arrive within this (default 15 s). */
  headersMs: number;
  /** The body may pause this long between bytes (default 20 s). */
  bodyIdleMs: number;
  /** The whole request, body included, must arrive within this (default 5 min: a 64 MiB upload at ~220 kB/s). */
  requestMs: number;
  /** An idle kept-alive connection is closed after this (default 10 s). */
  keepAliveMs: number;
  /** How often the header and whole-request deadlines are checked (default 1 s). */
  checkIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersMs: 15_000,
  bodyIdleMs: 20_000,
  requestMs: 300_000,
  keepAliveMs: 10_000,
  checkIntervalMs: 1_000,
};
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
/** All clients together: far below the file-descriptor limit, so a crowd of slow clients cannot exhaust it. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Fastify options that make Node's HTTP server enforce the header, whole-request and keep-alive deadlines. */
export function serverTimeoutOptions(limits: ConnectionLimits) {
  return {
    requestTimeout: limits.requestMs,
    keepAliveTimeout: limits.keepAliveMs,
    http: { headersTimeout: Math.min(limits.headersMs, limits.requestMs), connectionsCheckingInterval: limits.checkIntervalMs },
  };
}

/** Statuses after which the client gets no second chance on this connection. */
const CLOSING_STATUSES = new Set([401, 408, 413, 429, 431]);

/**
 * Guards the server's connections against slow and greedy clients:
 * - a connection beyond a client's cap (or the server's) is closed at once, before any byte is read;
 * - a body that pauses longer than `bodyIdleMs` is cut off (the whole-request deadline is Node's own);
 * - an error answer sent before the body was read (401, 413, 429 …) closes the connection, so a client
 *   cannot keep it open by trickling the rest of a body nobody will read.
 */
export function guardConnections(app: FastifyInstance, limits: ConnectionLimits, caps: { perClient: number; total: number }): void {
  const server = app.server as Server;
  server.maxConnections = caps.total;
  const perClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? '?';
    const count = (perClient.get(client) ?? 0) + 1;
    if (count > caps.perClient) {
      socket.destroy();
      return;
    }
    perClient.set(client, count);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
  });

  // Both hooks call `done` rather than being async: an async hook costs a promise and a microtask per request.
  app.addHook('onRequest', (request, reply, done) => {
    const { raw } = request;
    if (!raw.complete) {
      // Node destroys a socket whose timeout fires with no one listening. The deadline ends with the body,
      // unless the answer has already gone: Node then runs the socket's keep-alive deadline itself.
      raw.socket.setTimeout(limits.bodyIdleMs);
      raw.once('end', () => {
        if (!reply.raw.writableEnded) raw.socket?.setTimeout(0);
      });
    }
    done();
  });
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (reply.statusCode >= 400 && (!request.raw.complete || CLOSING_STATUSES.has(reply.statusCode))) reply.header('connection', 'close');
    done();
  });
}
