/**
 * Worker-thread entry that builds one table's ANN index from scratch: it opens the LanceDB table itself,
 * streams (key, segment id, vector) rows into a usearch graph on every core, and writes a new generation
 * of index files. The main thread keeps answering searches meanwhile (from LanceDB), then loads the files
 * and catches up on whatever was written during the build.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as lancedb from '@lancedb/lancedb';
import { KeyMap } from './key-map.js';
import { UsearchGraph, ADD_CHUNK } from './usearch-graph.js';
import { writeIndexFiles } from './index-files.js';
import { streamRows } from './table-rows.js';
import type { BuildRequest, BuildMessage } from './build.js';

const req = workerData as BuildRequest;
const post = (m: BuildMessage) => parentPort!.postMessage(m);

try {
  const db = await lancedb.connect(req.collectionDir);
  const table = await db.openTable(req.tableName);
  const tableVersion = await table.version();
  const total = await table.countRows();
  const graph = UsearchGraph.create(req.identity.dim, req.settings);
  const keys = new KeyMap();
  let duplicates = 0;
  let added = 0;
  for await (const rows of streamRows(table, req.identity.dim)) {
    const fresh: number[] = [];
    for (let i = 0; i < rows.keys.length; i++) {
      // Two rows under one key (a key collision): the graph holds the first; catching up re-keys the other.
      if (keys.has(rows.keys[i])) {
        duplicates += 1;
        continue;
      }
      keys.set(rows.keys[i], rows.segmentIds[i], rows.itemHashes[i]);
      fresh.push(i);
    }
    const dim = req.identity.dim;
    let vectors = rows.vectors;
    if (fresh.length !== rows.keys.length) {
      vectors = new Float32Array(fresh.length * dim);
      fresh.forEach((row, i) => vectors.set(rows.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
    }
    const freshKeys = fresh.map((i) => rows.keys[i]);
    for (let i = 0; i < freshKeys.length; i += ADD_CHUNK) {
      graph.add(
        freshKeys.slice(i, i + ADD_CHUNK),
        vectors.subarray(i * dim, Math.min(freshKeys.length, i + ADD_CHUNK) * dim),
        req.settings.threads,
      );
      added += Math.min(ADD_CHUNK, freshKeys.length - i);
      post({ type: 'progress', added, total });
    }
  }
  const manifest = await writeIndexFiles(req.outDir, graph, keys, {
    ...req.identity,
    quantization: req.settings.quantization,
    connectivity: req.settings.connectivity,
    expansionAdd: req.settings.expansionAdd,
    tableVersion,
  });
  table.close();
  db.close();
  post({ type: 'done', manifest, duplicates });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
