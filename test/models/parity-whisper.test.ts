import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoFeatureExtractor } from '@huggingface/transformers';
import { readAudio } from '../../src/media/audio/read-audio.js';
import { unloadAll } from '../../src/generate/load-once.js';
import { normaliseSegments, WhisperEngine } from '../../src/generate/transcribe/whisper-engine.js';

// Reference parity for Whisper (scripts/parity/whisper.py): a random-weight multilingual Whisper with a small
// Whisper-layout vocabulary (1501 timestamp tokens after <|notimestamps|>), against Hugging Face's ASR pipeline in PyTorch.
const FIX = fileURLToPath(new URL('../fixtures/parity/whisper', import.meta.url));
const MODEL = join(FIX, 'model');
interface ClipRef {
  wav: string;
  samples: number;
  features: string;
  feature_frames: number;
  language: string;
  generated_ids: number[];
  first_pass_ids: number[];
  first_pass_text: string;
  first_pass_offsets: Array<{ timestamp: [number, number]; text: string }>;
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as { clips: Record<string, ClipRef> };
after(() => unloadAll());

const pcm = async (clip: ClipRef) => readAudio(readFileSync(join(FIX, clip.wav)), 16_000);

test("Whisper log-mel features (the class the ASR pipeline loads) match Hugging Face's within 1e-4", async (t) => {
  const extractor = (await AutoFeatureExtractor.from_pretrained(MODEL)) as unknown as (
    s: Float32Array,
  ) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
  for (const [name, clip] of Object.entries(ref.clips)) {
    const audio = await pcm(clip);
    assert.equal(audio.samples.length, clip.samples);
    const { input_features: f } = await extractor(audio.samples);
    assert.deepEqual(f.dims, [1, 80, 3000]);
    const theirs = readFileSync(join(FIX, clip.features));
    const want = new Float32Array(theirs.buffer.slice(theirs.byteOffset, theirs.byteOffset + theirs.byteLength));
    let max = 0;
    for (let m = 0; m < 80; m += 1) {
      for (let k = 0; k < clip.feature_frames; k += 1)
        max = Math.max(max, Math.abs(f.data[m * 3000 + k] - want[m * clip.feature_frames + k]));
    }
    t.diagnostic(`${name}: largest difference ${max.toExponential(2)} over ${clip.feature_frames} frames`);
    assert.ok(max <= 1e-4, `${name}: largest difference ${max}`);
  }
});

test("Whisper through Rosetta's engine: same language, and the segments of Hugging Face's first pass identical (text and timestamps)", async (t) => {
  // Hugging Face's generate re-decodes from the last complete segment when a pass ends without <|endoftext|> (its
  // seek loop, even under 30 s); Rosetta decodes one pass per window (up to max_new_tokens). So the first pass must
  // agree exactly, token for token; what follows is the documented difference (scripts/parity/README.md, Whisper).
  // This random model never says <|endoftext|>: both go on past the first pass, which is the case that differs.
  const engine = new WhisperEngine(MODEL, { offline: true });
  for (const [name, clip] of Object.entries(ref.clips)) {
    const audio = await pcm(clip);
    const duration = audio.samples.length / 16_000;
    const out = await engine.doTranscribe(audio, {});
    assert.equal(out.language, clip.language, `${name}: language`);
    assert.ok(clip.first_pass_offsets.length >= 5, `${name}: the reference's first pass has several segments`);
    const expected = normaliseSegments(clip.first_pass_offsets, duration);
    assert.deepEqual(out.segments.slice(0, expected.length), expected, `${name}: segments of the first pass`);
    // Rosetta's text joins its segments with a space (Whisper's words carry their own leading space); spacing aside,
    // it starts with Hugging Face's first pass.
    const bare = (s: string) => s.replace(/\s+/g, '');
    assert.ok(
      bare(out.text).startsWith(bare(clip.first_pass_text)),
      `${name}: text starts with the first pass (${JSON.stringify(clip.first_pass_text)})`,
    );
    t.diagnostic(
      `${name}: ${clip.first_pass_ids.length} tokens, ${expected.length} segments identical; ` +
        `then Rosetta goes on in the same pass (${out.segments.length} segments in all), ` +
        `Hugging Face re-decodes from ${clip.first_pass_offsets.at(-1)!.timestamp[1]} s`,
    );
  }
});

test(
  "a 70 s recording through Rosetta's engine (three 30 s windows, seek from the last complete segment) " +
    "gives segments in order on the file's clock",
  async () => {
    const clip = ref.clips.tones;
    const audio = await pcm(clip);
    const long = new Float32Array(16_000 * 70);
    for (let i = 0; i < long.length; i += audio.samples.length)
      long.set(audio.samples.subarray(0, Math.min(audio.samples.length, long.length - i)), i);
    const out = await new WhisperEngine(MODEL, { offline: true }).doTranscribe(
      { samples: long, sampleRate: 16_000 },
      { language: clip.language },
    );
    assert.ok(
      out.segments.length > 0 && out.segments.every((seg, k) => seg.t0 <= seg.t1 && (k === 0 || out.segments[k - 1].t1 <= seg.t0)),
      'segments in order',
    );
  },
);
