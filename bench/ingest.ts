/**
 * Ingest files/s and peak RSS on a 5,000-image folder with the mini model, beside a baseline pass
 * that only reads, hashes and decodes the same files (what any indexer must do before encoding).
 * Run: npx tsx bench/ingest.ts [--count 5000] [--batch-files 32] [--commit-items 512]
 * (baseline and ingest each run in a child process, so their RSS figures are separate)
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
  const s = await rosetta.index([folder], {
    batchFiles: Number(arg('batch-files', '32')),
    commitItems: Number(arg('commit-items', '512')),
  });
  await rosetta.close();
  console.log(
    JSON.stringify({ filesPerSecond: s.filesPerSecond, seconds: s.seconds, added: s.added, failed: s.failed, peakRssMiB: peakRssMiB() }),
  );
} else if (mode === 'baseline') {
  const { createHash } = await import('node:crypto');
  const { decodeImage } = await import('../src/media/image/decode-image.js');
  const files = readdirSync(folder).map((f) => join(folder, f));
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
  console.log(JSON.stringify({ filesPerSecond: files.length / seconds, seconds, peakRssMiB: peakRssMiB() }));
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
  printTable(
    `Ingest of ${count} images ` +
      `(${pairs.length < count ? `${Math.min(pairs.length, count)} emoji PNGs + ${count - Math.min(pairs.length, count)} 640×480 JPEGs` : 'emoji PNGs'}), ` +
      `mini model, 2 cores`,
    [
      {
        run: 'baseline: read + SHA-256 + sharp decode only',
        'files/s': baseline.filesPerSecond,
        seconds: baseline.seconds,
        'peak RSS MiB': baseline.peakRssMiB,
      },
      {
        run: 'rosetta index (decode, encode, LanceDB commit)',
        'files/s': rosetta.filesPerSecond,
        seconds: rosetta.seconds,
        'peak RSS MiB': rosetta.peakRssMiB,
      },
    ],
  );
  console.log(
    `\nrosetta / baseline: ${(rosetta.filesPerSecond / baseline.filesPerSecond).toFixed(2)}× (target ≥ 0.5×); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  rmSync(root, { recursive: true, force: true });
}
