/**
 * Search benchmark at 100k and 1M vectors: Rosetta's in-process ANN index (usearch HNSW beside LanceDB),
 * LanceDB itself (exact scan and its IVF index) and hnswlib-node, measured in one run on the same data.
 *
 *   npx tsx bench/search.ts                                    # 100k vectors
 *   npx tsx bench/search.ts --sizes 100000 --json              # one JSON object per row on stdout (progress on stderr)
 *   npx tsx bench/search.ts --sizes 1000000 --exact-queries 20 --hnsw-max-seconds 900   # 1M (long)
 *   npx tsx bench/search.ts --sizes 100000 --curve             # + build time and recall against quantization, expansion_add, threads
 *   npx tsx bench/search.ts --sizes 1000000 --curve-only --curve-variants expansionAdd=128 --curve-efs 128,256,512
 *   flags: --queries 200 --index IVF_FLAT[,IVF_HNSW_SQ] --efs 64,128,256 --filters 0.01,0.1 --no-hnsw --dim 512 --noise 0.04
 *
 * Data: clustered unit vectors (Gaussian centres + noise, renormalised), the shape real embeddings have;
 * queries come from the same distribution and are not in the table. Recall@10 is against a brute-force
 * scan (ONNX Runtime Gemm + TopK). Filtered rows use a filter on `size` that keeps the stated share of
 * rows (uncorrelated with the vectors), with recall against brute force over the allowed rows.
 * `rssMiB` is this process's resident memory after the row, except the "open + search" row, measured in
 * a fresh child process that only opens the collection and searches: what a Rosetta process at that size holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/onnx/graph-builder.js';
import { openLanceStore, type ItemCommit, type LanceStore } from '../src/store/lancedb/lance-store.js';
import type { IndexType } from '../src/store/lancedb/index-policy.js';
import { DEFAULT_ANN, type AnnSettings } from '../src/store/lancedb/ann/settings.js';
import { UsearchGraph } from '../src/store/lancedb/ann/usearch-graph.js';
import type { SearchFilter, SpaceTableInfo } from '../src/store/vector-store.js';
import { benchRandom, normaliseInPlace } from './synthetic-vectors.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const MODE = flag('mode', 'run');
const SIZES = flag('sizes', '100000').split(',').map(Number);
const DIM = Number(flag('dim', '512'));
const QUERIES = Number(flag('queries', '200'));
const K = 10;
const NOISE = Number(flag('noise', '0.04'));
const JSON_OUT = args.includes('--json');
const WITH_HNSW = !args.includes('--no-hnsw');
const HNSW_MAX_SECONDS = Number(flag('hnsw-max-seconds', 'Infinity'));
const CURVE = args.includes('--curve');
/** `--index none` skips LanceDB's own index types (the exact scan still runs). */
const LANCE_INDEXES = flag('index', 'IVF_FLAT')
  .split(',')
  .filter((t) => t && t !== 'none') as IndexType[];
/** `--ann-add 128`: the expansion_add Rosetta's index is built with (default: the library's). */
const ANN_BUILD: Partial<AnnSettings> = args.includes('--ann-add') ? { expansionAdd: Number(flag('ann-add', '')) } : {};
const EFS = flag('efs', '64,128,256').split(',').map(Number);
const FILTER_SHARES = flag('filters', '0.01,0.1').split(',').map(Number);
const EXACT_QUERIES = Number(flag('exact-queries', '200')); // flat scans are slow at 1M: time a subset
/** `--curve-only`: the construction curve alone (no LanceDB collection, no peers), e.g. one expensive setting at 1M. */
const CURVE_ONLY = args.includes('--curve-only');
/** `--curve-variants "expansionAdd=128;connectivity=32"`: the settings the curve builds (default: the usual seven). */
const CURVE_VARIANTS = flag('curve-variants', '');
/** `--curve-efs 128,256,512`: search each curve graph with these candidate lists (default: the graph's own, 128). */
const CURVE_EFS = flag('curve-efs', '').split(',').filter(Boolean).map(Number);
const space: SpaceTableInfo = { spaceId: 'bench', version: '1', dim: DIM };

const log = (line: string) => (JSON_OUT ? process.stderr : process.stdout).write(`${line}\n`);
const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

if (MODE === 'rss') {
  // Child: what a process holds after opening a collection and answering searches through its index.
  const store = await openLanceStore(flag('dir', ''), { ann: { ...ANN_BUILD, expansionSearch: Number(flag('efs-open', '128')) } });
  const q = normaliseInPlace(Float32Array.from({ length: DIM }, benchRandom(3).gauss));
  const t = performance.now();
  for (let i = 0; i < 20; i++) await store.search(space, q, { k: K });
  const status = store.annStatus('bench')[0];
  process.stdout.write(
    `${JSON.stringify({ rssMiB: rssMiB(), openAndSearchSeconds: (performance.now() - t) / 1000, state: status?.state, size: status?.size })}\n`,
  );
  await store.close();
  process.exit(0);
}

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

/** Row i's `size`: 0..999, so `size < share × 1000` keeps `share` of the rows, unrelated to the vector. */
const sizeOf = (i: number) => (i * 7919) % 1000;
const filterFor = (share: number): SearchFilter => ({ maxSize: Math.round(share * 1000) - 1 });

/**
 * Ground truth by brute force: queries × data chunk products and a TopK, as one ONNX graph run by
 * onnxruntime-node (a plain JS loop takes minutes at 1M), merged across chunks in JS. `rows` restricts
 * the scan to those row numbers.
 */
async function bruteForce(data: Float32Array, queries: Float32Array, rows?: number[]): Promise<number[][]> {
  const g = new GraphBuilder('truth');
  const qIn = g.input('q', 'float32', ['nq', DIM]);
  const xIn = g.input('x', 'float32', ['n', DIM]);
  const scores = g.op1('Gemm', [qIn, xIn], { transB: 1 });
  g.op('TopK', [scores, g.constInt64([K])], { axis: 1 }, ['values', 'indices']);
  g.output('values', 'float32', ['nq', K]);
  g.output('indices', 'int64', ['nq', K]);
  const session = await ort.InferenceSession.create(g.toBytes());
  const nq = queries.length / DIM,
    CHUNK = 50_000;
  const ids = rows ?? Array.from({ length: data.length / DIM }, (_, i) => i);
  const best: { s: number; i: number }[][] = Array.from({ length: nq }, () => []);
  for (let start = 0; start < ids.length; start += CHUNK) {
    const count = Math.min(CHUNK, ids.length - start);
    let block: Float32Array;
    if (rows) {
      block = new Float32Array(count * DIM);
      for (let j = 0; j < count; j++) block.set(data.subarray(ids[start + j] * DIM, (ids[start + j] + 1) * DIM), j * DIM);
    } else block = data.subarray(start * DIM, (start + count) * DIM);
    const out = await session.run({ q: new ort.Tensor('float32', queries, [nq, DIM]), x: new ort.Tensor('float32', block, [count, DIM]) });
    const v = out.values.data as Float32Array,
      idx = out.indices.data as BigInt64Array;
    const kk = Math.min(K, count);
    for (let qi = 0; qi < nq; qi++)
      for (let j = 0; j < kk; j++) best[qi].push({ s: v[qi * kk + j], i: ids[start + Number(idx[qi * kk + j])] });
    for (const b of best) {
      b.sort((a, c) => c.s - a.s);
      b.length = Math.min(b.length, K);
    }
  }
  await session.release();
  return best.map((b) => b.map((x) => x.i));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

interface Row {
  n: number;
  engine: string;
  settings: string;
  buildSeconds: number | null;
  recallAt10: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  queries: number;
  filterShare?: number;
}

async function timeQueries(
  queries: Float32Array,
  run: (q: Float32Array) => Promise<number[]> | number[],
  truth: number[][],
  count = QUERIES,
) {
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
  return { recallAt10: hit / (count * K), p50Ms: pct(lat, 0.5), p99Ms: pct(lat, 0.99), queries: count };
}

const rows: Row[] = [];
function report(r: Omit<Row, 'rssMiB'> & { rssMiB?: number }): void {
  const row: Row = {
    ...r,
    rssMiB: r.rssMiB ?? rssMiB(),
    recallAt10: +r.recallAt10.toFixed(4),
    p50Ms: +r.p50Ms.toFixed(3),
    p99Ms: +r.p99Ms.toFixed(3),
    buildSeconds: r.buildSeconds === null ? null : +r.buildSeconds.toFixed(1),
  };
  rows.push(row);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(row)}\n`);
  log(`  measured: ${line(row)}`);
}

/** A figure the row did not measure (NaN: a build-only or memory-only row) prints as a dash. */
const shown = (v: number, digits: number, unit = '') => (Number.isNaN(v) ? '—' : `${v.toFixed(digits)}${unit}`);
const line = (r: Row) =>
  `| ${r.n.toLocaleString('en')} | ${r.engine} | ${r.settings}${r.filterShare ? ` (filter keeps ${r.filterShare * 100} %)` : ''} | ` +
  `${r.buildSeconds === null ? '—' : `${r.buildSeconds} s`} | ${shown(r.recallAt10, 3)} | ` +
  `${shown(r.p50Ms, 2, ' ms')} | ${shown(r.p99Ms, 2, ' ms')} | ${r.rssMiB} |`;
const toIds = (hits: { itemHash: string }[]) => hits.map((h) => Number(h.itemHash.slice(1)));
const annLabel = (s: AnnSettings) =>
  `usearch HNSW ${s.quantization}, M ${s.connectivity}, expansion_add ${s.expansionAdd}, expansion_search ${s.expansionSearch}, ${s.threads} build threads`;

async function writeCollection(dir: string, data: Float32Array, n: number): Promise<void> {
  // Written with the ANN index off, so the build below is measured on its own.
  const store = await openLanceStore(dir, { ann: false, indexThreshold: 1e12 });
  const t = performance.now();
  // Larger commits at large sizes: each commit's scoped deletes scan the growing table.
  const BATCH = n >= 500_000 ? 25_000 : 5000;
  for (let start = 0; start < n; start += BATCH) {
    const commits: ItemCommit[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const hash = `h${i}`;
      const seg = `${hash}:image:0`;
      commits.push({
        item: {
          hash,
          modality: 'image',
          locations: [`/bench/${i}.jpg`],
          mime: 'image/jpeg',
          size: sizeOf(i),
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
    await store.commitItems(commits);
    if ((start / BATCH) % 20 === 19) log(`  written ${start + BATCH} rows in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  await store.optimize(); // compaction and B-tree indexes (no vector index: each engine's build is timed below)
  await store.close();
  const s = (performance.now() - t) / 1000;
  log(`store write + optimize: ${s.toFixed(1)} s (${Math.round(n / s)} items/s, batches of ${BATCH})`);
}

async function benchSize(n: number): Promise<void> {
  let t = performance.now();
  const { data, queries } = clustered(n, QUERIES, 42 + n);
  log(
    `\n## ${n.toLocaleString('en')} vectors × ${DIM} d (${Math.round(n / 100)} clusters, noise ${NOISE}); ` +
      `generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  if (CURVE_ONLY) {
    await buildCurve(n, data, queries, await bruteForce(data, queries));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-'));
  await writeCollection(dir, data, n);
  t = performance.now();
  const truth = await bruteForce(data, queries);
  const filtered = new Map<number, number[][]>();
  for (const share of FILTER_SHARES) {
    const allowed = Array.from({ length: n }, (_, i) => i).filter((i) => sizeOf(i) < share * 1000);
    filtered.set(share, await bruteForce(data, queries, allowed));
  }
  log(`ground truth (ONNX Runtime brute force): ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Rosetta's ANN index: built in a worker from the table, searched through LanceStore.search.
  let store: LanceStore = await openLanceStore(dir, { ann: { ...DEFAULT_ANN, ...ANN_BUILD } });
  t = performance.now();
  await store.reindex(space);
  const annBuild = (performance.now() - t) / 1000;
  await store.close(); // saves nothing new: the build wrote the files
  for (const efs of EFS) {
    const settings: AnnSettings = { ...DEFAULT_ANN, ...ANN_BUILD, expansionSearch: efs };
    store = await openLanceStore(dir, { ann: settings });
    await store.search(space, queries.subarray(0, DIM), { k: K }); // waits for the load
    report({
      n,
      engine: 'Rosetta ANN index',
      settings: annLabel(settings),
      buildSeconds: efs === EFS[0] ? annBuild : null,
      ...(await timeQueries(queries, async (q) => toIds(await store.search(space, q, { k: K })), truth)),
    });
    if (efs === DEFAULT_ANN.expansionSearch) {
      for (const share of FILTER_SHARES) {
        const filter = filterFor(share);
        const f = filtered.get(share)!;
        await store.search(space, queries.subarray(0, DIM), { k: K, filter }); // first query evaluates and caches the filter
        report({
          n,
          engine: 'Rosetta ANN index',
          settings: `${annLabel(settings)}, filtered`,
          buildSeconds: null,
          filterShare: share,
          ...(await timeQueries(queries, async (q) => toIds(await store.search(space, q, { k: K, filter })), f)),
        });
      }
    }
    await store.close();
  }
  // LanceDB: exact scan, then each of its index types.
  let lance = await openLanceStore(dir, { ann: false, indexThreshold: 1e12 });
  const exactCount = Math.min(QUERIES, EXACT_QUERIES);
  report({
    n,
    engine: 'LanceDB (Rosetta LanceStore)',
    settings: 'exact flat scan',
    buildSeconds: null,
    ...(await timeQueries(queries, async (q) => toIds(await lance.search(space, q, { k: K })), truth, exactCount)),
  });
  await lance.close();
  for (const type of LANCE_INDEXES) {
    lance = await openLanceStore(dir, { ann: false, index: { type } });
    t = performance.now();
    await lance.reindex(space);
    const buildSeconds = (performance.now() - t) / 1000;
    const tn = lance.searchTuning;
    const settings = `${lance.describeIndex(n)}, nprobes ${tn.nprobes}${tn.ef ? `, ef ${tn.ef}` : ''}${tn.refineFactor ? `, refine ${tn.refineFactor}` : ''}`;
    report({
      n,
      engine: 'LanceDB (Rosetta LanceStore)',
      settings,
      buildSeconds,
      ...(await timeQueries(queries, async (q) => toIds(await lance.search(space, q, { k: K })), truth)),
    });
    await lance.close();
  }

  const child = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        '--mode',
        'rss',
        '--dir',
        dir,
        '--dim',
        String(DIM),
        ...(ANN_BUILD.expansionAdd ? ['--ann-add', String(ANN_BUILD.expansionAdd)] : []),
      ],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .pop()!,
  );
  log(
    `  fresh process, open + 20 searches: ${child.openAndSearchSeconds.toFixed(1)} s (index ${child.state}, ${child.size} vectors), RSS ${child.rssMiB} MiB`,
  );
  report({
    n,
    engine: 'Rosetta ANN index',
    settings: `${annLabel(DEFAULT_ANN)}: fresh process, open + search`,
    buildSeconds: null,
    recallAt10: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    queries: 20,
    rssMiB: child.rssMiB,
  });
  rmSync(dir, { recursive: true, force: true });

  if (CURVE) await buildCurve(n, data, queries, truth);
  if (WITH_HNSW) await hnsw(n, data, queries, truth);
}

/** Build time and recall of the graph alone (no LanceDB read) against its construction settings. */
async function buildCurve(n: number, data: Float32Array, queries: Float32Array, truth: number[][]): Promise<void> {
  const threads = DEFAULT_ANN.threads;
  const variants: Partial<AnnSettings>[] = CURVE_VARIANTS
    ? CURVE_VARIANTS.split(';').map((v) =>
        Object.fromEntries(
          v
            .split(',')
            .map((kv) => kv.split('='))
            .map(([k, x]) => [k, Number.isNaN(Number(x)) ? x : Number(x)]),
        ),
      )
    : [
        { expansionAdd: 32 },
        { expansionAdd: 64 },
        { expansionAdd: 128 },
        { expansionAdd: 64, threads: 1 },
        { expansionAdd: 64, quantization: 'f32' },
        { expansionAdd: 64, quantization: 'i8' },
        { expansionAdd: 64, connectivity: 8 },
      ];
  const keys = Array.from({ length: n }, (_, i) => i);
  for (const v of variants) {
    const s: AnnSettings = { ...DEFAULT_ANN, threads, ...v };
    const graph = UsearchGraph.create(DIM, s);
    const t = performance.now();
    for (let i = 0; i < n; i += 10_000)
      graph.add(keys.slice(i, i + 10_000), data.subarray(i * DIM, Math.min(n, i + 10_000) * DIM), s.threads);
    const buildSeconds = (performance.now() - t) / 1000;
    if (CURVE_EFS.length === 0) {
      report({
        n,
        engine: 'usearch graph alone',
        settings: annLabel(s),
        buildSeconds,
        ...(await timeQueries(queries, (q) => graph.search(q, K).keys, truth)),
      });
      continue;
    }
    // Asking for more hits than expansion_search widens the candidate list to that many (as the index does).
    for (const efs of CURVE_EFS) {
      const label = annLabel({ ...s, expansionSearch: Math.max(efs, s.expansionSearch) });
      report({
        n,
        engine: 'usearch graph alone',
        settings: label,
        buildSeconds: efs === CURVE_EFS[0] ? buildSeconds : null,
        ...(await timeQueries(queries, (q) => graph.search(q, Math.max(efs, K)).keys.slice(0, K), truth)),
      });
    }
  }
}

async function hnsw(n: number, data: Float32Array, queries: Float32Array, truth: number[][]): Promise<void> {
  const index = new hnswlib.HierarchicalNSW('ip', DIM);
  const M = 16,
    EFC = 100;
  index.initIndex(n, M, EFC, 100);
  const t = performance.now();
  let added = 0;
  for (; added < n; added++) {
    index.addPoint(Array.from(data.subarray(added * DIM, (added + 1) * DIM)), added);
    if ((added + 1) % 50_000 === 0) {
      log(`  hnswlib: ${added + 1} points in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      if ((performance.now() - t) / 1000 > HNSW_MAX_SECONDS) {
        added++;
        break;
      }
    }
  }
  const seconds = (performance.now() - t) / 1000;
  if (added < n) {
    // Stopped early: the rate so far gives the build time; queries then run on the part built.
    log(
      `  hnswlib stopped at ${added} points after ${seconds.toFixed(0)} s: ${(n / (added / seconds)).toFixed(0)} s for ${n} at this rate`,
    );
    report({
      n,
      engine: 'hnswlib-node',
      settings: `M ${M}, efConstruction ${EFC}: build stopped at ${added} points, time extrapolated at the measured rate`,
      buildSeconds: n / (added / seconds),
      recallAt10: NaN,
      p50Ms: NaN,
      p99Ms: NaN,
      queries: 0,
    });
    return;
  }
  for (const ef of [50, 100, 200]) {
    index.setEf(ef);
    report({
      n,
      engine: 'hnswlib-node',
      settings: `M ${M}, efConstruction ${EFC}, ef ${ef}, points added one by one from JS`,
      buildSeconds: ef === 50 ? seconds : null,
      ...(await timeQueries(queries, (q) => index.searchKnn(Array.from(q), K).neighbors, truth)),
    });
  }
}

log(`# Search benchmark: top-${K}, ${QUERIES} queries, cosine on unit vectors, Node ${process.version}, one query at a time`);
log(
  `# ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at start (latencies are only comparable within one run)`,
);
for (const n of SIZES) await benchSize(n);
log('\n| n | engine | settings | build | recall@10 | p50 | p99 | RSS MiB |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) log(line(r));
log(
  `# load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the end`,
);
