import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { parquetWriteFile } from 'hyparquet-writer';

/** A sample to write into a shard: what img2dataset produces per image. */
export interface SampleToWrite {
  key: string;
  image?: Buffer;
  /** Extension of `image` in a tar shard (default jpg). */
  ext?: string;
  caption?: string;
  url?: string;
  json?: Record<string, unknown>;
}

/** Writes a webdataset tar shard (`key.<ext>`, `key.txt`, `key.json`), streaming one member at a time. */
export async function writeWebdatasetTar(path: string, samples: Iterable<SampleToWrite> | AsyncIterable<SampleToWrite>): Promise<void> {
  const tar = pack();
  const done = pipeline(tar, createWriteStream(path));
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) =>
      tar.entry({ name, size: body.byteLength, mtime: new Date(0) }, body, (e) => (e ? reject(e) : resolve())),
    );
  for await (const s of samples) {
    if (s.image) await add(`${s.key}.${s.ext ?? 'jpg'}`, s.image);
    if (s.caption !== undefined) await add(`${s.key}.txt`, Buffer.from(s.caption));
    await add(`${s.key}.json`, Buffer.from(JSON.stringify({ key: s.key, caption: s.caption, url: s.url, ...s.json })));
  }
  tar.finalize();
  await done;
}

/** Writes an img2dataset-style parquet shard: key, url, caption, and the image bytes in a `jpg` column when given. */
export function writeParquetShard(path: string, samples: SampleToWrite[]): void {
  const columnData = [
    { name: 'key', data: samples.map((s) => s.key), type: 'STRING' as const },
    { name: 'url', data: samples.map((s) => s.url ?? null), type: 'STRING' as const },
    { name: 'caption', data: samples.map((s) => s.caption ?? null), type: 'STRING' as const },
  ];
  if (samples.some((s) => s.image))
    columnData.push({ name: 'jpg', data: samples.map((s) => s.image ?? null) as never, type: 'BYTE_ARRAY' as never });
  parquetWriteFile({ filename: path, columnData });
}
