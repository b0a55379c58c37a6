import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rosetta } from '../../src/rosetta.js';
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import { runCli } from '../helpers/run-cli.js';

test('an adapter fitted on a shifted domain (greyscale, low contrast) improves held-out recall, and search uses it unless told not to', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-adapter-'));
  const images = join(root, 'grey');
  mkdirSync(images);
  const pairs = loadEmojiPairs({ split: 'train', languages: ['en'] })
    .filter((_, i) => i % 9 === 0)
    .slice(0, 160);
  const rows: string[] = [];
  for (const p of pairs) {
    const out = join(images, `${p.id}.png`);
    writeFileSync(out, await sharp(p.imagePath).flatten({ background: '#fff' }).greyscale().linear(0.5, 100).png().toBuffer());
    rows.push(JSON.stringify({ image: out, caption: p.labels.en }));
  }
  rows.push(JSON.stringify({ image: join(images, 'missing.png'), caption: 'nothing' }));
  rows.push(JSON.stringify({ image: join(images, `${pairs[0].id}.png`), caption: '' }));
  writeFileSync(join(root, 'broken.png'), Buffer.from('89504e470d0a1a0a0000', 'hex'));
  rows.push(JSON.stringify({ image: join(root, 'broken.png'), caption: 'a broken picture' }));
  writeFileSync(join(root, 'pairs.jsonl'), `${rows.join('\n')}\n`);

  const dir = join(root, '.rosetta');
  const rosetta = await Rosetta.open(dir, { spaces: ['mini'], offline: true });
  await rosetta.index([images]);
  await rosetta.close();

  const r = await runCli(['train', '--pairs', join(root, 'pairs.jsonl'), '--dir', dir, '--offline', '--json'], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const fit = JSON.parse(r.stdout);
  assert.equal(fit.pairs, 160);
  assert.equal(fit.skipped.length, 3, 'missing file, empty caption and unreadable image are reported and skipped');
  assert.ok(fit.after['10'] > fit.before['10'], `held-out R@10 ${fit.before['10']} → ${fit.after['10']}`);

  // Search applies the saved adapter transparently; --no-adapter / adapter: false compares without it.
  const reopened = await Rosetta.open(dir, { offline: true });
  let withAdapter = 0;
  let without = 0;
  for (const p of pairs) {
    const path = join(images, `${p.id}.png`);
    const rank = async (adapter: boolean) => {
      const hits = await reopened.search(p.labels.en, { k: 10, adapter });
      const i = hits.findIndex((h) => h.locations.includes(path));
      return i < 0 ? 0 : 1;
    };
    withAdapter += await rank(true);
    without += await rank(false);
  }
  assert.ok(withAdapter > without, `captions finding their picture in the top 10: ${without} without the adapter, ${withAdapter} with it`);
  await reopened.close();
  rmSync(root, { recursive: true, force: true });
});
