/**
 * The whole search path, end to end: `Rosetta.search(text)` with the mini model on a collection of n items
 * (synthetic clustered vectors written through the store, as bench/http.ts does; the query is real text encoded
 * by the model), and where its time goes. Several checkouts are measured on the same collection, in alternating
 * fresh processes, so "before" and "after" share the machine's state.
 *
 *   npx tsx bench/search-path.ts --make --n 100000 --dir /tmp/rosetta-search-path-100k [--text-every 10]
 *   npx tsx bench/search-path.ts --dir /tmp/rosetta-search-path-100k --impl .,/tmp/base --rounds 3 --queries 200
 *
 * `--impl` lists checkout roots (default: this one); each round runs one child per checkout. A child opens the
 * collection, warms up (model sessions), then times `--queries` searches (k 10) and, separately, the parts:
 * query encoding, the vector search (k 40, what search asks for), reading all 40 candidates' records (segments and
 * items in parallel, as search did before it read only its k results'). `--text-every m` (with --make) makes every m-th
 * item a text note, so the collection has a keyword index but no words read in pictures.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, percentile } from './lib.js';
import { BENCH_QUERIES, fill } from './search-collection.js';

const QUERIES = BENCH_QUERIES;
const dir = resolve(arg('dir', '/tmp/rosetta-search-path-100k'));
const miniClip = resolve('models/rosetta-mini/clip');

if (process.argv.includes('--make')) {
  const n = Number(arg('n', '100000'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { Rosetta } = await import('../src/rosetta.js');
  const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [{ id: 'clip', model: miniClip }], offline: true });
  await rosetta.create();
  const t = performance.now();
  await fill(rosetta, n, Number(arg('text-every', '0')));
  await rosetta.close();
  console.log(`made ${dir}: ${n} items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
} else if (process.argv.includes('--child')) {
  const root = resolve(arg('child', '.'));
  const queries = Number(arg('queries', '200'));
  const { Rosetta } = (await import(pathToFileURL(join(root, 'src/rosetta.ts')).href)) as typeof import('../src/rosetta.js');
  const rosetta = await Rosetta.open(join(dir, '.rosetta'), { offline: true });
  for (const q of QUERIES) await rosetta.search(q, { k: 10 }); // warm-up: model sessions, caches
  const whole: number[] = [],
    encode: number[] = [],
    vector: number[] = [],
    records: number[] = [];
  const space = rosetta.spaces[0];
  const table = { spaceId: space.id, version: space.version, dim: space.dim };
  let hits = 0;
  for (let i = 0; i < queries; i++) {
    const q = QUERIES[i % QUERIES.length];
    let t = performance.now();
    hits += (await rosetta.search(q, { k: 10 })).length;
    whole.push(performance.now() - t);
    // The parts, on their own (the same calls search makes for a one-space text query).
    t = performance.now();
    const [v] = await space.embedTexts([q]);
    encode.push(performance.now() - t);
    t = performance.now();
    const found = await rosetta.store.search(table, v, { k: 40 });
    vector.push(performance.now() - t);
    t = performance.now();
    await Promise.all([
      rosetta.store.getSegments(found.map((h) => h.segmentId)),
      rosetta.store.getItems([...new Set(found.map((h) => h.itemHash))]),
    ]);
    records.push(performance.now() - t);
  }
  await rosetta.close();
  const p = (xs: number[], q: number) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      q,
    );
  console.log(
    JSON.stringify({
      root,
      queries,
      hitsPerQuery: hits / queries,
      p50: p(whole, 50),
      p99: p(whole, 99),
      encodeP50: p(encode, 50),
      vectorP50: p(vector, 50),
      recordsP50: p(records, 50),
    }),
  );
} else {
  if (!existsSync(join(dir, '.rosetta'))) throw new Error(`no collection at ${dir}: make it first with --make`);
  const impls = arg('impl', '.')
    .split(',')
    .map((r) => resolve(r));
  const rounds = Number(arg('rounds', '3'));
  const rows = new Map<string, Record<string, number>[]>();
  console.log(`# Rosetta.search end to end — ${dir}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
  for (let r = 0; r < rounds; r++) {
    for (const root of impls) {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', import.meta.filename, '--child', root, '--dir', dir, '--queries', arg('queries', '200')],
        { encoding: 'utf8', cwd: root },
      );
      const row = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
      console.log(`round ${r + 1} ${root}: ${JSON.stringify(row)}`);
      rows.set(root, [...(rows.get(root) ?? []), row]);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    '\n| checkout | search p50 ms | search p99 ms | encode p50 | vector search p50 | ' +
      'records of all 40 candidates p50 (what search read before) | (median over rounds) |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [root, rs] of rows) {
    const f = (k: string) => med(rs.map((x) => x[k])).toFixed(2);
    console.log(
      `| ${root} | ${f('p50')} | ${f('p99')} | ${f('encodeP50')} | ${f('vectorP50')} | ${f('recordsP50')} | ${rs.length} rounds |`,
    );
  }
}
