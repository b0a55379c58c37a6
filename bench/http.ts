/**
 * HTTP overhead benchmark: search requests/s and latency over the server's `/api/search` against the
 * in-process `rosetta.search` call, on the same collection in the same run.
 *
 *   npx tsx bench/http.ts                          # 10k and 100k items, 10 s per measurement
 *   npx tsx bench/http.ts --sizes 10000 --seconds 5 --concurrency 8
 *   npx tsx bench/http.ts --sizes 100000 --exact             # flat scan at every size (no ANN index)
 *
 * The collection holds synthetic clustered unit vectors written straight through the store (encoding
 * 100k real files would measure ingest, not search); each query is real text encoded by the model
 * (the shipped mini model when models/rosetta-mini is present, else the tiny test model).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rosetta } from '../src/rosetta.js';
import { createServer } from '../src/server/index.js';
import type { LanceStore } from '../src/store/lancedb/lance-store.js';
import { buildTinyClip } from '../test/helpers/tiny-clip.js';
import { BENCH_QUERIES, fill } from './search-collection.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const SIZES = flag('sizes', '10000,100000').split(',').map(Number);
const SECONDS = Number(flag('seconds', '10'));
const CONCURRENCY = Number(flag('concurrency', '8'));
const K = 10;
/** `--exact`: keep every size below the ANN index threshold (flat scan), e.g. to isolate HTTP costs from index tuning. */
const EXACT = args.includes('--exact');
const QUERIES = BENCH_QUERIES;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  n: number;
  overheadP50?: number;
}

/** Runs `call` from `concurrency` loops for `seconds`; latencies in ms. */
async function measure(call: (q: string) => Promise<number | void>, concurrency: number, seconds: number): Promise<Figures> {
  for (const q of QUERIES) await call(q); // warm-up: model sessions, caches, connections
  const latencies: number[] = [];
  const overheads: number[] = [];
  const end = performance.now() + seconds * 1000;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const q = QUERIES[next++ % QUERIES.length];
        const t = performance.now();
        const inside = await call(q);
        const ms = performance.now() - t;
        latencies.push(ms);
        if (typeof inside === 'number') overheads.push(ms - inside);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  overheads.sort((a, b) => a - b);
  const overheadP50 = overheads.length ? overheads[Math.floor(overheads.length / 2)] : undefined;
  return { rps: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99), n: latencies.length, overheadP50 };
}

const fmt = (f: Figures) =>
  `${f.rps.toFixed(1).padStart(6)} req/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(6)} ms  (${f.n} requests)` +
  (f.overheadP50 !== undefined ? `  client time outside the handler p50 ${f.overheadP50.toFixed(2)} ms` : '');

const miniClip = resolve('models/rosetta-mini/clip');
const modelLabel = existsSync(join(miniClip, 'config.json')) ? 'rosetta-mini (clip tower)' : 'tiny test model';
console.log(
  `# HTTP search benchmark — ${modelLabel}, k=${K}, ${CONCURRENCY} concurrent clients, ${SECONDS} s per row, ` +
    `Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`,
);
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-http-'));
  const tiny = modelLabel === 'tiny test model' ? buildTinyClip() : undefined;
  const rosetta = await Rosetta.open(join(dir, '.rosetta'), {
    spaces: [{ id: 'clip', model: tiny ?? miniClip }],
    offline: true,
    indexThreshold: EXACT ? 1e12 : undefined,
  });
  await rosetta.create(); // the vectors are written straight through the store, which a new collection has only once created
  const t = performance.now();
  await fill(rosetta, n);
  const ann = (rosetta.store as LanceStore).annStatus()[0];
  console.log(
    `\n## ${n.toLocaleString('en')} items (` +
      `${rosetta.spaces[0].dim}-d, ${EXACT ? 'flat scan' : `library default index policy: ANN index ${ann?.state ?? 'off'}, ${ann?.size ?? 0} vectors`}), ` +
      `written and optimised in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const server = await createServer(rosetta, { port: 0, rateLimit: false });
  const url = await server.listen();
  const body = (q: string) => JSON.stringify({ text: q, k: K });
  const inProcess1 = await measure(
    async (q) => {
      await rosetta.search(q, { k: K });
    },
    1,
    SECONDS,
  );
  const http1 = await measure(
    async (q) => {
      const res = await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(q) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { tookMs: number }).tookMs;
    },
    1,
    SECONDS,
  );
  const inProcess = await measure(
    async (q) => {
      await rosetta.search(q, { k: K });
    },
    CONCURRENCY,
    SECONDS,
  );
  const http = await measure(
    async (q) => {
      const res = await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(q) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { tookMs: number }).tookMs;
    },
    CONCURRENCY,
    SECONDS,
  );
  console.log(`in-process rosetta.search, 1 client:   ${fmt(inProcess1)}`);
  console.log(`HTTP POST /api/search,     1 client:   ${fmt(http1)}`);
  console.log(`in-process rosetta.search, ${CONCURRENCY} clients:  ${fmt(inProcess)}`);
  console.log(`HTTP POST /api/search,     ${CONCURRENCY} clients:  ${fmt(http)}`);
  console.log(
    `HTTP, ${CONCURRENCY} clients: time outside the search handler p50 ${http.overheadP50!.toFixed(2)} ms = ` +
      `${((100 * http.overheadP50!) / http.p50).toFixed(1)} % of the request's p50 (target ≤ 20 %)`,
  );
  console.log(
    `HTTP overhead: throughput ratio in-process/HTTP ${(inProcess.rps / http.rps).toFixed(2)} (${CONCURRENCY} clients), ` +
      `p99 ratio ${(http.p99 / inProcess.p99).toFixed(2)}; ` +
      `1 client: p50 ${(http1.p50 - inProcess1.p50).toFixed(2)} ms more, ` +
      `of which ${http1.overheadP50!.toFixed(2)} ms is outside the search handler (parse, validate, serialise, network)`,
  );
  await server.close();
  await rosetta.close();
  rmSync(dir, { recursive: true, force: true });
  if (tiny) rmSync(tiny, { recursive: true, force: true });
}
