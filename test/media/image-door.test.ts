import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { RawImage } from '@huggingface/transformers';
import { decodeImage, fromRawImage, makeThumbnail, readImage } from '../../src/media/image/index.js';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage, transparentPicture } from '../helpers/images.js';

const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('transparent pixels are composited on white: the hidden colours of fully transparent pixels never reach the pixels', async () => {
  const { png, composited } = await transparentPicture();
  const seen = await decodeImage(png);
  const onWhite = await decodeImage(composited);
  assert.equal(seen.width, onWhite.width);
  assert.ok(
    maxDiff(seen.data, onWhite.data) <= 1,
    `the decoded picture is the picture on white (max difference ${maxDiff(seen.data, onWhite.data)})`,
  );
  assert.deepEqual([...seen.data.subarray(0, 3)], [255, 255, 255], 'a transparent corner is white');
  assert.equal(seen.original.hasAlpha, true);
  // Dropping alpha (what the decoder did before) keeps the random hidden colours: the check above can fail.
  const dropped = await sharp(png).removeAlpha().raw().toBuffer();
  assert.ok(maxDiff(dropped, onWhite.data) > 100);
});

test('a picture with transparency embeds exactly as the same picture on white (path and Buffer alike)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-alpha-'));
  const modelDir = buildTinyClip();
  // Hidden colours far from white, so dropping alpha would move the vector.
  const { png, composited } = await transparentPicture({ colour: [30, 60, 200], seed: 3 });
  writeFileSync(join(dir, 'icon.png'), png);
  const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [modelDir], offline: true });
  try {
    const reference = (await rosetta.embed(composited)).vector;
    for (const input of [join(dir, 'icon.png'), png]) {
      const { vector, modality } = await rosetta.embed(input);
      assert.equal(modality, 'image');
      assert.ok(
        reference.every((v, i) => Math.abs(v - vector[i]) < 1e-4),
        `same vector for ${typeof input === 'string' ? 'the path' : 'the Buffer'}`,
      );
    }
    const hidden = await sharp(png).removeAlpha().png().toBuffer();
    const differs = (await rosetta.embed(hidden)).vector;
    assert.ok(
      reference.some((v, i) => Math.abs(v - differs[i]) > 1e-3),
      'the hidden colours would have given another vector',
    );
  } finally {
    await rosetta.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(modelDir, { recursive: true, force: true });
  }
});

test('images Transformers.js hands back with alpha are composited on white like the sharp path', async () => {
  const { rgba, size, png } = await transparentPicture({ seed: 5 });
  const fromLibrary = fromRawImage(new RawImage(new Uint8ClampedArray(rgba), size, size, 4));
  const fromSharp = await readImage(png);
  assert.ok(maxDiff(fromLibrary.data, fromSharp.data) <= 1);
});

test('readImage takes a path, a Buffer or decoded pixels, shrinks to 512 px and refuses other types', async () => {
  const big = await colourImage('red', { width: 1200, height: 600 });
  const img = await readImage(big);
  assert.deepEqual([img.width, img.height], [512, 256]);
  assert.equal(await readImage(img), img, 'decoded pixels are taken as they are');
  assert.deepEqual([(await readImage(big, { maxSide: 'original' })).width], [1200]);
  await assert.rejects(readImage(42 as never), { code: 'ROSETTA_ERR_ARG_INVALID' });
  await assert.rejects(readImage(big, { maxPixels: 1000 }), { code: 'ROSETTA_ERR_MEDIA_TOO_LARGE' });
});

test('thumbnails keep transparency (WebP with alpha), opaque pictures are JPEG', async () => {
  const { png } = await transparentPicture({ size: 64 });
  const thumb = await makeThumbnail(png, { side: 32 });
  assert.equal(thumb.mime, 'image/webp');
  const { data, info } = await sharp(thumb.bytes).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  assert.equal(data[3], 0, 'the transparent corner stays transparent, not black');
  const opaque = await makeThumbnail(await colourImage('red'), { side: 32 });
  assert.equal(opaque.mime, 'image/jpeg');
});
