import { createHash, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
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
  else addresses = await lookup(bare, { all: true }).then((found) => found.map((a) => a.address), () => []);
  return { host: bare, addresses, loopback: addresses.length > 0 && addresses.every(isLoopbackAddress) };
}
