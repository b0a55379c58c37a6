import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { readShard } from '../../src/datasets/shards/read-shard.js';
import { writeParquetShard, writeWebdatasetTar, type SampleToWrite } from '../../src/datasets/shards/write-shards.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
let root: string;
let model: string;
let samples: SampleToWrite[];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-shards-'));
  model = buildTinyClip();
  samples = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => ({
      key: String(i).padStart(9, '0'),
      image: await colourImage(COLOURS[i % 4], { format: 'jpeg', seed: i + 1 }),
      caption: `a ${COLOURS[i % 4]} square`,
      json: { status: 'success' },
    })),
  );
});
after(() => rmSync(root, { recursive: true, force: true }));

async function collect(path: string) {
  const out = [];
  for await (const s of readShard(path)) out.push(s);
  return out;
}

describe('shard readers', () => {
  it('stream a webdataset tar shard: one sample per key with its image bytes, caption and JSON', async () => {
    const path = join(root, '00000.tar');
    await writeWebdatasetTar(path, samples);
    const read = await collect(path);
    assert.equal(read.length, 12);
    assert.deepEqual(
      read.map((s) => s.key),
      samples.map((s) => s.key),
    );
    assert.ok(
      read.every((s, i) => s.image?.equals(samples[i].image!)),
      'image bytes round-trip',
    );
    assert.equal(read[5].caption, 'a green square');
    assert.equal(read[5].json?.status, 'success');
  });

  it('stream a parquet shard with embedded bytes, and one with URLs only', async () => {
    const path = join(root, 'embedded.parquet');
    writeParquetShard(path, samples);
    const read = await collect(path);
    assert.equal(read.length, 12);
    assert.ok(read.every((s, i) => s.image?.equals(samples[i].image!) && s.caption === samples[i].caption && s.key === samples[i].key));
    const urls = join(root, 'urls.parquet');
    writeParquetShard(
      urls,
      samples.slice(0, 3).map((s) => ({ key: s.key, caption: s.caption, url: `https://example.org/${s.key}.jpg` })),
    );
    const u = await collect(urls);
    assert.deepEqual(
      u.map((s) => [s.image, s.url]),
      samples.slice(0, 3).map((s) => [undefined, `https://example.org/${s.key}.jpg`]),
    );
  });

  it('names a truncated tar shard in a MEDIA_CORRUPT error after yielding the samples before the damage', async () => {
    const path = join(root, 'whole.tar');
    await writeWebdatasetTar(path, samples);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);
    const cut = join(root, 'cut.tar');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
    const got: string[] = [];
    await assert.rejects(
      async () => {
        for await (const s of readShard(cut)) got.push(s.key);
      },
      (e: Error & { code?: string }) => e.code === 'ROSETTA_ERR_MEDIA_CORRUPT' && e.message.includes(cut),
    );
    assert.ok(got.length > 0 && got.length < 12, `read ${got.length} samples before the damage`);
  });
});

describe('shard ingest (in-process)', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      const i = Number(/\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1]);
      if (!Number.isInteger(i) || !samples[i]) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'image/jpeg');
      res.end(samples[i].image);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('indexes tar and parquet shards: one item per sample, captions kept as paired text, found by keyword and search, skipped when unchanged', async () => {
    const dir = join(root, 'ingest');
    mkdirSync(join(dir, 'shards'), { recursive: true });
    await writeWebdatasetTar(join(dir, 'shards', '00000.tar'), samples.slice(0, 8));
    writeParquetShard(join(dir, 'shards', '00001.parquet'), samples.slice(8));
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    const s = await rosetta.index([join(dir, 'shards')]);
    assert.equal(s.failed, 0, JSON.stringify(s.failures));
    assert.equal(s.added, 12);
    assert.equal(await rosetta.store.countItems(), 12);
    const items = await rosetta.store.listItems();
    const sample9 = items.find((i) => i.locations[0].endsWith('00001.parquet#000000009'))!;
    assert.equal(sample9.meta.caption, 'a green square');
    assert.deepEqual(
      (await rosetta.store.getItemSegments(sample9.hash)).map((g) => [g.kind, g.text]),
      [
        ['caption', 'a green square'],
        ['image', undefined],
      ],
    );
    const [top] = await rosetta.search('blue', { k: 1 });
    assert.match(top.path, /#00000000[26]$|#000000010$/, 'a blue sample ranks first');
    const hits = await rosetta.store.searchText!('yellow', { k: 10 });
    assert.equal(new Set(hits.map((h) => h.itemHash)).size, 3, 'the three yellow captions are found by keyword');
    const again = await rosetta.index([join(dir, 'shards')]);
    assert.deepEqual([again.added, again.updated, again.skipped, again.failed], [0, 0, 12, 0]);
    await rosetta.close();
  });

  it('fetches URL-only samples through the SSRF guard: loopback refused by default, fetched when private URLs are allowed', async () => {
    const dir = join(root, 'urls');
    mkdirSync(join(dir, 'shards'), { recursive: true });
    writeParquetShard(
      join(dir, 'shards', 'u.parquet'),
      samples
        .slice(0, 4)
        .map((s, i) => ({ key: s.key, caption: s.caption, url: `${base}/${i}.jpg` }))
        .concat([{ key: 'missing', caption: 'gone', url: `${base}/404.jpg` }]),
    );
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    const refused = await rosetta.index([join(dir, 'shards')]);
    assert.equal(refused.added, 0);
    assert.equal(refused.failed, 5);
    assert.ok(
      refused.failures.every((f) => f.code === 'ROSETTA_ERR_SERVER_FORBIDDEN_URL' && f.path.includes('u.parquet#')),
      JSON.stringify(refused.failures),
    );
    const fetched = await rosetta.index([join(dir, 'shards')], { fetch: { allowPrivate: true, backoffMs: 10 } });
    assert.equal(fetched.added, 4);
    assert.deepEqual(
      fetched.failures.map((f) => [f.path.split('#')[1], /HTTP 404/.test(f.reason)]),
      [['missing', true]],
    );
    assert.equal((await rosetta.store.listItems()).find((i) => i.meta.caption === 'a red square')?.meta.source && true, true);
    await rosetta.close();
  });
});

describe('rosetta export --format parquet', () => {
  it("writes ids, paths, captions and vectors like clip-retrieval's embeddings folder, row-aligned", async () => {
    const { runCli } = await import('../helpers/run-cli.js');
    const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
    const { readFileSync } = await import('node:fs');
    const dir = join(root, 'export');
    mkdirSync(join(dir, 'shards'), { recursive: true });
    await writeWebdatasetTar(join(dir, 'shards', '00000.tar'), samples.slice(0, 6));
    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    assert.equal((await rosetta.index([join(dir, 'shards')])).added, 6);
    const space = rosetta.spaces[0];
    await rosetta.close();
    const r = await runCli([
      'export',
      '--format',
      'parquet',
      '--out',
      join(dir, 'out'),
      '--dir',
      join(dir, '.rosetta'),
      '--offline',
      '--rows-per-part',
      '4',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { spaces: { dir: string; rows: number; parts: number; dim: number }[] };
    assert.deepEqual(
      out.spaces.map((s) => [s.rows, s.parts, s.dim]),
      [[6, 2, 8]],
    );
    const rows = [];
    const vectors: Float32Array[] = [];
    for (const n of [0, 1]) {
      rows.push(
        ...(await parquetReadObjects({ file: await asyncBufferFromFile(join(out.spaces[0].dir, 'metadata', `metadata_${n}.parquet`)) })),
      );
      const npy = readFileSync(join(out.spaces[0].dir, 'img_emb', `img_emb_${n}.npy`));
      const headerLen = npy.readUInt16LE(8);
      assert.match(npy.subarray(10, 10 + headerLen).toString('latin1'), /'descr': '<f4', 'fortran_order': False, 'shape': \(\d, 8\)/);
      const body = new Float32Array(new Uint8Array(npy.subarray(10 + headerLen)).buffer);
      for (let i = 0; i < body.length / 8; i += 1) vectors.push(body.slice(i * 8, i * 8 + 8));
    }
    assert.equal(rows.length, 6);
    assert.equal(
      (10 + readFileSync(join(out.spaces[0].dir, 'img_emb', 'img_emb_0.npy')).readUInt16LE(8)) % 64,
      0,
      'npy header aligned to 64 bytes',
    );
    // Each row's vector is that segment's stored vector: re-encode its image and compare.
    const reopened = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    for (const [i, row] of rows.entries()) {
      const key = String(row.image_path).split('#')[1];
      const sample = samples.find((s) => s.key === key)!;
      assert.equal(row.caption, sample.caption);
      assert.equal(row.kind, 'image');
      assert.equal(row.id, `${row.item_hash}:image:0`);
      const { vector } = await reopened.embed(sample.image!, { modality: 'image', space: space.id });
      assert.ok(
        vector.every((x, j) => Math.abs(x - vectors[i][j]) < 1e-5),
        `row ${i} vector`,
      );
    }
    await reopened.close();
  });
});

describe('shards as evaluation and training data', () => {
  it('rosetta eval retrieval and train --pairs read image–caption pairs straight from a shard', async () => {
    const { runCli } = await import('../helpers/run-cli.js');
    const dir = join(root, 'eval');
    mkdirSync(dir, { recursive: true });
    const tar = join(dir, '00000.tar');
    await writeWebdatasetTar(tar, samples);
    writeParquetShard(join(dir, '00001.parquet'), samples.slice(0, 4));
    const r = await runCli(['eval', 'retrieval', '--dataset', tar, '--model', model, '--offline', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as {
      results: { dataset: { images: number; captions: number; format: string }; t2i: { r5: number } }[];
    };
    assert.deepEqual(res.results[0].dataset.images, 12);
    assert.equal(res.results[0].dataset.format, 'webdataset');
    // Captions name the colour and the tiny model maps colours to their directions: the right image is in the top 5.
    assert.ok(res.results[0].t2i.r5 >= 0.9, `R@5 ${res.results[0].t2i.r5}`);
    const folder = await runCli(['eval', 'retrieval', '--dataset', dir, '--model', model, '--offline', '--json']);
    assert.equal((JSON.parse(folder.stdout) as typeof res).results[0].dataset.images, 16, 'a folder of shards reads every shard');

    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
    const fit = await rosetta.trainAdapter(tar, { epochs: 2 });
    assert.equal(fit.saved.pairs, 12);
    assert.deepEqual(fit.skipped, []);
    await rosetta.close();
  });
});
