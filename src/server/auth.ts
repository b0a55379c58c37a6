import { createHash, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../rosetta.js';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the token (the web page's own files). Every other route, matched or not, needs it. */
    public?: boolean;
    /**
     * A GET that a browser loads by URL (<img>, <video>, EventSource), which cannot send a header: it may take
     * the token as `?access_token=`. Every other route refuses a token in the URL, which ends up in logs.
     */
    tokenInQuery?: boolean;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The routes a browser loads by URL, where `?access_token=` is accepted (see `tokenInQuery`). */
export const TOKEN_IN_QUERY_ROUTES = ['GET /api/media/:itemHash', 'GET /api/thumb/:itemHash', 'GET /api/jobs/:id/events'] as const;

/**
 * Checks `Authorization: Bearer <token>`, or `?access_token=` on the routes that allow it (`tokenInQuery`: what
 * a browser loads by URL and cannot send a header with: <img>, <video>, EventSource). A token in the URL of any
 * other route is refused, header or not: URLs end up in logs and histories. Tokens are hashed first so the
 * constant-time comparison sees equal lengths.
 */
export function makeTokenCheck(token: string): (request: FastifyRequest) => void {
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization;
    const q = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (q !== undefined && request.routeOptions.config?.tokenInQuery !== true) {
      throw new HttpError(
        401,
        ErrorCodes.SERVER_AUTH,
        `A token in the URL (?access_token=) is accepted only where a browser cannot send a header ` +
          `(${TOKEN_IN_QUERY_ROUTES.join(', ')}): send \`Authorization: Bearer <token>\` instead`,
      );
    }
    let given: string | undefined;
    if (typeof header === 'string' && /^Bearer\s+/i.test(header)) given = header.replace(/^Bearer\s+/i, '').trim();
    else if (typeof q === 'string') given = q;
    if (given === undefined)
      throw new HttpError(401, ErrorCodes.SERVER_AUTH, 'This server needs a token: send `Authorization: Bearer <token>`');
    if (!timingSafeEqual(digest(given), expected)) throw new HttpError(401, ErrorCodes.SERVER_AUTH, 'The token is wrong');
  };
}

/**
 * The token check as an `onRequest` hook. It decides on the route the router matched, never on the raw URL
 * (the router decodes `%61pi` to `api`): a route is open only when it says so, and an unmatched path needs
 * the token too, so a spelling the router understands differently cannot slip past (deny by default).
 */
export function makeAuthHook(token: string): (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  const check = makeTokenCheck(token);
  // Calls `done` rather than being async (a promise and a microtask less per request); a refusal goes to `done`.
  return (request, _reply, done) => {
    try {
      if (request.routeOptions.config?.public !== true) check(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for an IP address only this machine can reach (127.0.0.0/8, ::1, and IPv4-mapped 127.x). */
export function isLoopbackAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return LOOPBACK.check(mapped[1], 'ipv4');
  const family = isIP(address);
  return family === 4 ? LOOPBACK.check(address, 'ipv4') : family === 6 ? LOOPBACK.check(address, 'ipv6') : false;
}

/**
 * Where a `host` setting would listen: its addresses as this machine resolves them (an IP literal is its own
 * address; a name that does not resolve has none). Judged by address, never by spelling: `127.0.0.1.nip.io`
 * is a public name whatever it looks like.
 */
export async function resolveBindHost(host: string): Promise<{ host: string; addresses: string[]; loopback: boolean }> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(bare)) addresses = [bare];
  else
    addresses = await lookup(bare, { all: true }).then(
      (found) => found.map((a) => a.address),
      () => [],
    );
  return { host: bare, addresses, loopback: addresses.length > 0 && addresses.every(isLoopbackAddress) };
}
