import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let model: string;
let rosetta: Rosetta;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-gen-'));
  model = buildTinyClip();
  writeFileSync(join(root, 'red.png'), await colourImage('red'));
  rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [model], offline: true, cacheDir: join(root, 'cache') });
});
after(async () => {
  await rosetta.close();
  rmSync(root, { recursive: true, force: true });
});

test('offline without a captioner, caption falls back to zero-shot tags from the image space, marked as tags, with a consistency score', async () => {
  const r = await rosetta.caption(join(root, 'red.png'), { labels: ['red', 'green', 'blue', 'black'] });
  assert.equal(r.kind, 'tags');
  assert.equal(r.tags?.[0].label, 'red');
  assert.ok(r.fallbackReason && /offline|not in the cache|Xenova/i.test(r.fallbackReason), r.fallbackReason);
  assert.ok(r.consistency !== undefined && r.consistency > 0 && r.consistency <= 2.5);
});

test('score is CLIPScore: higher for the matching text, 0 for an opposite one', async () => {
  const match = await rosetta.score(join(root, 'red.png'), 'red');
  const other = await rosetta.score(join(root, 'red.png'), 'cyan');
  assert.ok(match.score > 2.4, `red image vs "red": ${match.score}`);
  assert.equal(other.score, 0, 'cyan is the opposite colour: negative cosine clips to 0');
  assert.ok(Math.abs(match.score - 2.5 * match.cosine) < 1e-6);
});

test('rosetta speak writes a real WAV with espeak-ng offline when no neural voice is installed; rosetta caption --json reports the fallback', async () => {
  const wav = join(root, 'hello.wav');
  // No registry models (the set-up's Piper voice is the offline default when present: test/models/piper.test.ts).
  const s = await runCli(['speak', 'hello world', '-o', wav, '--offline', '--json'], {
    env: { ROSETTA_CACHE_DIR: join(root, 'cache'), ROSETTA_REGISTRY_MODELS_DIR: join(root, 'no-registry') },
  });
  assert.equal(s.code, 0, s.stderr);
  const info = JSON.parse(s.stdout);
  assert.equal(info.engine, 'espeak-ng');
  assert.ok(info.duration > 0.3 && info.duration < 5);
  assert.equal(readFileSync(wav).subarray(0, 4).toString(), 'RIFF');
  const c = await runCli(
    [
      'caption',
      join(root, 'red.png'),
      '--model',
      model,
      '--dir',
      join(root, '.rosetta'),
      '--offline',
      '--labels',
      'red,green,blue',
      '--json',
    ],
    { env: { ROSETTA_CACHE_DIR: join(root, 'cache') } },
  );
  assert.equal(c.code, 0, c.stderr);
  const out = JSON.parse(c.stdout);
  assert.equal(out.kind, 'tags');
  assert.equal(out.tags[0].label, 'red');
});
