import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '../errors/codes.js';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the token (the web page's own files). Every other route, matched or not, needs it. */
    public?: boolean;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` (or `?access_token=` for what a browser cannot send headers with:
 * <img>, <video>, EventSource). Tokens are hashed first so the constant-time comparison sees equal lengths.
 */
export function makeTokenCheck(token: string): (request: FastifyRequest) => void {
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization;
    let given: string | undefined;
    if (typeof header === 'string' && /^Bearer\s+/i.test(header)) given = header.replace(/^Bearer\s+/i, '').trim();
    else {
      const q = (request.query as Record<string, unknown> | undefined)?.access_token;
      if (typeof q === 'string') given = q;
    }
    if (given === undefined) throw new HttpError(401, ErrorCodes.SERVER_AUTH, 'This server needs a token: send `Authorization: Bearer <token>`');
    if (!timingSafeEqual(digest(given), expected)) throw new HttpError(401, ErrorCodes.SERVER_AUTH, 'The token is wrong');
  };
}

/**
 * The token check as an `onRequest` hook. It decides on the route the router matched, never on the raw URL
 * (the router decodes `%61pi` to `api`): a route is open only when it says so, and an unmatched path needs
 * the token too, so a spelling the router understands differently cannot slip past (deny by default).
 */
export function makeAuthHook(token: string): (request: FastifyRequest) => Promise<void> {
  const check = makeTokenCheck(token);
  return async (request) => {
    if (request.routeOptions.config?.public !== true) check(request);
  };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '::ffff:127.0.0.1';
}
