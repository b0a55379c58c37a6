/**
 * Peak RSS of reading a webdataset tar shard whose one key has many large members the sample does not use
 * (the fault campaign's 30 members of 60 MB), through Rosetta's shard reader, in a child process.
 *
 *   flock /tmp/rosetta-heavy.lock node --import tsx bench/tar-members.ts [--members 30] [--mb 60]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';
import { arg, printTable } from './lib.js';

if (process.argv[2] === '--read') {
  const { readShard } = await import('../src/datasets/shards/read-shard.js');
  let samples = 0;
  for await (const s of readShard(process.argv[3])) if (s.image) samples += 1;
  process.stdout.write(JSON.stringify({ samples, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const members = Number(arg('members', '30'));
  const mb = Number(arg('mb', '60'));
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-tar-bench-'));
  const path = join(dir, '00000.tar');
  try {
    const tar = pack();
    const done = pipeline(tar, createWriteStream(path));
    const block = Buffer.alloc(1024 * 1024, 7);
    const entry = (name: string, size: number) =>
      new Promise<void>((resolve, reject) => {
        const e = tar.entry({ name, size }, (err) => (err ? reject(err) : resolve()));
        let left = size;
        const more = () => {
          while (left > 0) {
            const n = Math.min(left, block.length);
            left -= n;
            if (!e.write(block.subarray(0, n))) {
              e.once('drain', more);
              return;
            }
          }
          (e as unknown as { end(): void }).end();
        };
        more();
      });
    await entry('000.jpg', 50_000);
    await entry('000.txt', 20);
    for (let i = 0; i < members; i += 1) await entry(`000.extra${i}.npy`, mb * 1024 * 1024);
    await entry('001.jpg', 50_000);
    tar.finalize();
    await done;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--read', path], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let s = '';
      p.stdout.on('data', (d) => {
        s += d;
      });
      p.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`reader exited ${code}`))));
    });
    const r = JSON.parse(out) as { samples: number; peakRssMb: number };
    printTable('Peak RSS reading a tar shard with unused members', [
      { 'unused members': members, 'MB each': mb, samples: r.samples, 'peak RSS MB': r.peakRssMb },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
