/**
 * Milvus against the embedded LanceDB store, in one run on the same data: ingest rate through the VectorStore
 * (commitItems in batches, as the ingest pipeline commits), the time until searches use an index, search p50/p99
 * and recall@10 at k = 10, and resident memory (the Milvus server process; this process for LanceDB, which runs
 * inside Rosetta). Milvus is the set-up's Milvus 2.3.5 (scripts/python/requirements.d/milvus.txt), started with its
 * default settings on free loopback ports in a temporary folder (test/helpers/milvus-server.ts).
 *
 *   flock /tmp/rosetta-heavy.lock npx tsx bench/milvus.ts                       # 100k × 512 d
 *   flock /tmp/rosetta-heavy.lock npx tsx bench/milvus.ts --n 1000000 --queries 100
 *   flags: --n 100000 --dim 512 --queries 200 --batch 5000 --recall-queries 50 --only milvus|lancedb
 *
 * Data: clustered unit vectors (Gaussian centres + noise), queries from the same distribution, not in the table.
 * Recall@10 is against a brute-force scan of `--recall-queries` queries.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { openLanceStore } from '../src/store/lancedb/lance-store.js';
import { openMilvusStore } from '../src/store/milvus/milvus-store.js';
import type { ItemCommit, SpaceTableInfo, VectorStore } from '../src/store/vector-store.js';
import { vectorTableName } from '../src/store/keys.js';
import { MilvusHarness } from '../test/helpers/milvus-server.js';
import { arg, printTable } from './lib.js';
import { benchRandom, normaliseInPlace } from './synthetic-vectors.js';

const N = Number(arg('n', '100000'));
const DIM = Number(arg('dim', '512'));
const QUERIES = Number(arg('queries', '200'));
const BATCH = Number(arg('batch', '5000'));
const RECALL_QUERIES = Number(arg('recall-queries', '50'));
const ONLY = arg('only', '');
const K = 10;
const space: SpaceTableInfo = { spaceId: 'bench', version: '1', dim: DIM };
const log = (s: string) => process.stderr.write(`${s}\n`);

function clustered(n: number, q: number, seed: number): { data: Float32Array; queries: Float32Array } {
  const r = benchRandom(seed);
  const clusters = Math.max(10, Math.round(n / 100));
  const centres = new Float32Array(clusters * DIM);
  for (let i = 0; i < centres.length; i++) centres[i] = r.gauss();
  for (let c = 0; c < clusters; c++) normaliseInPlace(centres.subarray(c * DIM, (c + 1) * DIM));
  const draw = (count: number) => {
    const out = new Float32Array(count * DIM);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(r.uniform() * clusters) * DIM;
      const v = out.subarray(i * DIM, (i + 1) * DIM);
      for (let j = 0; j < DIM; j++) v[j] = centres[c + j] + 0.04 * r.gauss();
      normaliseInPlace(v);
    }
    return out;
  };
  return { data: draw(n), queries: draw(q) };
}

function truth(data: Float32Array, queries: Float32Array, count: number): Set<number>[] {
  const out: Set<number>[] = [];
  for (let qi = 0; qi < count; qi++) {
    const q = queries.subarray(qi * DIM, (qi + 1) * DIM);
    const best: [number, number][] = [];
    for (let i = 0; i < N; i++) {
      let s = 0;
      const o = i * DIM;
      for (let j = 0; j < DIM; j++) s += q[j] * data[o + j];
      if (best.length < K || s > best[K - 1][0]) {
        best.push([s, i]);
        best.sort((a, b) => b[0] - a[0]);
        if (best.length > K) best.pop();
      }
    }
    out.push(new Set(best.map(([, i]) => i)));
  }
  return out;
}

function commitsOf(data: Float32Array, start: number, end: number): ItemCommit[] {
  const commits: ItemCommit[] = [];
  for (let i = start; i < end; i++) {
    const hash = `h${i}`;
    const seg = `${hash}:image:0`;
    commits.push({
      item: {
        hash,
        modality: 'image',
        locations: [`/bench/${i}.jpg`],
        mime: 'image/jpeg',
        size: i % 1000,
        mtimeMs: 0,
        tags: [],
        meta: {},
        indexedAt: 0,
        spaces: ['bench@1'],
      },
      segments: [{ id: seg, itemHash: hash, kind: 'image', index: 0 }],
      vectors: { bench: [{ segmentId: seg, itemHash: hash, vector: data.subarray(i * DIM, (i + 1) * DIM) }] },
      spaces: [space],
    });
  }
  return commits;
}

const rssOf = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

interface Row {
  engine: string;
  n: number;
  ingestItemsPerS: number;
  indexReadyS: number;
  p50Ms: number;
  p99Ms: number;
  recallAt10: number;
  rssMiB: string;
}

async function run(
  engine: string,
  store: VectorStore,
  data: Float32Array,
  queries: Float32Array,
  want: Set<number>[],
  waitIndex: () => Promise<void>,
  rss: () => string,
): Promise<Row> {
  let t = performance.now();
  for (let start = 0; start < N; start += BATCH) {
    await store.commitItems(commitsOf(data, start, Math.min(N, start + BATCH)));
    if ((start / BATCH) % 10 === 9) log(`  ${engine}: ${start + BATCH} rows in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const ingestS = (performance.now() - t) / 1000;
  log(`${engine}: ingest ${ingestS.toFixed(1)} s (${Math.round(N / ingestS)} items/s)`);
  t = performance.now();
  await waitIndex();
  const indexReadyS = (performance.now() - t) / 1000;
  log(`${engine}: index ready after ${indexReadyS.toFixed(1)} s more`);
  for (let i = 0; i < 20; i++) await store.search(space, queries.subarray(0, DIM), { k: K });
  const lat: number[] = [];
  let hit = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = queries.subarray(i * DIM, (i + 1) * DIM);
    const s = performance.now();
    const hits = await store.search(space, q, { k: K });
    lat.push(performance.now() - s);
    if (i < want.length) hit += hits.filter((h) => want[i].has(Number(h.itemHash.slice(1)))).length;
  }
  lat.sort((a, b) => a - b);
  const row = {
    engine,
    n: N,
    ingestItemsPerS: Math.round(N / ingestS),
    indexReadyS: +indexReadyS.toFixed(1),
    p50Ms: +pct(lat, 0.5).toFixed(2),
    p99Ms: +pct(lat, 0.99).toFixed(2),
    recallAt10: +(hit / (Math.min(want.length, QUERIES) * K)).toFixed(3),
    rssMiB: rss(),
  };
  log(JSON.stringify(row));
  return row;
}

const { data, queries } = clustered(N, QUERIES, 42 + N);
log(`${N} vectors × ${DIM} d; brute-force truth for ${RECALL_QUERIES} queries...`);
const want = truth(data, queries, RECALL_QUERIES);
const rows: Row[] = [];

if (ONLY !== 'milvus') {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-lance-'));
  const before = Math.round(process.memoryUsage().rss / 2 ** 20);
  const store = await openLanceStore(dir);
  try {
    rows.push(
      await run(
        'LanceDB (embedded, usearch HNSW)',
        store,
        data,
        queries,
        want,
        () => store.optimize(),
        () => `${Math.round(process.memoryUsage().rss / 2 ** 20)} (this process; ${before} before)`,
      ),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (ONLY !== 'lancedb') {
  // Milvus's own defaults (the test helper shortens its ticks for tests): what a user's server does.
  const milvus = await MilvusHarness.start('milvus', {
    settings: { 'proxy.timeTickInterval': 200, 'queryCoord.checkInterval': 1000, 'queryCoord.distPullInterval': 500 },
  });
  const idle = rssOf(milvus.pid!);
  const store = await openMilvusStore({ address: milvus.address, prefix: 'bench_' });
  const client = new MilvusClient({ address: milvus.address });
  const collection = vectorTableName(space.spaceId, 'milvus', 'bench_');
  try {
    rows.push(
      await run(
        `Milvus ${store.serverVersion} (HNSW M 16, efConstruction 200, ef 64)`,
        store,
        data,
        queries,
        want,
        async () => {
          // Searches use the HNSW index once the data is sealed and indexed: flush, then wait until every row is indexed.
          await store.optimize();
          for (;;) {
            const d = await client.describeIndex({ collection_name: collection, field_name: 'vector' });
            const info = d.index_descriptions?.[0];
            if (info && Number(info.indexed_rows) >= N && Number(info.pending_index_rows ?? 0) === 0) break;
            await new Promise((r) => setTimeout(r, 1000));
          }
        },
        () => `${rssOf(milvus.pid!)} (server; ${idle} idle)`,
      ),
    );
  } finally {
    await client.closeConnection();
    await store.close();
    await milvus.close();
  }
}

printTable(
  `${N.toLocaleString('en')} vectors × ${DIM} d, k = ${K}, ${QUERIES} queries, batches of ${BATCH}`,
  rows as unknown as Record<string, string | number>[],
);
