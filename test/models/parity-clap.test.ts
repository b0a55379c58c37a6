import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAudio } from '../../src/media/audio/read-audio.js';
import { loadClapSpace, type ClapSpace } from '../../src/spaces/clap-space.js';
import { cosine } from '../../src/vectors/vector-math.js';

// Reference parity for CLAP (scripts/parity/clap.py): a random-weight ClapModel (RoBERTa text, HTSAT audio) with
// the unfused checkpoints' feature-extractor settings, against what Hugging Face transformers computes in PyTorch.
const FIX = fileURLToPath(new URL('../fixtures/parity/clap', import.meta.url));
interface ClipRef {
  wav: string;
  samples: number;
  features: string;
  features_dims: number[];
  audio_embeds: number[];
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  texts: string[];
  input_ids: number[][];
  attention_mask: number[][];
  text_embeds: number[][];
  clips: Record<string, ClipRef>;
};
let space: ClapSpace;

before(async () => {
  space = (await loadClapSpace({ model: join(FIX, 'model'), offline: true })) as ClapSpace;
});
after(async () => {
  await space?.dispose();
});

const readF32 = (file: string) => {
  const b = readFileSync(join(FIX, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const samplesOf = async (clip: ClipRef) => (await readAudio(readFileSync(join(FIX, clip.wav)), space.audioSampleRate)).samples;

test("CLAP tokenisation through Rosetta gives exactly the ids of Hugging Face's RoBERTa tokenizer (incl. a text past 512 tokens)", async () => {
  // Found here: Transformers.js' truncation dropped the closing </s> of the long text (as it does CLIP's end-of-text).
  const { ids, mask } = await space.tokenize(ref.texts);
  ref.texts.forEach((text, i) => {
    assert.deepEqual(ids[i], ref.input_ids[i], `ids of ${JSON.stringify(text.slice(0, 40))}`);
    assert.deepEqual(mask[i], ref.attention_mask[i], `mask of ${JSON.stringify(text.slice(0, 40))}`);
  });
});

test('CLAP text embeddings through Rosetta match PyTorch (cosine ≥ 0.9999)', async () => {
  const vectors = await space.embedTexts(ref.texts);
  ref.texts.forEach((text, i) => {
    const c = cosine(vectors[i], ref.text_embeds[i]);
    assert.ok(c >= 0.9999, `${JSON.stringify(text.slice(0, 40))}: cosine ${c}`);
  });
});

test("CLAP log-mel features (48 kHz, repeat-padded to 10 s) match Hugging Face's feature extractor within 1e-3 dB", async (t) => {
  // Found here: Transformers.js' extractor lays one copy too few when 10 s is a multiple of the clip (2 s: one copy
  // then silence, features 112 dB apart, audio cosine 0.988); Rosetta repeat-pads itself (clap-space.ts repeatPad).
  for (const [name, clip] of Object.entries(ref.clips)) {
    const samples = await samplesOf(clip);
    assert.equal(samples.length, clip.samples, `${name}: Rosetta's WAV reader gives the same samples`);
    const ours = await space.audioFeatures(samples);
    const theirs = readF32(clip.features);
    assert.deepEqual(ours.dims.slice(1), clip.features_dims, `${name}: feature shape`);
    let max = 0;
    for (let i = 0; i < theirs.length; i += 1) max = Math.max(max, Math.abs(ours.data[i] - theirs[i]));
    t.diagnostic(`${name}: largest difference ${max.toExponential(2)} dB`);
    assert.ok(max <= 1e-3, `${name}: largest difference ${max} dB`);
  }
});

test('CLAP audio embeddings through Rosetta match PyTorch (cosine ≥ 0.9999)', async (t) => {
  for (const [name, clip] of Object.entries(ref.clips)) {
    const [v] = await space.embedAudio([{ samples: await samplesOf(clip), sampleRate: space.audioSampleRate }]);
    const c = cosine(v, clip.audio_embeds);
    t.diagnostic(`${name}: cosine ${c.toFixed(7)}`);
    assert.ok(c >= 0.9999, `${name}: cosine ${c}`);
  }
});
