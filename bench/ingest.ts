/**
 * Ingest files/s and peak RSS on a 5,000-image folder with the mini model, beside a baseline pass
 * that only reads, hashes and decodes the same files (what any indexer must do before encoding).
 * Run: npx tsx bench/ingest.ts [--count 5000] [--batch-files 32] [--commit-items 512] [--stages]
 * (baseline and ingest each run in a child process, so their RSS figures are separate). Each row also gives the
 * process CPU seconds (user + system, all threads) per file. `--stages` adds a third child that runs the stages
 * of ingest one after the other over the same files and gives each stage's CPU per file.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadEmojiPairs } from '../src/datasets/emoji-pairs.js';
import { arg, peakRssMiB, printTable } from './lib.js';

const mode = arg('mode', 'parent');
const folder = arg('folder', '');

if (mode === 'rosetta') {
  const { Rosetta } = await import('../src/rosetta.js');
  const rosetta = await Rosetta.open(join(folder, '..', '.rosetta'), { spaces: ['mini'], offline: true });
  await rosetta.loadModels();
  const cpu = process.cpuUsage();
  const s = await rosetta.index([folder], {
    batchFiles: Number(arg('batch-files', '32')),
    commitItems: Number(arg('commit-items', '512')),
  });
  const cpuSeconds = cpuSince(cpu);
  await rosetta.close();
  console.log(
    JSON.stringify({
      filesPerSecond: s.filesPerSecond,
      seconds: s.seconds,
      cpuMsPerFile: (cpuSeconds * 1000) / (s.added + s.updated + s.skipped + s.failed),
      added: s.added,
      failed: s.failed,
      peakRssMiB: peakRssMiB(),
    }),
  );
} else if (mode === 'stages') {
  console.log(JSON.stringify(await stageCpu(folder)));
} else if (mode === 'baseline') {
  const { createHash } = await import('node:crypto');
  const { decodeImage } = await import('../src/media/image/decode-image.js');
  const files = readdirSync(folder).map((f) => join(folder, f));
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < files.length; i += 16) {
    await Promise.all(
      files.slice(i, i + 16).map(async (f) => {
        const b = readFileSync(f);
        createHash('sha256').update(b).digest('hex');
        await decodeImage(b, { maxSide: 512 });
      }),
    );
  }
  const seconds = (performance.now() - t) / 1000;
  const cpuMsPerFile = (cpuSince(cpu) * 1000) / files.length;
  console.log(JSON.stringify({ filesPerSecond: files.length / seconds, seconds, cpuMsPerFile, peakRssMiB: peakRssMiB() }));
} else {
  const count = Number(arg('count', '5000'));
  const root = mkdtempSync(join(tmpdir(), 'rosetta-bench-ingest-'));
  const dir = join(root, 'images');
  mkdirSync(dir);
  const pairs = loadEmojiPairs({ languages: ['en'] });
  let n = 0;
  for (const p of pairs) {
    if (n >= count) break;
    copyFileSync(p.imagePath, join(dir, `emoji-${n}.png`));
    n += 1;
  }
  while (n < count) {
    // A distinct gradient photo per file (cheap to make, dedupe sees different bytes).
    const base = await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: (n * 53) % 256 } },
    })
      .composite([
        {
          input: {
            create: { width: 20, height: 15, channels: 3, background: { r: (n * 11) % 256, g: 255 - ((n * 7) % 256), b: (n * 3) % 256 } },
          },
          left: n % 20,
          top: n % 15,
        },
      ])
      .png()
      .toBuffer();
    const img = await sharp(base).resize(640, 480, { kernel: 'cubic' }).jpeg({ quality: 85 }).toBuffer();
    writeFileSync(join(dir, `photo-${n}.jpg`), img);
    n += 1;
  }
  const pass = ['batch-files', 'commit-items'].flatMap((f) => (process.argv.includes(`--${f}`) ? [`--${f}`, arg(f, '')] : []));
  const run = (m: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--mode', m, '--folder', dir, ...pass], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      })
        .trim()
        .split('\n')
        .pop()!,
    );
  const baseline = run('baseline');
  const rosetta = run('rosetta');
  const stages = process.argv.includes('--stages') ? (run('stages') as Record<string, number>) : undefined;
  printTable(
    `Ingest of ${count} images ` +
      `(${pairs.length < count ? `${Math.min(pairs.length, count)} emoji PNGs + ${count - Math.min(pairs.length, count)} 640×480 JPEGs` : 'emoji PNGs'}), ` +
      `mini model, 2 cores`,
    [
      {
        run: 'baseline: read + SHA-256 + sharp decode only',
        'files/s': baseline.filesPerSecond,
        seconds: baseline.seconds,
        'CPU ms/file': baseline.cpuMsPerFile,
        'peak RSS MiB': baseline.peakRssMiB,
      },
      {
        run: 'rosetta index (decode, encode, LanceDB commit)',
        'files/s': rosetta.filesPerSecond,
        seconds: rosetta.seconds,
        'CPU ms/file': rosetta.cpuMsPerFile,
        'peak RSS MiB': rosetta.peakRssMiB,
      },
    ],
  );
  console.log(
    `\nrosetta / baseline: ${(rosetta.filesPerSecond / baseline.filesPerSecond).toFixed(2)}× (aim ≥ 0.7×, issue 24); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (stages) {
    printTable(
      'CPU per file by stage, each stage alone over the same files (user + system, all threads)',
      Object.entries(stages).map(([stage, ms]) => ({ stage, 'CPU ms/file': ms })),
    );
  }
  rmSync(root, { recursive: true, force: true });
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/**
 * The stages of file ingest one after the other over every file of `folder`, each with the concurrency the
 * pipeline gives it, as CPU ms per file: what each costs, without the overlap that hides it in a real run.
 */
async function stageCpu(dir: string): Promise<Record<string, number>> {
  const { hashAndType, decodeForEncoding } = await import('../src/ingest/prepare-file.js');
  const { encodeBatch } = await import('../src/ingest/encode-batch.js');
  const { ProgressCounter } = await import('../src/ingest/progress.js');
  const { loadSpace } = await import('../src/spaces/load-space.js');
  const { resolveRuntime } = await import('../src/models/runtime-options.js');
  const { preprocessImages, readImagePreprocessConfig } = await import('../src/media/image/preprocess-image.js');
  const { openLanceStore } = await import('../src/store/lancedb/lance-store.js');
  const { MINI_MODEL_DIR } = await import('../src/models/model-ref.js');
  const { statSync } = await import('node:fs');
  const files = readdirSync(dir).map((f) => {
    const path = join(dir, f);
    const st = statSync(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  });
  const n = files.length;
  const out: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const cpu = process.cpuUsage();
    const v = await fn();
    out[name] = (cpuSince(cpu) * 1000) / n;
    return v;
  };
  const each = async <T, R>(items: T[], size: number, fn: (x: T) => Promise<R>): Promise<R[]> => {
    const r: R[] = [];
    for (let i = 0; i < items.length; i += size) r.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
    return r;
  };
  const space = await loadSpace({ model: 'mini' }, resolveRuntime({ offline: true }));
  await space.load(['image']);
  await space.embedImages([{ data: new Uint8Array(32 * 32 * 3), width: 32, height: 32, channels: 3 }]);
  const typed = await timed('read + SHA-256 + type', () => each(files, 16, (f) => hashAndType(f)));
  // Files with the same bytes are one item (as in ingest): each is decoded and stored once.
  const seen = new Set<string>();
  const unique = files.map((f, i) => ({ f, t: typed[i] })).filter(({ t }) => !seen.has(t.hash) && seen.add(t.hash));
  const prepared = await timed('decode (sharp, ≤ 512 px)', () =>
    each(unique, 16, ({ f, t }) => decodeForEncoding(f, t.bytes, t.hash, t.type)),
  );
  const images = prepared.map((p) => p.image!);
  const cfg = readImagePreprocessConfig(JSON.parse(readFileSync(join(MINI_MODEL_DIR, 'clip', 'preprocessor_config.json'), 'utf8')));
  await timed('preprocess (resize + crop + normalise)', () => each(chunk(images, 32), 1, (b) => preprocessImages(b, cfg)));
  await timed('preprocess + image tower (embedImages)', () => each(chunk(images, 32), 1, (b) => space.embedImages(b)));
  out['image tower alone (difference)'] = out['preprocess + image tower (embedImages)'] - out['preprocess (resize + crop + normalise)'];
  const counter = new ProgressCounter(n);
  const pending = await timed('item records (encodeBatch, incl. tower)', async () =>
    (
      await each(chunk(prepared, 32), 1, (b) =>
        encodeBatch(
          { spaces: [space] },
          b.map((prepared) => ({ prepared })),
          {},
          counter,
        ),
      )
    ).flat(),
  );
  const store = await openLanceStore(join(dir, '..', '.rosetta-stages'));
  let size = 32;
  await timed('LanceDB commits (32 → 512 items)', async () => {
    for (let i = 0; i < pending.length; i += size, size = Math.min(512, size * 2))
      await store.commitItems(pending.slice(i, i + size).map((p) => p.commit));
  });
  await timed('optimize (compaction, indexes)', () => store.optimize());
  await store.close();
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const r: T[][] = [];
  for (let i = 0; i < items.length; i += size) r.push(items.slice(i, i + size));
  return r;
}
