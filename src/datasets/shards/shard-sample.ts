/** One record of a LAION-style shard: an image (bytes, or a URL to fetch) with its caption. */
export interface ShardSample {
  /** The shard file it came from (absolute path). */
  shard: string;
  /** The sample's key inside the shard (webdataset basename, parquet `key` column or row number). */
  key: string;
  /** Image bytes when the shard embeds them. */
  image?: Buffer;
  /** Where the image can be fetched when it is not embedded. */
  url?: string;
  caption?: string;
  /** The sample's JSON sidecar / remaining scalar columns (img2dataset writes status, sizes, url…). */
  json?: Record<string, unknown>;
}

/** The location a sample is stored under: `<shard>#<key>`, so a shard's items are found by path glob like files. */
export function sampleLocation(shard: string, key: string): string {
  return `${shard}#${key}`;
}

/** The shard file of a `<shard>#<key>` location, or undefined for a plain path. */
export function shardOfLocation(location: string): string | undefined {
  const at = location.lastIndexOf('#');
  return at > 0 && isShardPath(location.slice(0, at)) ? location.slice(0, at) : undefined;
}

/** Shards are recognised by their extension: webdataset `.tar` and `.parquet`. */
export function isShardPath(path: string): boolean {
  return /\.(tar|parquet)$/i.test(path);
}
