/**
 * Distributed ingest against in-process ingest, on a webdataset made from the emoji data (written here,
 * never committed): in-process `index` vs `index --queue` with 1 and 2 workers (mini model), the peak
 * RSS of a worker, and the shard read rate against `tar` alone. Runs a private redis-server.
 * `--runs` picks the runs (default all: in-process,one-worker,one-worker-two-jobs,two-workers; in-process always
 * runs first, as the baseline of the ratios). `--base DIR` adds a 1-worker run of another checkout's
 * `bin/rosetta.js` (index and worker), e.g. a copy of main's `src/` and `bin/`, for a before/after in one run.
 * Run: npx tsx bench/distributed.ts [--pairs 20000] [--per-shard 1000] [--runs in-process,one-worker] [--base DIR]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadEmojiPairs } from '../src/datasets/emoji-pairs.js';
import { readShard } from '../src/datasets/shards/read-shard.js';
import { writeWebdatasetTar, type SampleToWrite } from '../src/datasets/shards/write-shards.js';
import { RedisHarness } from '../test/helpers/redis-server.js';
import { arg, printTable } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/rosetta.js', import.meta.url));
const pairs = Number(arg('pairs', '20000'));
const perShard = Number(arg('per-shard', '1000'));
const runs = new Set(arg('runs', 'in-process,one-worker,one-worker-two-jobs,two-workers').split(','));
const base = arg('base', '');
const root = mkdtempSync(join(tmpdir(), 'rosetta-bench-dist-'));
const shards = join(root, 'shards');
mkdirSync(shards);

// Each pair: an emoji PNG (64 px) with a distinct tint so every sample has its own bytes, captioned with its English name.
const emoji = loadEmojiPairs({ languages: ['en'] });
const started = performance.now();
for (let s = 0; s * perShard < pairs; s += 1) {
  async function* samples(): AsyncGenerator<SampleToWrite> {
    for (let i = s * perShard; i < Math.min(pairs, (s + 1) * perShard); i += 1) {
      const e = emoji[i % emoji.length];
      const round = Math.floor(i / emoji.length);
      const image =
        round === 0
          ? readFileSync(e.imagePath)
          : await sharp(e.imagePath)
              .flatten({ background: '#ffffff' })
              .tint({ r: 255 - ((round * 17) % 64), g: 255 - ((round * 29) % 64), b: 255 - ((round * 41) % 64) })
              .png()
              .toBuffer();
      yield { key: String(i).padStart(9, '0'), image, ext: 'png', caption: e.labels.en };
    }
  }
  await writeWebdatasetTar(join(shards, `${String(s).padStart(5, '0')}.tar`), samples());
}
const files = readdirSync(shards).map((f) => join(shards, f));
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(
  `wrote ${pairs} pairs in ${files.length} shards (${(bytes / 2 ** 20).toFixed(0)} MiB) ` +
    `in ${((performance.now() - started) / 1000).toFixed(0)} s; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);

// Shard read rate: `tar -xO` (every member read and discarded) vs Rosetta's streamed reader (every body in memory, one sample at a time).
const t0 = performance.now();
for (const f of files) execFileSync('tar', ['-xOf', f], { maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'inherit'] });
const tarSeconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
let read = 0;
for (const f of files) for await (const _ of readShard(f)) read += 1;
const readerSeconds = (performance.now() - t1) / 1000;

function rosetta(args: string[], bin = BIN): ChildProcess & { out: string } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { out: string };
  child.out = '';
  child.stdout!.on('data', (d) => {
    child.out += d;
  });
  child.stderr!.on('data', (d) => {
    child.out += d;
  });
  return child;
}
const exited = (c: ChildProcess) => new Promise<number>((r) => c.once('exit', (code) => r(code ?? -1)));
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface IndexRun {
  seconds: number;
  summary: { added: number; updated: number; skipped: number; failed: number };
  items: number;
  workerRss: number[];
}

/** One run into a fresh collection; `jobsAtOnce` is each worker's --concurrency. */
async function timedIndex(name: string, workers: number, redis?: RedisHarness, jobsAtOnce = 1, bin = BIN): Promise<IndexRun> {
  const dir = join(root, name);
  const ws = Array.from({ length: workers }, () =>
    rosetta(['worker', '--queue', redis!.url, '--offline', '--json', '--concurrency', String(jobsAtOnce)], bin),
  );
  if (workers) await new Promise((r) => setTimeout(r, 3000)); // workers load the model before the clock starts
  const t = performance.now();
  const index = rosetta(
    ['index', shards, '--dir', dir, '--model', 'mini', '--offline', '--json', ...(redis ? ['--queue', redis.url] : [])],
    bin,
  );
  const code = await exited(index);
  const seconds = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`${name}: ${index.out}`);
  const workerRss = ws.map((w) => peakRss(w.pid!));
  for (const w of ws) {
    w.kill('SIGTERM');
    await exited(w);
  }
  const summary = JSON.parse(index.out.slice(index.out.indexOf('{')));
  // What the collection holds afterwards, not only what the run counted: every run must end with the same items.
  const info = rosetta(['info', '--dir', dir, '--json']);
  await exited(info);
  return { seconds, summary, items: JSON.parse(info.out.slice(info.out.indexOf('{'))).items, workerRss };
}

const redis = await RedisHarness.start();
try {
  const inProcess = await timedIndex('in-process', 0);
  const measured: [string, IndexRun][] = [['in-process rosetta index', inProcess]];
  if (base)
    measured.push([
      `index --queue, 1 worker, base checkout ${base}`,
      await timedIndex('base-one-worker', 1, redis, 1, join(base, 'bin/rosetta.js')),
    ]);
  if (runs.has('one-worker')) measured.push(['index --queue, 1 worker', await timedIndex('one-worker', 1, redis)]);
  if (runs.has('one-worker-two-jobs'))
    measured.push(['index --queue, 1 worker, 2 jobs at once (--concurrency 2)', await timedIndex('one-worker-two-jobs', 1, redis, 2)]);
  if (runs.has('two-workers')) measured.push(['index --queue, 2 workers', await timedIndex('two-workers', 2, redis)]);
  const row = (run: string, r: IndexRun) => ({
    run,
    'pairs/s': pairs / r.seconds,
    seconds: r.seconds,
    'vs in-process': inProcess.seconds / r.seconds,
    items: r.items,
    'added / updated / skipped / failed': `${r.summary.added} / ${r.summary.updated} / ${r.summary.skipped} / ${r.summary.failed}`,
    'worker peak RSS MiB': r.workerRss.length ? r.workerRss.map((x) => x.toFixed(0)).join(', ') : '—',
  });
  printTable(
    `Distributed ingest of ${pairs} emoji image–caption pairs (${files.length} webdataset shards), mini model, 2 cores`,
    measured.map(([run, r]) => row(run, r)),
  );
  printTable('Shard read rate', [
    { reader: 'tar -xOf (every member to /dev/null)', 'samples/s': read / tarSeconds, 'MiB/s': bytes / 2 ** 20 / tarSeconds },
    {
      reader: 'Rosetta readShard (streamed, samples in memory)',
      'samples/s': read / readerSeconds,
      'MiB/s': bytes / 2 ** 20 / readerSeconds,
    },
  ]);
  console.log(
    `\nitems ${measured.map(([, r]) => r.items).join('/')}; load after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await redis.close();
  rmSync(root, { recursive: true, force: true });
}
