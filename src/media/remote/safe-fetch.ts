import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { isPrivateAddress } from './address-ranges.js';

export { isPrivateAddress };

export interface SafeFetchOptions {
  maxBytes: number;
  /** Allow private and loopback addresses (a trusted network). */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxRedirects?: number;
  /** The resolver behind the guard (default `dns.lookup`); tests give one that answers chosen addresses. */
  resolve?: typeof dnsLookup;
}

const forbidden = (url: string, why: string) =>
  new RosettaError(ErrorCodes.SERVER_FORBIDDEN_URL, `Refusing to fetch ${url}: ${why}`, {
    setting: 'allowPrivateUrls',
    hint: 'only public http(s) addresses can be fetched; start the server with --allow-private-urls on a trusted network',
  });

/**
 * Fetches an http(s) URL for a client, refusing private addresses. The check runs in the socket's own DNS
 * lookup, so the address tested is the address connected to (no DNS-rebinding window); redirects are
 * followed by hand and each hop is checked again.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<Buffer> {
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop += 1) {
    const result = await fetchOnce(current, options);
    if ('redirect' in result) {
      current = new URL(result.redirect, current).toString();
      continue;
    }
    return result.body;
  }
  throw forbidden(url, 'too many redirects');
}

function fetchOnce(url: string, options: SafeFetchOptions): Promise<{ body: Buffer } | { redirect: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw forbidden(url, 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw forbidden(url, 'only http and https are allowed');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) throw forbidden(url, `${host} is a private or loopback address`);
  const lookup = guardedLookup(url, options);
  const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    // A fresh connection each time (no agent): a pooled keep-alive socket would skip the guarded lookup.
    const req = request(parsed, { method: 'GET', lookup, agent: false, timeout: options.timeoutMs ?? 30_000 }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        resolvePromise({ redirect: res.headers.location });
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${url}: HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > options.maxBytes) {
          req.destroy();
          reject(new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${url} is larger than the ${options.maxBytes}-byte upload limit`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolvePromise({ body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new RosettaError(ErrorCodes.MEDIA_TIMEOUT, `Fetching ${url} timed out`)));
    req.on('error', (error) =>
      reject(RosettaError.is(error) ? error : new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${url}: ${error.message}`)),
    );
    req.end();
  });
}

/**
 * The socket's DNS lookup, refusing private addresses: the address checked is the address connected to, so
 * DNS rebinding has no window. Keeps Node's contract: with `all` (what Node 20's connection racing asks for)
 * it answers every address, and refuses the name if any of them is private.
 */
export function guardedLookup(url: string, options: Pick<SafeFetchOptions, 'allowPrivate' | 'resolve'>): LookupFunction {
  const resolve = options.resolve ?? dnsLookup;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (err: NodeJS.ErrnoException | null, answers: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const list = Array.isArray(answers) ? answers : [];
      const blocked = options.allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (blocked || list.length === 0) {
        const why = blocked ? `${hostname} resolves to the private address ${blocked.address}` : `${hostname} has no address`;
        callback(forbidden(url, why) as unknown as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (lookupOptions.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}
