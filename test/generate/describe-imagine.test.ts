import { describe as suite, it, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { buildTinyCaptioner } from '../helpers/tiny-generators.js';
import { assembleTimeline, describe, imagine, type ImageGenerationEngine, type CandidateRanker } from '../../src/generate/index.js';
import { RosettaError } from '../../src/errors/index.js';
import type { RgbImage } from '../../src/types.js';

function solid(width: number, height: number, rgb: number[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = rgb[i % 3];
  return { data, width, height, channels: 3 };
}

suite('describe: timeline from scenes and a transcript', () => {
  it('assigns each transcript line to the scene it overlaps most, in time order, once', () => {
    const out = assembleTimeline(
      [
        { t0: 10, t1: 20, caption: 'a cat on a sofa' },
        { t0: 0, t1: 10, caption: 'a kitchen' },
        { t0: 20, t1: 3700, caption: 'red, blue', captionKind: 'tags' },
      ],
      [
        { t0: 1, t1: 3, text: 'Hello.' },
        { t0: 8, t1: 15, text: 'Look at the cat.' },
        { t0: 3800, t1: 3810, text: 'Bye.' },
        { t0: 5, t1: 6, text: ' ' },
      ],
    );
    assert.deepEqual(
      out.timeline.map((e) => [e.t0, e.speech]),
      [
        [0, 'Hello.'],
        [10, 'Look at the cat.'],
        [20, 'Bye.'],
      ],
    );
    assert.deepEqual(out.text.split('\n'), [
      '[00:00–00:10] a kitchen — “Hello.”',
      '[00:10–00:20] a cat on a sofa — “Look at the cat.”',
      '[00:20–1:01:40] [tags: red, blue] — “Bye.”',
    ]);
  });

  it('rejects scenes with impossible time ranges', () => {
    assert.throws(() => assembleTimeline([{ t0: 5, t1: 2 }]), /0 ≤ t0 ≤ t1 \(seconds\) for scenes\[0\]/);
  });

  let dir = '';
  before(() => {
    dir = buildTinyCaptioner().dir;
  });

  it('captions keyframes in one batch with the tiny captioner and keeps given captions', async () => {
    const out = await describe(
      [
        { t0: 0, t1: 4, keyframe: solid(24, 24, [200, 0, 0]) },
        { t0: 4, t1: 9, caption: 'given caption' },
        { t0: 9, t1: 12, keyframe: solid(24, 24, [0, 0, 200]) },
      ],
      { model: dir, maxNewTokens: 5, transcript: [{ t0: 5, t1: 7, text: 'spoken words' }] },
    );
    assert.equal(out.timeline.length, 3);
    assert.equal(out.timeline[0].captionKind, 'caption');
    assert.equal(typeof out.timeline[0].caption, 'string');
    assert.equal(out.timeline[1].caption, 'given caption');
    assert.equal(out.timeline[1].speech, 'spoken words');
    assert.match(out.text, /^\[00:00–00:04\]/);
  });
});

/**
 * A real, procedural engine (not a model): candidate i is a flat colour derived from the prompt and i. It lets
 * the orchestration (candidates, ranking, PNG output) run without a 1.3B-parameter Janus.
 */
const procedural: ImageGenerationEngine = {
  provider: 'test',
  modelId: 'procedural',
  async doGenerate(prompt, { count }) {
    let h = 0;
    for (const ch of prompt) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return Array.from({ length: count }, (_, i) => solid(16, 12, [(h + i * 60) % 256, (i * 97) % 256, (h >> 8) % 256]));
  },
};

/** Closeness to the reference's mean colour, blended with a text preference for red by the weight. */
const rank: CandidateRanker = async (candidates, { reference, weight }) =>
  candidates.map((c) => {
    const ref = reference ? [reference.data[0], reference.data[1], reference.data[2]] : [0, 0, 0];
    const dImage = -Math.hypot(c.data[0] - ref[0], c.data[1] - ref[1], c.data[2] - ref[2]);
    return weight * dImage + (1 - weight) * c.data[0];
  });

suite('imagine orchestration', () => {
  it('returns one PNG candidate without a reference', async () => {
    const out = await imagine('a lighthouse', { model: procedural });
    assert.equal(out.candidates.length, 1);
    const meta = await sharp(out.png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 16, 12]);
    assert.equal(out.score, undefined);
  });

  it('makes one image unless more are asked for (a ranker alone does not multiply the work); 4 with a reference', async () => {
    assert.equal((await imagine('a lighthouse', { model: procedural, rank })).candidates.length, 1);
    assert.equal((await imagine('a lighthouse', { model: procedural, rank, candidates: 3 })).candidates.length, 3);
    assert.equal((await imagine('a lighthouse', { model: procedural, rank, image: solid(8, 8, [1, 2, 3]) })).candidates.length, 4);
  });

  it('ranks candidates against the reference and returns the best with its score', async () => {
    // The reference is candidate 3's colour: at weight 1 it must come first with distance 0.
    const target = (await procedural.doGenerate('a lighthouse, green field', { count: 5 }))[3];
    const reference = solid(8, 8, [target.data[0], target.data[1], target.data[2]]);
    const out = await imagine('a lighthouse', {
      model: procedural,
      image: reference,
      weight: 1,
      candidates: 5,
      rank,
      describeReference: async () => 'green field',
    });
    assert.equal(out.candidates.length, 5);
    assert.equal(out.prompt, 'a lighthouse, green field');
    const scores = out.candidates.map((c) => c.score ?? NaN);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    assert.equal(out.score, scores[0]);
    assert.equal(out.image, out.candidates[0].image);
    assert.deepEqual(out.image.data, target.data, 'the candidate with the reference colour wins at weight 1');
    assert.equal(out.score, 0);
  });

  it('refuses a reference without a ranker, bad weights and counts, and honours abort', async () => {
    await assert.rejects(imagine('x', { model: procedural, image: solid(2, 2, [0, 0, 0]) }), /ranking function .* for rank/);
    await assert.rejects(imagine('x', { model: procedural, weight: 2 }), /between 0 and 1 for weight/);
    await assert.rejects(imagine('x', { model: procedural, candidates: 0 }), /for candidates/);
    await assert.rejects(imagine('', { model: procedural }), /non-empty string for prompt/);
    await assert.rejects(imagine('x', { model: procedural, rank: async () => [1, 2], candidates: 3 }), /2 scores .* for 3 candidates/);
    const c = new AbortController();
    c.abort();
    await assert.rejects(
      imagine('x', { model: procedural, signal: c.signal }),
      (e: unknown) => RosettaError.is(e) && e.code === 'ROSETTA_ERR_ABORTED',
    );
  });
});
