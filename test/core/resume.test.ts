import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

test('an index run killed with SIGKILL and started again finishes with nothing duplicated or lost', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-resume-'));
  const files = join(root, 'files');
  mkdirSync(files);
  const N = 48;
  for (let i = 0; i < N; i += 1)
    writeFileSync(
      join(files, `img-${String(i).padStart(3, '0')}.png`),
      await colourImage([i * 5, 255 - i * 5, (i * 37) % 256], { seed: i + 1 }),
    );
  const model = buildTinyClip();
  const dir = join(root, '.rosetta');

  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'resume-child.ts'), dir, files, model], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let killedAt = -1;
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const m = /done (\d+)/.exec(chunk.toString());
      if (m && Number(m[1]) >= 12 && killedAt < 0) {
        killedAt = Number(m[1]);
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve());
  });
  assert.ok(killedAt > 0 && killedAt < N, `killed mid-run (at ${killedAt})`);

  const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true });
  const before = await rosetta.store.countItems();
  assert.ok(before >= 8 && before < N, `some items were committed before the kill (${before})`);
  const summary = await rosetta.index([files]);
  assert.equal(summary.failed, 0);
  assert.equal(summary.skipped, before, 'committed items are not redone');
  assert.equal(summary.added, N - before);
  assert.equal(await rosetta.store.countItems(), N);
  const hits = await rosetta.search('red', { k: 200 });
  assert.equal(hits.length, N, 'one result per image');
  assert.equal(new Set(hits.map((h) => h.segmentId)).size, N, 'no duplicate vectors');
  await rosetta.close();
  rmSync(root, { recursive: true, force: true });
});
