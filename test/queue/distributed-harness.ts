/**
 * What the distributed ingest tests share (LanceDB in test/queue/distributed.test.ts, Milvus in
 * test/queue/distributed-milvus.test.ts): a comparable snapshot of everything a user can observe of a
 * collection, the comparison with a single-process reference, and real `rosetta` child processes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rosetta } from '../../src/rosetta.js';
import { writeWebdatasetTar } from '../../src/datasets/shards/write-shards.js';
import { colourImage } from '../helpers/images.js';
import { queueStatus } from '../../src/queue/queue-status.js';
import type { VectorStore } from '../../src/store/vector-store.js';

export const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
export const QUERIES = ['red', 'green', 'blue', 'yellow', 'a cyan square'];

export interface Snapshot {
  items: string[];
  segments: string[];
  vectors: string[];
  vectorCount: number;
  search: string[][];
}

/** Everything a user could observe of a collection, in a comparable form; `store` opens a non-default store (Milvus). */
export async function snapshot(dir: string, model: string, store?: () => Promise<VectorStore>): Promise<Snapshot> {
  const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true, ...(store ? { store: await store() } : {}) });
  const listed = await rosetta.store.listItems();
  const items = listed
    .map(
      (i) =>
        `${i.hash} ${[...i.locations].sort().join(',')} ${i.meta.caption ?? ''}${i.tags.length ? ` #${[...i.tags].sort().join('#')}` : ''}`,
    )
    .sort();
  const segments: string[] = [];
  for (const i of listed) for (const s of await rosetta.store.getItemSegments(i.hash)) segments.push(`${s.id} ${s.text ?? ''}`);
  const query = (await rosetta.spaces[0].embedTexts(['red']))[0];
  const space = { spaceId: rosetta.spaces[0].id, version: rosetta.spaces[0].version, dim: query.length };
  // Every stored vector (read back whole, not through a search: an approximate index need not reach them all),
  // shown by its cosine with one query.
  const vectors: string[] = [];
  for await (const batch of rosetta.store.scanVectors(space)) {
    for (const v of batch) {
      let s = 0;
      for (let i = 0; i < v.vector.length; i++) s += v.vector[i] * query[i];
      vectors.push(`${v.segmentId} ${s.toFixed(5)}`);
    }
  }
  const search: string[][] = [];
  for (const q of QUERIES)
    search.push(canonicalRanking((await rosetta.search(q, { k: 8 })).map((r) => [r.segmentId, r.similarity.toFixed(5)])));
  await rosetta.close();
  return { items, segments: segments.sort(), vectors: vectors.sort(), vectorCount: vectors.length, search };
}

/**
 * A ranking with its ties made comparable: segments of equal score may come in any order (each store breaks ties
 * its own way), so each run of equal scores is sorted, and the last run (which k may cut) is shown by its score and length.
 */
export function canonicalRanking(hits: [string, string][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < hits.length;) {
    let j = i;
    while (j < hits.length && hits[j][1] === hits[i][1]) j += 1;
    if (j === hits.length) out.push(`${j - i} at ${hits[i][1]}`);
    else
      out.push(
        ...hits
          .slice(i, j)
          .map(([id, score]) => `${id} ${score}`)
          .sort(),
      );
    i = j;
  }
  return out;
}

export function assertSameAsReference(got: Snapshot, reference: Snapshot, label: string): void {
  assert.equal(got.items.length, reference.items.length, `${label}: item count`);
  assert.deepEqual(got.items, reference.items, `${label}: items and their locations`);
  assert.deepEqual(got.segments, reference.segments, `${label}: segments`);
  assert.equal(got.vectorCount, new Set(got.vectors.map((v) => v.split(' ')[0])).size, `${label}: no duplicated vectors`);
  assert.deepEqual(got.vectors, reference.vectors, `${label}: vectors`);
  assert.deepEqual(got.search, reference.search, `${label}: search results`);
}

export type Child = ChildProcess & { out: string };

/** `rosetta` child processes of one test file, killed together at the end. */
export class RosettaChildren {
  readonly all = new Set<ChildProcess>();
  start(args: string[]): Child {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as Child;
    child.out = '';
    child.stdout!.on('data', (d) => {
      child.out += d;
    });
    child.stderr!.on('data', (d) => {
      child.out += d;
    });
    this.all.add(child);
    child.once('exit', (code) => {
      this.all.delete(child);
      if (code) process.stderr.write(`rosetta ${args[0]} exited with ${code}:\n${child.out}\n`);
    });
    return child;
  }
  killAll(): void {
    for (const c of this.all) c.kill('SIGKILL');
  }
}

export const exited = (c: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (c.exitCode !== null || c.signalCode) resolve(c.exitCode ?? -1);
    else c.once('exit', (code) => resolve(code ?? -1));
  });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const kill = async (c: ChildProcess) => {
  if (c.exitCode === null && !c.signalCode) {
    c.kill('SIGKILL');
    await exited(c);
  }
};

/** Waits until the newest run on this Redis has committed at least `n` items (read from Redis, as `queue status` does). */
export async function untilCommitted(redisUrl: string, n: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const s = await queueStatus(redisUrl, { runs: 1 });
    const r = s.runs[0];
    if (r && !r.finishedAt && r.added + r.updated >= n) return;
    await sleep(150);
  }
  throw new Error(`fewer than ${n} items committed in ${timeoutMs} ms`);
}

/**
 * `SIGKILL`s up to `count` random workers at random moments (seeded), starting a new one for each, while `running()`
 * says the run goes on: kills after the run ended would test nothing. Returns the live workers and how many kills
 * landed during the run; the caller's verdict rests on the end state, never on how many kills a fast machine allowed.
 */
export async function killRandomWorkers(
  workers: ChildProcess[],
  count: number,
  startWorker: () => ChildProcess,
  seed = 7,
  running: () => boolean = () => true,
): Promise<{ workers: ChildProcess[]; landed: number }> {
  let landed = 0;
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  while (landed < count) {
    await sleep(150 + rand() * 600);
    if (!running()) break;
    const victim = workers[Math.floor(rand() * workers.length)];
    await kill(victim);
    landed += 1;
    workers = workers.filter((w) => w !== victim).concat(startWorker());
  }
  return { workers, landed };
}

/**
 * The distributed runs' input: `images` distinct pictures (every other one in `more/`), one of them duplicated under
 * a second path (`more/copy-of-7.png`), and a webdataset shard `00000.tar` of `samples` captioned samples.
 */
export async function writeRunFiles(files: string, images: number, samples: number): Promise<void> {
  mkdirSync(join(files, 'more'), { recursive: true });
  const colourOf = (i: number): [number, number, number] => [(i * 37) % 256, (i * 91) % 256, (i * 53) % 256];
  for (let i = 0; i < images; i += 1) {
    await writeFile(
      join(files, i % 2 ? 'more' : '', `img-${String(i).padStart(3, '0')}.png`),
      await colourImage(colourOf(i), { seed: i + 1 }),
    );
  }
  await writeFile(join(files, 'more', 'copy-of-7.png'), await colourImage(colourOf(7), { seed: 8 }));
  const colours = ['red', 'green', 'blue', 'yellow'] as const;
  await writeWebdatasetTar(
    join(files, '00000.tar'),
    await Promise.all(
      Array.from({ length: samples }, async (_, i) => ({
        key: String(i).padStart(9, '0'),
        image: await colourImage(colours[i % 4], { format: 'jpeg', seed: 500 + i }),
        caption: `a ${colours[i % 4]} thing ${i}`,
      })),
    ),
  );
}
