/**
 * What following other processes' writes costs a reader: store searches on one collection opened three ways,
 * interleaved round by round: never checking for new versions (the baseline, as before issue 11), checking at
 * most once a second (the default), and checking on every read.
 *
 *   npx tsx bench/follow-writes.ts [--rows 5000] [--dim 512] [--queries 200] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLanceStore } from '../src/store/lancedb/lance-store.js';
import type { ItemCommit, VectorStore } from '../src/store/vector-store.js';
import { arg, percentile, printTable } from './lib.js';
import { benchRandom, normaliseInPlace } from './synthetic-vectors.js';

const rows = Number(arg('rows', '5000'));
const dim = Number(arg('dim', '512'));
const queries = Number(arg('queries', '200'));
const rounds = Number(arg('rounds', '5'));
const space = { spaceId: 'bench', version: '1', dim };
const random = benchRandom(7);
const vector = () => normaliseInPlace(Float32Array.from({ length: dim }, random.gauss));

const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-follow-'));
try {
  const writer = await openLanceStore(dir, { ann: false });
  for (let start = 0; start < rows; start += 1000) {
    const commits: ItemCommit[] = [];
    for (let i = start; i < Math.min(rows, start + 1000); i += 1) {
      const hash = i.toString(16).padStart(16, '0');
      commits.push({
        item: {
          hash,
          modality: 'image',
          locations: [`/bench/${i}.png`],
          mime: 'image/png',
          size: 1,
          mtimeMs: 0,
          tags: [],
          meta: {},
          indexedAt: 0,
          spaces: ['bench@1'],
        },
        segments: [{ id: `${hash}:image:0`, itemHash: hash, kind: 'image', index: 0 }],
        vectors: { bench: [{ segmentId: `${hash}:image:0`, itemHash: hash, vector: vector() }] },
        spaces: [space],
      });
    }
    await writer.commitItems(commits);
  }
  await writer.close();

  // 1e9 s: in effect never (the behaviour before); 1 s: the default; 0: every read.
  const settings: [string, number][] = [
    ['never (before)', 1e9],
    ['at most once a second (default)', 1],
    ['every read', 0],
  ];
  const stores: [string, VectorStore][] = [];
  for (const [name, seconds] of settings) stores.push([name, await openLanceStore(dir, { ann: false, followWritesSeconds: seconds })]);
  const probes = Array.from({ length: queries }, vector);
  const times = new Map<string, number[]>(stores.map(([name]) => [name, []]));
  for (const [, store] of stores) await store.search(space, probes[0], { k: 10 }); // warm
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, store] of stores) {
      for (const q of probes) {
        const t = performance.now();
        await store.search(space, q, { k: 10, filter: { modality: ['image'] } });
        times.get(name)!.push(performance.now() - t);
      }
    }
  }
  const base = percentile(
    [...times.get(settings[0][0])!].sort((a, b) => a - b),
    50,
  );
  printTable(
    `Store search while following other writers (${rows} rows × ${dim}, ${queries * rounds} queries each, interleaved)`,
    settings.map(([name]) => {
      const sorted = [...times.get(name)!].sort((a, b) => a - b);
      return {
        'checks for new versions': name,
        'p50 ms': percentile(sorted, 50),
        'p95 ms': percentile(sorted, 95),
        'p50 vs never': `${((percentile(sorted, 50) / base - 1) * 100).toFixed(1)} %`,
      };
    }),
  );
  for (const [, store] of stores) await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
