import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ErrorCodes } from '../errors/codes.js';
import { HttpError } from './http-errors.js';

/** Address ranges a server must not fetch on a client's behalf (SSRF): loopback, private, link-local, etc. */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  BLOCKED.addSubnet(net, bits, 'ipv6');
}

/** True when an IP literal is loopback, private, link-local or otherwise not a public address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export interface SafeFetchOptions {
  maxBytes: number;
  /** Allow private and loopback addresses (a trusted network). */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxRedirects?: number;
}

const forbidden = (url: string, why: string) => new HttpError(403, ErrorCodes.SERVER_FORBIDDEN_URL, `Refusing to fetch ${url}: ${why}`,
  { setting: 'allowPrivateUrls', hint: 'only public http(s) addresses can be fetched; start the server with --allow-private-urls on a trusted network' });

/**
 * Fetches an http(s) URL for a client, refusing private addresses. The check runs in the socket's own DNS
 * lookup, so the address tested is the address connected to (no DNS-rebinding window); redirects are
 * followed by hand and each hop is checked again.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<Buffer> {
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop += 1) {
    const result = await fetchOnce(current, options);
    if ('redirect' in result) { current = new URL(result.redirect, current).toString(); continue; }
    return result.body;
  }
  throw forbidden(url, 'too many redirects');
}

function fetchOnce(url: string, options: SafeFetchOptions): Promise<{ body: Buffer } | { redirect: string }> {
  let parsed: URL;
  try { parsed = new URL(url); } catch { throw forbidden(url, 'not a valid URL'); }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw forbidden(url, 'only http and https are allowed');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) throw forbidden(url, `${host} is a private or loopback address`);
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: false }, (err, address, family) => {
      if (err) { callback(err, '', 0); return; }
      if (!options.allowPrivate && isPrivateAddress(address as string)) {
        callback(forbidden(url, `${hostname} resolves to the private address ${address}`) as unknown as NodeJS.ErrnoException, '', 0);
        return;
      }
      callback(null, address as string, family as number);
    });
  };
  const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = request(parsed, { method: 'GET', lookup, timeout: options.timeoutMs ?? 30_000 }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) { res.resume(); resolvePromise({ redirect: res.headers.location }); return; }
      if (status !== 200) {
        res.resume();
        reject(new HttpError(422, ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${url}: HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > options.maxBytes) {
          req.destroy();
          reject(new HttpError(413, ErrorCodes.MEDIA_TOO_LARGE, `${url} is larger than the ${options.maxBytes}-byte upload limit`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolvePromise({ body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new HttpError(504, ErrorCodes.MEDIA_TIMEOUT, `Fetching ${url} timed out`)));
    req.on('error', (error) => reject(error instanceof HttpError ? error
      : new HttpError(422, ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${url}: ${error.message}`)));
    req.end();
  });
}
