/**
 * ANN files that were tampered with so that sizes and CRC-32s still agree are not trusted: a forged usearch
 * header (once: std::bad_alloc, exit 134 on every open), a manifest naming a file outside the index folder
 * (`../../dev/zero` once hung search), links and devices in the folder, and rewritten vectors (once: recall
 * 0.0) are all found before use; the index is rebuilt and searches stay exact meanwhile.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { vectorTableName } from '../../src/store/keys.js';
import type { AnnManifest } from '../../src/store/lancedb/ann/index-files.js';
import { annCommit, ANN_SPACE } from '../store/ann-fixture.js';

const COUNT = 1500;
const root = mkdtempSync(join(tmpdir(), 'rosetta-ann-tamper-'));
let n = 0;
let pristine: string;
after(() => rmSync(root, { recursive: true, force: true }));

before(async () => {
  pristine = join(root, 'pristine');
  const store = await openLanceStore(pristine, { indexThreshold: 100 });
  for (let i = 0; i < COUNT; i += 500) await store.commitItems(Array.from({ length: 500 }, (_, j) => annCommit(i + j)));
  await store.close(); // saves the index
});

/** A copy of the collection with its index saved, and the paths of its index files. */
function copy(): { dir: string; ann: string; manifest: AnnManifest; indexPath: string; save(m: AnnManifest): void } {
  const dir = join(root, `c${n++}`);
  assert.equal(spawnSync('cp', ['-r', pristine, dir]).status, 0);
  const ann = join(dir, 'ann', vectorTableName(ANN_SPACE.spaceId));
  const manifest = JSON.parse(readFileSync(join(ann, 'manifest.json'), 'utf8')) as AnnManifest;
  return {
    dir,
    ann,
    manifest,
    indexPath: join(ann, manifest.index.file),
    save: (m) => writeFileSync(join(ann, 'manifest.json'), JSON.stringify(m)),
  };
}

/** Rewrites the index file and records its new CRC-32 (same size) in the manifest, as a careful forger would. */
function forge(c: ReturnType<typeof copy>, change: (bytes: Buffer) => void): void {
  const bytes = readFileSync(c.indexPath);
  change(bytes);
  writeFileSync(c.indexPath, bytes);
  c.save({ ...c.manifest, index: { ...c.manifest.index, bytes: bytes.length, crc32: crc32(bytes) } });
}

/** Opens and searches in a child (60 s at most): its exit code, recall and the index state. */
function openInChild(
  dir: string,
): Promise<{ code: number | null; signal: string | null; result?: { recall: number; state: string; reason?: string }; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ann-open-child.ts'), dir, String(COUNT)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      resolve({ code, signal, result: line ? JSON.parse(line) : undefined, stderr: err.slice(-2000) });
    });
  });
}

async function assertRebuilt(dir: string, reason: RegExp): Promise<void> {
  const run = await openInChild(dir);
  assert.equal(run.code, 0, `exit ${run.code} ${run.signal ?? ''}: ${run.stderr}`);
  assert.ok(run.result!.recall >= 0.98, `recall ${run.result!.recall}`);
  assert.equal(run.result!.state, 'ready');
  assert.match(run.result!.reason ?? '', reason);
}

test('an untouched index loads as it is (the checks pass a genuine file)', async () => {
  const c = copy();
  const run = await openInChild(c.dir);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.result!.recall >= 0.98);
  assert.equal(run.result!.reason, undefined, JSON.stringify(run.result));
});

test('a forged usearch header with a consistent CRC-32 is refused before usearch reads it', async () => {
  const c = copy();
  // The node count of the graph header (after the matrix and the 64-byte head) claims 2^40 nodes.
  forge(c, (bytes) => {
    const rows = bytes.readUInt32LE(0),
      rowBytes = bytes.readUInt32LE(4);
    bytes.writeBigUInt64LE(1n << 40n, 8 + rows * rowBytes + 64);
  });
  await assertRebuilt(c.dir, /not an index of this table/);
  const d = copy();
  // The head's dimension count.
  forge(d, (bytes) => {
    const rows = bytes.readUInt32LE(0),
      rowBytes = bytes.readUInt32LE(4);
    bytes.writeBigUInt64LE(1n << 36n, 8 + rows * rowBytes + 33);
  });
  await assertRebuilt(d.dir, /not an index of this table/);
});

test('a manifest naming a file outside the index folder, a link or a device is refused', { timeout: 240_000 }, async () => {
  const outside = copy();
  outside.save({ ...outside.manifest, index: { ...outside.manifest.index, file: '../../dev/zero' } });
  await assertRebuilt(outside.dir, /not a file of the index folder/);

  const link = copy();
  renameSync(link.indexPath, join(link.dir, 'elsewhere.usearch'));
  symlinkSync(join(link.dir, 'elsewhere.usearch'), link.indexPath);
  await assertRebuilt(link.dir, /is a link/);

  const device = copy();
  rmSync(device.indexPath);
  symlinkSync('/dev/zero', device.indexPath);
  await assertRebuilt(device.dir, /is a link/);

  // The whole index folder replaced by a link to another collection's.
  const folder = copy();
  const other = join(root, 'other-ann');
  renameSync(folder.ann, other);
  symlinkSync(other, folder.ann);
  await assertRebuilt(folder.dir, /not a folder/);
  assert.ok(readdirSync(other).includes('manifest.json'), 'nothing was written through the link');
});

test('an index whose stored vectors were rewritten (sizes and CRC-32s consistent) is found by the sample check and rebuilt', async () => {
  const c = copy();
  // Every stored vector replaced by the one of the next slot: the graph still looks whole, but answers wrongly.
  forge(c, (bytes) => {
    const rows = bytes.readUInt32LE(0),
      rowBytes = bytes.readUInt32LE(4);
    const matrix = Buffer.from(bytes.subarray(8, 8 + rows * rowBytes));
    for (let r = 0; r < rows; r++) matrix.copy(bytes, 8 + r * rowBytes, ((r + 1) % rows) * rowBytes, (((r + 1) % rows) + 1) * rowBytes);
  });
  await assertRebuilt(c.dir, /do not match the index/);
});
