/**
 * Search benchmark: Rosetta's LanceDB store (exact, then ANN-indexed) against hnswlib-node, in one run.
 *
 *   npx tsx bench/search.ts                                   # 100k vectors, a few minutes
 *   npx tsx bench/search.ts --sizes 100000,1000000            # adds 1M (long: run it in the background)
 *   npx tsx bench/search.ts --sizes 20000,50000 --no-hnsw     # exact-vs-index crossover only
 *   flags: --queries 200 --exact-queries 200 --index IVF_HNSW_SQ,IVF_FLAT --dim 512 --noise 0.04
 *
 * Data: clustered unit vectors (Gaussian centres + noise, renormalised), the shape real embeddings
 * have. Queries come from the same distribution but are not in the table. Recall@10 is measured
 * against a brute-force scan (ONNX Runtime Gemm + TopK); the store's exact mode is measured too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/onnx/graph-builder.js';
import { openLanceStore, type ItemCommit } from '../src/store/lancedb/lance-store.js';
import type { IndexType } from '../src/store/lancedb/index-policy.js';
import type { SpaceTableInfo } from '../src/store/vector-store.js';
import { benchRandom, normaliseInPlace } from './synthetic-vectors.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const SIZES = flag('sizes', '100000').split(',').map(Number);
const DIM = Number(flag('dim', '512'));
const QUERIES = Number(flag('queries', '200'));
const K = 10;
const NOISE = Number(flag('noise', '0.04'));
const WITH_HNSW = !args.includes('--no-hnsw');
const INDEX_TYPES_RUN = flag('index', 'IVF_HNSW_SQ,IVF_FLAT').split(',') as IndexType[];
const EXACT_QUERIES = Number(flag('exact-queries', '200')); // flat scans are slow at 1M: time a subset

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
      for (let j = 0; j < DIM; j++) v[j] = centres[c + j] + NOISE * r.gauss();
      normaliseInPlace(v);
    }
    return out;
  };
  return { data: draw(n), queries: draw(q) };
}

/**
 * Ground truth by brute force: queries × data chunk products and a TopK, as one ONNX graph run by
 * onnxruntime-node (a plain JS loop takes minutes at 1M), merged across chunks in JS.
 */
async function bruteForce(data: Float32Array, queries: Float32Array): Promise<number[][]> {
  const g = new GraphBuilder('truth');
  const qIn = g.input('q', 'float32', ['nq', DIM]);
  const xIn = g.input('x', 'float32', ['n', DIM]);
  const scores = g.op1('Gemm', [qIn, xIn], { transB: 1 });
  g.op('TopK', [scores, g.constInt64([K])], { axis: 1 }, ['values', 'indices']);
  g.output('values', 'float32', ['nq', K]);
  g.output('indices', 'int64', ['nq', K]);
  const session = await ort.InferenceSession.create(g.toBytes());
  const nq = queries.length / DIM, n = data.length / DIM, CHUNK = 50_000;
  const best: { s: number; i: number }[][] = Array.from({ length: nq }, () => []);
  for (let start = 0; start < n; start += CHUNK) {
    const rows = Math.min(CHUNK, n - start);
    const out = await session.run({
      q: new ort.Tensor('float32', queries, [nq, DIM]),
      x: new ort.Tensor('float32', data.subarray(start * DIM, (start + rows) * DIM), [rows, DIM]),
    });
    const v = out.values.data as Float32Array, idx = out.indices.data as BigInt64Array;
    for (let qi = 0; qi < nq; qi++) for (let j = 0; j < K; j++) best[qi].push({ s: v[qi * K + j], i: start + Number(idx[qi * K + j]) });
    for (const b of best) { b.sort((a, c) => c.s - a.s); b.length = Math.min(b.length, K); }
  }
  await session.release();
  return best.map((b) => b.map((x) => x.i));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Row { engine: string; settings: string; build: string; recall: number; p50: number; p99: number }

async function timeQueries(queries: Float32Array, run: (q: Float32Array) => Promise<number[]> | number[], truth: number[][], count = QUERIES) {
  const lat: number[] = [];
  let hit = 0;
  for (let i = 0; i < count; i++) {
    const q = queries.subarray(i * DIM, (i + 1) * DIM);
    const t = performance.now();
    const ids = await run(q);
    lat.push(performance.now() - t);
    const want = new Set(truth[i]);
    hit += ids.filter((x) => want.has(x)).length;
  }
  lat.sort((a, b) => a - b);
  return { recall: hit / (count * K), p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

async function benchSize(n: number): Promise<Row[]> {
  const rows: Row[] = [];
  let t = performance.now();
  const { data, queries } = clustered(n, QUERIES, 42 + n);
  console.log(`\n## ${n.toLocaleString('en')} vectors × ${DIM} d (${Math.round(n / 100)} clusters, noise ${NOISE}); generated in ${secs(performance.now() - t)}`);

  const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-'));
  let store = await openLanceStore(dir);
  const space: SpaceTableInfo = { spaceId: 'bench', version: '1', dim: DIM };
  t = performance.now();
  const BATCH = 5000;
  for (let start = 0; start < n; start += BATCH) {
    const commits: ItemCommit[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const hash = `h${i}`;
      const seg = `${hash}:image:0`;
      commits.push({
        item: { hash, modality: 'image', locations: [`/bench/${i}.jpg`], mime: 'image/jpeg', size: 1000, mtimeMs: 0, tags: [], meta: {}, indexedAt: 0, spaces: ['bench@1'] },
        segments: [{ id: seg, itemHash: hash, kind: 'image', index: 0 }],
        vectors: { bench: [{ segmentId: seg, itemHash: hash, vector: data.subarray(i * DIM, (i + 1) * DIM) }] },
        spaces: [space],
      });
    }
    await store.commitItems(commits);
  }
  const writeMs = performance.now() - t;
  console.log(`store write: ${secs(writeMs)} (${Math.round(n / (writeMs / 1000))} items/s, batches of ${BATCH})`);
  const toIds = (hits: { itemHash: string }[]) => hits.map((h) => Number(h.itemHash.slice(1)));

  t = performance.now();
  const truth = await bruteForce(data, queries);
  console.log(`ground truth (ONNX Runtime brute force): ${secs(performance.now() - t)}`);
  const exactCount = Math.min(QUERIES, EXACT_QUERIES);
  const exact = await timeQueries(queries, async (q) => toIds(await store.search(space, q, { k: K })), truth, exactCount);
  report(rows, { engine: 'Rosetta LanceStore', settings: `exact (flat scan, below the index threshold)${exactCount < QUERIES ? `, ${exactCount} queries` : ''}`, build: '—', ...exact });

  for (const type of INDEX_TYPES_RUN) {
    await store.close();
    store = await openLanceStore(dir, { index: { type } });
    t = performance.now();
    await store.reindex(space);
    const buildMs = performance.now() - t;
    const r = await timeQueries(queries, async (q) => toIds(await store.search(space, q, { k: K })), truth);
    const tn = store.searchTuning;
    report(rows, { engine: 'Rosetta LanceStore', settings: `${store.describeIndex(n)}, nprobes ${tn.nprobes}${tn.ef ? `, ef ${tn.ef}` : ''}${tn.refineFactor ? `, refine ${tn.refineFactor}` : ''}`, build: secs(buildMs), ...r });
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  if (WITH_HNSW) {
    const index = new hnswlib.HierarchicalNSW('ip', DIM);
    const M = 16, EFC = 100;
    index.initIndex(n, M, EFC, 100);
    t = performance.now();
    for (let i = 0; i < n; i++) {
      index.addPoint(Array.from(data.subarray(i * DIM, (i + 1) * DIM)), i);
      if ((i + 1) % 100_000 === 0) console.log(`  hnswlib: ${i + 1} points in ${secs(performance.now() - t)}`);
    }
    const hBuild = performance.now() - t;
    for (const ef of [50, 100]) {
      index.setEf(ef);
      const r = await timeQueries(queries, (q) => index.searchKnn(Array.from(q), K).neighbors, truth);
      report(rows, { engine: 'hnswlib-node', settings: `M ${M}, efConstruction ${EFC}, ef ${ef}`, build: ef === 50 ? secs(hBuild) : '—', ...r });
    }
  }
  return rows;
}

const line = (r: Row) => `| ${r.engine} | ${r.settings} | ${r.build} | ${r.recall.toFixed(3)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms |`;

/** Prints a row as soon as it is measured (long runs leave partial figures in the log). */
function report(rows: Row[], r: Row): void {
  rows.push(r);
  console.log(`  measured: ${line(r)}`);
}

console.log(`# Search benchmark: top-${K}, ${QUERIES} queries, inner product on unit vectors, Node ${process.version}, one query at a time`);
console.log(`# ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at start (latencies are only comparable within one run)`);
for (const n of SIZES) {
  const rows = await benchSize(n);
  console.log('\n| engine | settings | build | recall@10 | p50 | p99 |\n| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(line(r));
}
