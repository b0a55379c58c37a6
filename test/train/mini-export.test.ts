import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import {
  AutoFeatureExtractor,
  AutoProcessor,
  AutoTokenizer,
  ClapAudioModelWithProjection,
  ClapTextModelWithProjection,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  env,
  pipeline,
  RawImage,
} from '@huggingface/transformers';
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import { RECIPE_VERSION } from '../../src/train/model/mini-architecture.js';
import { MiniEncoders } from '../../src/train/mini/mini-encoders.js';
import { logMel } from '../../src/train/features/speech.js';

const DIR = resolve('models/rosetta-mini');
const CLIP = `${DIR}/clip`,
  CLAP = `${DIR}/clap`;
env.allowRemoteModels = false;

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the committed model was made by the current recipe', () => {
  const manifest = JSON.parse(readFileSync(`${DIR}/rosetta.json`, 'utf8'));
  assert.equal(manifest.recipeVersion, RECIPE_VERSION, 'retrain with `rosetta train mini` after changing the recipe');
  assert.deepEqual(manifest.modalities, ['text', 'image', 'audio']);
  const heldOut = loadEmojiPairs({ split: 'heldOut' }).map((p) => p.id);
  assert.deepEqual(manifest.heldOut, heldOut);
});

test('CLIP text and vision towers load through Transformers.js and match the trainer vectors', async () => {
  const own = await MiniEncoders.fromDirectory(DIR);
  const tokenizer = await AutoTokenizer.from_pretrained(CLIP);
  const textModel = await CLIPTextModelWithProjection.from_pretrained(CLIP);
  const texts = ['grinning face', 'Hund', 'drapeau : France', 'イヌの顔'];
  const { text_embeds } = await textModel(tokenizer(texts, { padding: true, truncation: true }));
  assert.deepEqual(text_embeds.dims, [4, manifestDim()]);
  assert.ok(maxDiff(text_embeds.data as Float32Array, await own.embedTexts(texts)) < 1e-4);

  const processor = await AutoProcessor.from_pretrained(CLIP);
  const vision = await CLIPVisionModelWithProjection.from_pretrained(CLIP);
  const pair = loadEmojiPairs({ split: 'heldOut' })[0];
  const inputs = await processor(await RawImage.read(pair.imagePath));
  const { image_embeds } = await vision(inputs);
  const pixels = inputs.pixel_values.data as Float32Array;
  assert.equal(pixels.length, 3 * 32 * 32);
  assert.ok(maxDiff(image_embeds.data as Float32Array, await own.embedPixels([pixels])) < 1e-4);
});

test('the zero-shot pipeline picks the right label for most held-out emoji', async () => {
  const classify = await pipeline('zero-shot-image-classification', CLIP);
  const pairs = loadEmojiPairs({ split: 'heldOut' })
    .filter((_, i) => i % 20 === 0)
    .slice(0, 16);
  const labels = pairs.map((p) => p.labels.en);
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-mini-zs-'));
  let right = 0;
  for (const p of pairs) {
    // Emoji PNGs are transparent (black underneath); the model was evaluated on pictures flattened on white.
    const flat = join(dir, `${p.id}.png`);
    await sharp(p.imagePath).flatten({ background: '#ffffff' }).png().toFile(flat);
    const out = (await classify(flat, labels, { hypothesis_template: '{}' })) as { label: string; score: number }[];
    assert.ok(Math.abs(out.reduce((s, o) => s + o.score, 0) - 1) < 1e-4);
    if (out[0].label === p.labels.en) right++;
  }
  assert.ok(right >= 4, `${right}/16 right (chance is 1/16)`);
});

test('CLAP text and audio towers load through Transformers.js and share the text space', async () => {
  const own = await MiniEncoders.fromDirectory(DIR);
  const tokenizer = await AutoTokenizer.from_pretrained(CLAP);
  const clapText = await ClapTextModelWithProjection.from_pretrained(CLAP);
  const { text_embeds } = await clapText(tokenizer(['red apple'], { padding: true, truncation: true }));
  assert.ok(maxDiff(text_embeds.data as Float32Array, await own.embedTexts(['red apple'])) < 1e-4);

  const extractor = await AutoFeatureExtractor.from_pretrained(CLAP);
  const audioModel = await ClapAudioModelWithProjection.from_pretrained(CLAP);
  // A one-second gliding tone: enough to check the plumbing and the numbers, without espeak-ng.
  const wav = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(2 * Math.PI * (200 + i / 40) * (i / 16000)));
  const feats = await extractor(wav);
  const { audio_embeds } = await audioModel(feats);
  assert.deepEqual(audio_embeds.dims, [1, manifestDim()]);
  assert.ok(maxDiff(audio_embeds.data as Float32Array, await own.embedMels([(await logMel(wav)).data])) < 1e-4);
});

function manifestDim(): number {
  return JSON.parse(readFileSync(`${DIR}/rosetta.json`, 'utf8')).dim;
}
