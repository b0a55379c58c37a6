import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/run-cli.js';

interface DemoJson {
  summary: { added: number; failed: number };
  quality: { pictures: number; recallAt5: number; chanceAt1: number };
  imagined: { prompt: string; file: string; seed: number; consistency: number; consistencyWithOther: number }[];
}

// The README's main job, small: index pictures of a style the mini model never saw, search them, and draw two of
// their labels with the shipped generator. Each drawing must sit closer to its own prompt than to the other one.
test('rosetta demo indexes, finds and draws offline: each drawing scores higher with its own prompt', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'rosetta-demo-'));
  try {
    const r = await runCli(['demo', '--out', out, '--limit', '20', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const demo = JSON.parse(r.stdout) as DemoJson;
    assert.equal(demo.summary.failed, 0);
    assert.ok(demo.summary.added >= 20, `${demo.summary.added} added`);
    assert.ok(demo.quality.recallAt5 > 5 * demo.quality.chanceAt1, `R@5 ${demo.quality.recallAt5}`);
    assert.equal(demo.imagined.length, 2);
    for (const d of demo.imagined) {
      assert.ok(existsSync(d.file), d.file);
      const meta = await sharp(d.file).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 256, 256]);
      assert.ok(
        d.consistency > d.consistencyWithOther,
        `"${d.prompt}": ${d.consistency} with its prompt, ${d.consistencyWithOther} with the other`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
