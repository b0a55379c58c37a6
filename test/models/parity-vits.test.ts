import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer } from '@huggingface/transformers';
import { unloadAll } from '../../src/generate/load-once.js';
import { NeuralSpeechEngine } from '../../src/generate/speak/vits-engine.js';
import { cosine } from '../../src/vectors/vector-math.js';

// Reference parity for VITS / MMS-TTS (scripts/parity/vits.py): a random-weight VitsModel with an MMS-style
// character vocabulary (noise scales 0, so both sides are deterministic), against Hugging Face transformers in PyTorch.
const FIX = fileURLToPath(new URL('../fixtures/parity/vits', import.meta.url));
const MODEL = join(FIX, 'model');
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  sampling_rate: number;
  cases: Array<{ text: string; input_ids: number[]; samples: number; waveform: number[] }>;
};
after(() => unloadAll());

test("MMS tokenisation (lowercase, characters outside the vocabulary dropped, blanks between) gives Hugging Face's ids", async () => {
  // The same tokenizer class and file the text-to-speech pipeline loads from the model directory.
  const tokenizer = (await AutoTokenizer.from_pretrained(MODEL)) as unknown as (text: string) => { input_ids: { tolist(): bigint[][] } };
  for (const c of ref.cases) {
    const ids = tokenizer(c.text).input_ids.tolist()[0].map(Number);
    assert.deepEqual(ids, c.input_ids, JSON.stringify(c.text));
  }
});

test("VITS speech through Rosetta's engine has PyTorch's length and samples (cosine ≥ 0.9999)", async (t) => {
  const engine = new NeuralSpeechEngine(MODEL, { offline: true });
  for (const c of ref.cases) {
    const audio = await engine.doSpeak(c.text, {});
    assert.equal(audio.sampleRate, ref.sampling_rate);
    assert.equal(audio.samples.length, c.samples, `${JSON.stringify(c.text)}: number of samples`);
    let max = 0;
    for (let i = 0; i < c.samples; i += 1) max = Math.max(max, Math.abs(audio.samples[i] - c.waveform[i]));
    const cos = cosine(audio.samples, c.waveform);
    t.diagnostic(`${JSON.stringify(c.text)}: ${c.samples} samples, cosine ${cos.toFixed(7)}, largest difference ${max.toExponential(2)}`);
    assert.ok(cos >= 0.9999, `${JSON.stringify(c.text)}: cosine ${cos}, largest difference ${max}`);
  }
});
