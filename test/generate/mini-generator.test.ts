import { describe as suite, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { animateMini, imagineMini, MiniGenerator } from '../../src/generate/index.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { locateFfmpeg } from '../../src/media/ffmpeg/locate.js';
import { Rosetta } from '../../src/rosetta.js';
import { dot } from '../../src/vectors/vector-math.js';
import { modelVersion } from '../../src/models/model-version.js';
import { parseModelRef } from '../../src/models/model-ref.js';
import type { Space } from '../../src/spaces/space.js';
import type { RgbImage } from '../../src/types.js';
import { runCli } from '../helpers/run-cli.js';

// A rosetta-mini directory made of the shipped model's towers (clip/, rosetta.json) and the tiny random-weight
// generator of test/fixtures/mini-generator (scripts/mini-v5/make-tiny-generator.py: the recipe's classes at width 32/8).
const MINI = fileURLToPath(new URL('../../models/rosetta-mini', import.meta.url));
const TINY_GENERATOR = fileURLToPath(new URL('../fixtures/mini-generator', import.meta.url));

function miniDir(root: string, name: string, withGenerator: boolean): string {
  const dir = join(root, name);
  mkdirSync(dir);
  symlinkSync(join(MINI, 'clip'), join(dir, 'clip'));
  copyFileSync(join(MINI, 'rosetta.json'), join(dir, 'rosetta.json'));
  if (withGenerator) symlinkSync(TINY_GENERATOR, join(dir, 'generator'));
  return dir;
}

const pixelsOf = (images: RgbImage[]) => images.map((i) => Buffer.from(i.data).toString('hex'));

suite('rosetta-mini generator: imagine and animate', () => {
  let root = '';
  let withGen = '';
  let withoutGen = '';
  let space: Space;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rosetta-mini-gen-'));
    withGen = miniDir(root, 'with-generator', true);
    withoutGen = miniDir(root, 'without-generator', false);
    space = await loadSpace({ model: withGen }, resolveRuntime({ offline: true }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('gives identical pixels for one seed, other pixels for another, and sample k does not depend on how many are asked', async () => {
    const a = await imagineMini(space, withGen, 'pizza', { samples: 3, seed: 11 });
    const b = await imagineMini(space, withGen, 'pizza', { samples: 3, seed: 11 });
    const c = await imagineMini(space, withGen, 'pizza', { samples: 3, seed: 12 });
    const one = await imagineMini(space, withGen, 'pizza', { samples: 1, seed: 11 });
    const byIndex = (r: typeof a) => pixelsOf([...r.candidates].sort((x, y) => x.index - y.index).map((s) => s.image));
    assert.deepEqual(byIndex(a), byIndex(b));
    assert.equal(a.seed, 11);
    assert.notDeepEqual(byIndex(a), byIndex(c));
    assert.equal(byIndex(one)[0], byIndex(a)[0]);
    // The samples of one call differ from each other (each has its own noise).
    assert.equal(new Set(byIndex(a)).size, 3);
  });

  it('returns the asked number of samples, ranked by the space, as 32 px pictures and 256 px PNGs', async () => {
    const r = await imagineMini(space, withGen, 'a red heart', { samples: 5, seed: 3 });
    assert.equal(r.candidates.length, 5);
    const [iv] = await space.embedImages!([r.image]);
    assert.ok(Math.abs(dot(iv, r.condition) - r.score) < 1e-5, 'the score is the cosine with the condition');
    for (let k = 1; k < r.candidates.length; k += 1) assert.ok(r.candidates[k - 1].score >= r.candidates[k].score, 'best first');
    for (const s of r.candidates) {
      assert.equal(s.image.width, 32);
      const meta = await sharp(s.png).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 256, 256]);
    }
    assert.deepEqual(r.png, r.candidates[0].png);
  });

  it('steers the condition itself with a reference picture (--image), by its weight', async () => {
    const reference: RgbImage = {
      data: new Uint8Array(32 * 32 * 3).map((_, i) => (i % 3 === 2 ? 220 : 30)),
      width: 32,
      height: 32,
      channels: 3,
    };
    const [t] = await space.embedTexts(['pizza']);
    const [r] = await space.embedImages!([reference]);
    const textOnly = await imagineMini(space, withGen, 'pizza', { samples: 1, seed: 5 });
    const imageOnly = await imagineMini(space, withGen, 'pizza', { samples: 1, seed: 5, image: reference, imageWeight: 1 });
    const half = await imagineMini(space, withGen, 'pizza', { samples: 1, seed: 5, image: reference, imageWeight: 0.5 });
    assert.ok(dot(imageOnly.condition, r) > 0.9999);
    assert.ok(dot(textOnly.condition, t) > 0.9999);
    assert.ok(dot(half.condition, r) > dot(textOnly.condition, r) && dot(half.condition, t) > dot(imageOnly.condition, t));
    assert.notDeepEqual(pixelsOf([textOnly.image]), pixelsOf([imageOnly.image]), 'the reference changes the pixels from one noise');
  });

  it('animates A → B from one noise: the first frame is the picture of A, the last of B, written as an MP4 with every frame', async () => {
    const out = join(root, 'clip.mp4');
    const clip = await animateMini(space, withGen, 'cat', 'pizza', { frames: 6, seed: 9, out, fps: 6 });
    assert.equal(clip.frames.length, 6);
    assert.deepEqual(
      clip.frames.map((f) => f.t),
      [0, 0.2, 0.4, 0.6, 0.8, 1],
    );
    for (const f of clip.frames) assert.ok(Number.isFinite(f.cosineA) && Number.isFinite(f.cosineB) && f.scoreA >= 0 && f.scoreB >= 0);
    const [a, b] = await Promise.all(['cat', 'pizza'].map((p) => imagineMini(space, withGen, p, { samples: 1, seed: 9 })));
    const close = (x: RgbImage, y: RgbImage) => x.data.every((v, i) => Math.abs(v - y.data[i]) <= 1);
    assert.ok(close(clip.frames[0].image, a.image) && close(clip.frames[5].image, b.image));
    const { ffprobe } = await locateFfmpeg();
    const probe = execFileSync(
      ffprobe,
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=nb_read_frames,width,height,codec_name',
        '-of',
        'json',
        out,
      ],
      { encoding: 'utf8' },
    );
    const stream = (JSON.parse(probe) as { streams: Array<{ nb_read_frames: string; width: number; height: number; codec_name: string }> })
      .streams[0];
    assert.deepEqual([Number(stream.nb_read_frames), stream.width, stream.height], [6, 256, 256]);
    assert.equal(stream.codec_name, clip.codec === 'libx264' ? 'h264' : 'mpeg4');
  });

  it('fails with ROSETTA_ERR_MODEL_NO_GENERATOR naming generator.json for a mini model without generator/', async () => {
    await assert.rejects(MiniGenerator.open(withoutGen), (e: Error & { code?: string; file?: string }) => {
      assert.equal(e.code, 'ROSETTA_ERR_MODEL_NO_GENERATOR');
      assert.equal(e.file, join(withoutGen, 'generator', 'generator.json'));
      assert.match(e.message, /has no generator/);
      return true;
    });
    const rosetta = await Rosetta.open(join(root, 'no-collection'), { spaces: [withoutGen], create: false, offline: true });
    try {
      await assert.rejects(rosetta.imagine('pizza', {}), { code: 'ROSETTA_ERR_MODEL_NO_GENERATOR' });
      await assert.rejects(rosetta.animate('cat', 'dog', { frames: 2 }), { code: 'ROSETTA_ERR_MODEL_NO_GENERATOR' });
    } finally {
      await rosetta.close();
    }
  });

  it("a generator beside the towers leaves the model's version alone, so a collection's vectors stay searchable", () => {
    // The store searches only vectors of the version it is asked with: a version moved by adding generator/ would
    // make every search of a collection indexed before return nothing.
    const version = (dir: string) => modelVersion(parseModelRef(dir));
    assert.equal(version(withGen), version(withoutGen));
    const retrained = miniDir(root, 'retrained', true);
    writeFileSync(
      join(retrained, 'rosetta.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(join(MINI, 'rosetta.json'), 'utf8')), seed: 2 }),
    );
    assert.notEqual(version(retrained), version(withGen), 'a changed model file still changes the version');
  });

  it('refuses a generator trained on another space (ROSETTA_ERR_MODEL_GENERATOR_SPACE_MISMATCH), and takes it on its own', async () => {
    // A generator folder whose generator.json records the SHA-256 of the text and image graphs that conditioned it.
    const withSpace = (name: string, textSha: string): string => {
      const dir = join(root, name);
      mkdirSync(join(dir, 'generator'), { recursive: true });
      symlinkSync(join(MINI, 'clip'), join(dir, 'clip'));
      copyFileSync(join(MINI, 'rosetta.json'), join(dir, 'rosetta.json'));
      symlinkSync(join(TINY_GENERATOR, 'onnx'), join(dir, 'generator', 'onnx'));
      const config = JSON.parse(readFileSync(join(TINY_GENERATOR, 'generator.json'), 'utf8')) as Record<string, unknown>;
      const sha = (f: string) =>
        createHash('sha256')
          .update(readFileSync(join(MINI, f)))
          .digest('hex');
      config.space = {
        graphs: { 'clip/onnx/text_model.onnx': textSha, 'clip/onnx/vision_model.onnx': sha('clip/onnx/vision_model.onnx') },
      };
      writeFileSync(join(dir, 'generator', 'generator.json'), JSON.stringify(config));
      return dir;
    };
    const own = withSpace(
      'own-space',
      createHash('sha256')
        .update(readFileSync(join(MINI, 'clip/onnx/text_model.onnx')))
        .digest('hex'),
    );
    const other = withSpace('other-space', 'ab'.repeat(32));
    const r = await imagineMini(space, own, 'pizza', { samples: 1, seed: 1 });
    assert.equal(r.candidates.length, 1);
    await assert.rejects(imagineMini(space, other, 'pizza', { samples: 1, seed: 1 }), (e: Error & { code?: string; file?: string }) => {
      assert.equal(e.code, 'ROSETTA_ERR_MODEL_GENERATOR_SPACE_MISMATCH');
      assert.equal(e.file, join(other, 'clip/onnx/text_model.onnx'));
      assert.match(e.message, /trained on another model's space/);
      return true;
    });
  });

  it('rosetta imagine --model <mini dir> and rosetta animate work through the CLI, offline', { timeout: 240_000 }, async () => {
    const png = join(root, 'cli.png');
    const im = await runCli([
      'imagine',
      'pizza',
      '--model',
      withGen,
      '--offline',
      '--dir',
      join(root, 'none'),
      '-o',
      png,
      '--samples',
      '2',
      '--seed',
      '4',
      '--json',
    ]);
    assert.equal(im.code, 0, im.stderr);
    const info = JSON.parse(im.stdout) as { seed: number; candidates: unknown[]; model: string };
    assert.deepEqual([info.seed, info.candidates.length, info.model], [4, 2, withGen]);
    assert.equal((await sharp(png).metadata()).width, 256);
    const mp4 = join(root, 'cli.mp4');
    const an = await runCli([
      'animate',
      'cat',
      'pizza',
      '--model',
      withGen,
      '--offline',
      '--dir',
      join(root, 'none'),
      '--frames',
      '3',
      '-o',
      mp4,
      '--seed',
      '1',
      '--json',
      '--frames-dir',
      join(root, 'frames'),
    ]);
    assert.equal(an.code, 0, an.stderr);
    assert.equal((JSON.parse(an.stdout) as { frames: unknown[] }).frames.length, 3);
    assert.ok(existsSync(mp4));
    // The frames and their pairs for `rosetta check`: each frame with prompt A and with prompt B.
    const pairs = readFileSync(join(root, 'frames', 'pairs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { image: string; text: string });
    assert.deepEqual(
      pairs.map((p) => p.text),
      ['cat', 'pizza', 'cat', 'pizza', 'cat', 'pizza'],
    );
    assert.equal((await sharp(join(root, 'frames', pairs[5].image)).metadata()).width, 256);
    const bad = await runCli([
      'imagine',
      'pizza',
      '--model',
      withoutGen,
      '--offline',
      '--dir',
      join(root, 'none'),
      '-o',
      join(root, 'x.png'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /generator\.json is missing[\s\S]*ROSETTA_ERR_MODEL_NO_GENERATOR/);
  });
});
