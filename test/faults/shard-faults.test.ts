/**
 * Shards under faults and at scale: parquet read in one pass whatever the row-group size, lying parquet
 * footers refused, damaged tars keep what came before the damage, keys that round-trip (`#`, folders),
 * shards recognised by content, and tar members that the sample does not use never held in memory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { ByteWriter, ParquetWriter, parquetWriteFile, schemaFromColumnData } from 'hyparquet-writer';
import { Rosetta } from '../../src/rosetta.js';
import { readShard } from '../../src/datasets/shards/read-shard.js';
import { keyOfLocation } from '../../src/datasets/shards/shard-sample.js';
import { writeWebdatasetTar, type SampleToWrite } from '../../src/datasets/shards/write-shards.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { indexMeasured } from './child-cli.js';

const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
let root: string;
let model: string;
let samples: SampleToWrite[];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-shard-faults-'));
  model = buildTinyClip();
  samples = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => ({
      key: String(i).padStart(9, '0'),
      image: await colourImage(COLOURS[i % 4], { format: 'jpeg', seed: i + 1 }),
      caption: `a ${COLOURS[i % 4]} square`,
    })),
  );
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

async function collect(path: string) {
  const out = [];
  for await (const s of readShard(path)) out.push(s);
  return out;
}

/** Bytes this process has read through read(2) and friends, page cache included (Linux). */
function bytesRead(): number {
  return Number(/rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

function metadataColumns(rows: number) {
  return [
    { name: 'key', data: Array.from({ length: rows }, (_, i) => String(i).padStart(9, '0')), type: 'STRING' as const },
    {
      name: 'url',
      data: Array.from({ length: rows }, (_, i) => `https://images.example.org/${i}/photo-${((i * 2654435761) >>> 0).toString(36)}.jpg`),
      type: 'STRING' as const,
    },
    { name: 'caption', data: Array.from({ length: rows }, (_, i) => `photo ${i} of a ${COLOURS[i % 4]} thing`), type: 'STRING' as const },
  ];
}

type Forge = (
  w: ParquetWriter & {
    num_rows: bigint;
    row_groups: {
      num_rows: bigint;
      columns: { meta_data?: { num_values: bigint; data_page_offset: bigint; dictionary_page_offset?: bigint } }[];
    }[];
  },
) => void;

/** A parquet file whose footer is altered by `forge` before it is written. */
async function forgedParquet(path: string, rows: number, forge: Forge): Promise<void> {
  const columnData = metadataColumns(rows);
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }) });
  await pq.write({ columnData, rowGroupSize: rows });
  forge(pq as Parameters<Forge>[0]);
  await pq.finish();
  writeFileSync(path, new Uint8Array(writer.getBuffer()));
}

describe('parquet shards', () => {
  it(
    'are read in one pass, with a single large row group as with many small ones',
    { skip: !existsSync('/proc/self/io') && 'needs /proc/self/io' },
    async () => {
      const rows = 30_000;
      const one = join(root, 'one-group.parquet');
      const many = join(root, 'many-groups.parquet');
      parquetWriteFile({ filename: one, columnData: metadataColumns(rows), rowGroupSize: rows });
      parquetWriteFile({ filename: many, columnData: metadataColumns(rows), rowGroupSize: 2_000 });
      for (const path of [one, many]) {
        const before = bytesRead();
        let n = 0;
        let last = '';
        for await (const s of readShard(path)) {
          n += 1;
          last = `${s.key} ${s.url} ${s.caption}`;
        }
        const read = bytesRead() - before;
        const size = statSync(path).size;
        assert.equal(n, rows);
        assert.equal(
          last,
          `000029999 https://images.example.org/29999/photo-${((29999 * 2654435761) >>> 0).toString(36)}.jpg photo 29999 of a yellow thing`,
        );
        // Re-reading the row group for every batch of rows read it ~100 times over (quadratic in the group size).
        assert.ok(read < 3 * size + 1_000_000, `${path}: read ${(read / 1e6).toFixed(1)} MB of a ${(size / 1e6).toFixed(1)} MB file`);
      }
    },
  );

  it(
    'refuse a footer that claims rows or bytes the file does not have, naming the file, instead of reading for hours',
    { timeout: 60_000 },
    async () => {
      const T = 10n ** 12n;
      const forgeries: [string, Forge][] = [
        [
          'file-rows',
          (w) => {
            w.num_rows = T;
          },
        ],
        [
          'group-rows',
          (w) => {
            w.num_rows = T;
            w.row_groups[0].num_rows = T;
          },
        ],
        [
          'group-and-values',
          (w) => {
            w.num_rows = T;
            w.row_groups[0].num_rows = T;
            for (const c of w.row_groups[0].columns) c.meta_data!.num_values = T;
          },
        ],
        [
          'more-rows-than-values',
          (w) => {
            w.num_rows += 5n;
            w.row_groups[0].num_rows += 5n;
            for (const c of w.row_groups[0].columns) c.meta_data!.num_values += 5n;
          },
        ],
        [
          'chunk-outside',
          (w) => {
            const m = w.row_groups[0].columns[1].meta_data!;
            m.data_page_offset += 10_000_000n;
            if (m.dictionary_page_offset !== undefined) m.dictionary_page_offset += 10_000_000n;
          },
        ],
      ];
      for (const [name, forge] of forgeries) {
        const path = join(root, `${name}.parquet`);
        await forgedParquet(path, 500, forge);
        await assert.rejects(
          collect(path),
          (e: Error & { code?: string }) => {
            assert.equal(e.code, 'ROSETTA_ERR_MEDIA_CORRUPT', `${name}: ${e.message}`);
            assert.ok(e.message.includes(path), e.message);
            return true;
          },
          name,
        );
      }
    },
  );
});

/** A tar written member by member: [name, bytes] pairs, or [name, size] for `size` zero bytes streamed. */
async function writeTar(path: string, members: [string, Buffer | number][]): Promise<void> {
  const tar = pack();
  const done = pipeline(tar, createWriteStream(path));
  const block = Buffer.alloc(1024 * 1024);
  for (const [name, body] of members) {
    if (typeof body !== 'number') {
      await new Promise<void>((resolve, reject) => tar.entry({ name, size: body.byteLength }, body, (e) => (e ? reject(e) : resolve())));
      continue;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry({ name, size: body }, (e) => (e ? reject(e) : resolve()));
      let left = body;
      const more = () => {
        while (left > 0) {
          const n = Math.min(left, block.length);
          left -= n;
          if (!entry.write(block.subarray(0, n))) {
            entry.once('drain', more);
            return;
          }
        }
        (entry as unknown as { end(): void }).end();
      };
      more();
    });
  }
  tar.finalize();
  await done;
}

describe('tar shards', () => {
  it('a truncated shard keeps every complete sample before the damage and reports the damage once, with its offset', async () => {
    const dir = join(root, 'cut');
    mkdirSync(dir);
    const whole = join(root, 'whole.tar');
    await writeWebdatasetTar(whole, samples);
    const bytes = readFileSync(whole);
    const header = bytes.indexOf(Buffer.from(`${samples[11].key}.jpg`));
    const shard = join(dir, '00000.tar');
    writeFileSync(shard, bytes.subarray(0, header + 512 + 100));
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    try {
      const s = await rosetta.index([dir]);
      assert.equal(s.added, 11, 'the 11 complete samples are indexed');
      assert.equal(s.failed, 1, JSON.stringify(s.failures));
      assert.equal(s.failures[0].path, shard);
      assert.equal(s.failures[0].code, 'ROSETTA_ERR_MEDIA_CORRUPT');
      assert.match(s.failures[0].reason, new RegExp(`at byte ${header}\\b`));
    } finally {
      await rosetta.close();
    }
  });

  it('keys with # and %, and equal keys in different folders, get their own locations that survive a pruning re-run', async () => {
    const dir = join(root, 'keys');
    mkdirSync(dir);
    const shard = join(dir, '00000.tar');
    const keys = ['a#1', 'b%231', 'left/000', 'right/000'];
    await writeTar(
      shard,
      keys.flatMap(
        (k, i) =>
          [
            [`${k}.jpg`, samples[i].image!],
            [`${k}.txt`, Buffer.from(samples[i].caption!)],
          ] as [string, Buffer][],
      ),
    );
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    try {
      const first = await rosetta.index([dir], { prune: true });
      assert.deepEqual([first.added, first.failed], [4, 0], JSON.stringify(first.failures));
      const items = await rosetta.store.listItems();
      assert.deepEqual(
        items.flatMap((i) => i.locations.map(keyOfLocation)).sort(),
        [...keys].sort(),
        'each key round-trips from its location',
      );
      const right = items.find((i) => i.locations.some((l) => keyOfLocation(l) === 'right/000'))!;
      assert.equal(right.meta.caption, samples[3].caption);
      const again = await rosetta.index([dir], { prune: true });
      assert.deepEqual([again.added, again.updated, again.skipped, again.pruned, again.failed], [0, 0, 4, 0, 0]);
    } finally {
      await rosetta.close();
    }
  });

  it('a picture named .tar or .parquet is indexed as the picture it is, not read as a shard', async () => {
    const dir = join(root, 'named');
    mkdirSync(dir);
    writeFileSync(join(dir, 'holiday.tar'), await colourImage('red', { format: 'png', seed: 40 }));
    writeFileSync(join(dir, 'beach.parquet'), await colourImage('blue', { format: 'png', seed: 41 }));
    await writeWebdatasetTar(join(dir, 'real.tar'), samples.slice(0, 2));
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    try {
      const s = await rosetta.index([dir]);
      assert.deepEqual([s.added, s.failed], [4, 0], JSON.stringify(s.failures));
      const locations = (await rosetta.store.listItems()).flatMap((i) => i.locations).sort();
      assert.deepEqual(locations, [
        join(dir, 'beach.parquet'),
        join(dir, 'holiday.tar'),
        `${join(dir, 'real.tar')}#${samples[0].key}`,
        `${join(dir, 'real.tar')}#${samples[1].key}`,
      ]);
    } finally {
      await rosetta.close();
    }
  });

  it('an image member over the bound fails its sample with MEDIA_TOO_LARGE; the shard goes on', async () => {
    const dir = join(root, 'big-member');
    mkdirSync(dir);
    const shard = join(dir, '00000.tar');
    await writeTar(shard, [
      ['000.jpg', samples[0].image!],
      ['000.txt', Buffer.from('a red square')],
      ['001.jpg', 65 * 1024 * 1024],
      ['002.jpg', samples[2].image!],
    ]);
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    try {
      const s = await rosetta.index([dir]);
      assert.equal(s.added, 2);
      assert.deepEqual(
        s.failures.map((f) => [f.path, f.code]),
        [[`${shard}#001`, 'ROSETTA_ERR_MEDIA_TOO_LARGE']],
      );
      assert.match(s.failures[0].reason, /001\.jpg/);
    } finally {
      await rosetta.close();
    }
  });

  it('peak memory does not grow with members a sample does not use (12 × 40 MB beside its picture)', { timeout: 300_000 }, async (t) => {
    const peak = async (name: string, extras: number) => {
      const dir = join(root, name);
      mkdirSync(dir);
      const members: [string, Buffer | number][] = [
        ['000.jpg', samples[0].image!],
        ['000.txt', Buffer.from('a red square')],
      ];
      for (let i = 0; i < extras; i += 1) members.push([`000.extra${i}.npy`, 40 * 1024 * 1024]);
      members.push(['001.jpg', samples[1].image!]);
      await writeTar(join(dir, '00000.tar'), members);
      const run = await indexMeasured(join(root, `${name}-collection`), model, [dir], {}, { timeoutMs: 240_000 });
      rmSync(dir, { recursive: true, force: true });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).added, 2, run.stdout);
      return run.peakRssMb;
    };
    const plain = await peak('plain', 0);
    const heavy = await peak('heavy', 12);
    t.diagnostic(`peak RSS ${plain.toFixed(0)} MB without the extra members, ${heavy.toFixed(0)} MB with 12 × 40 MB of them`);
    // Holding every member of the key costs at least their 480 MB.
    assert.ok(heavy - plain < 150, `peak RSS ${plain.toFixed(0)} MB → ${heavy.toFixed(0)} MB`);
  });
});
