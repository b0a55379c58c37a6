import { invalidArgument } from '../../util/validate.js';
import type { MilvusStoreOptions } from './milvus-store.js';

/**
 * Milvus settings from `milvus://host:19530[/database][?prefix=rosetta_]`; the token comes separately
 * (flag or ROSETTA_MILVUS_TOKEN) so it stays out of URLs that get logged.
 */
export function parseMilvusUrl(url: string, token?: string): MilvusStoreOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidArgument('store', 'a Milvus URL like milvus://127.0.0.1:19530', url);
  }
  if (u.protocol !== 'milvus:') throw invalidArgument('store', 'a milvus:// URL (milvus://host:19530[/database][?prefix=…])', url);
  const database = u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined;
  return { address: `${u.hostname}:${u.port || '19530'}`, database, prefix: u.searchParams.get('prefix') ?? undefined, token };
}
