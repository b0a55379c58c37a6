/**
 * Parquet shard read time against row-group size: LAION-style metadata (key, url, caption) written with
 * hyparquet-writer, read through Rosetta's shard reader (`readShard`), one file at a time.
 *
 *   flock /tmp/rosetta-heavy.lock node --import tsx bench/parquet.ts [--cases 200000x1,200000x10000,1000000x1] [--timeout-s 120]
 *
 * A case `RxG` is R rows in groups of G rows (G = 1: one group). Each case runs in its own child process so a
 * case that does not finish is cut at --timeout-s without stopping the others; peak RSS is the child's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, printTable } from './lib.js';

const SELF = fileURLToPath(import.meta.url);

async function child(mode: string): Promise<void> {
  const [, path] = process.argv.slice(2);
  if (mode === '--write') {
    const rows = Number(process.argv[4]);
    const group = Number(process.argv[5]);
    const { parquetWriteFile } = await import('hyparquet-writer');
    const key: string[] = [],
      url: string[] = [],
      caption: string[] = [];
    for (let i = 0; i < rows; i += 1) {
      key.push(String(i).padStart(9, '0'));
      url.push(`https://images.example.org/${((i * 2654435761) >>> 0).toString(36)}/photo-${i}.jpg`);
      caption.push(`a photo number ${i} of a ${['red', 'green', 'blue', 'yellow'][i % 4]} thing on a table, taken in ${1990 + (i % 30)}`);
    }
    parquetWriteFile({
      filename: path,
      rowGroupSize: group === 1 ? rows : group,
      columnData: [
        { name: 'key', data: key, type: 'STRING' },
        { name: 'url', data: url, type: 'STRING' },
        { name: 'caption', data: caption, type: 'STRING' },
      ],
    });
    return;
  }
  const { readShard } = await import('../src/datasets/shards/read-shard.js');
  const t = performance.now();
  let n = 0;
  for await (const s of readShard(path)) {
    if (s.url) n += 1;
  }
  const ms = performance.now() - t;
  process.stdout.write(JSON.stringify({ rows: n, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

if (process.argv[2] === '--write' || process.argv[2] === '--read') {
  await child(process.argv[2]);
} else {
  const cases = arg('cases', '200000x1,200000x10000,1000000x1').split(',');
  const timeoutS = Number(arg('timeout-s', '120'));
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-parquet-bench-'));
  const rows: Record<string, string | number>[] = [];
  try {
    for (const c of cases) {
      const [r, g] = c.split('x').map(Number);
      const path = join(dir, `${c}.parquet`);
      const w = await run(['--write', path, String(r), String(g)], 600_000);
      if (w.code !== 0) throw new Error(w.stderr);
      const read = await run(['--read', path], timeoutS * 1000);
      const out = read.code === 0 ? (JSON.parse(read.stdout) as { rows: number; ms: number; peakRssMb: number }) : undefined;
      rows.push({
        rows: r,
        'rows per group': g === 1 ? r : g,
        'file MB': statSync(path).size / 1e6,
        'read s': out ? out.ms / 1000 : `> ${timeoutS} (cut)`,
        'rows read': out?.rows ?? '-',
        'peak RSS MB': out?.peakRssMb ?? '-',
      });
      if (read.code !== 0 && read.stderr) console.error(read.stderr.slice(-400));
      rmSync(path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable('Parquet shard read time against row-group size (key, url, caption)', rows);
}
