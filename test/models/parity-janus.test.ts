import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { MultiModalityCausalLM, Tensor } from '@huggingface/transformers';
import { unloadAll } from '../../src/generate/load-once.js';
import { JanusEngine, guideJanusLikeHuggingFace } from '../../src/generate/imagine/janus-engine.js';
import { fromRawImage } from '../../src/media/image/raw-image.js';

// Reference parity for Janus text → image (scripts/parity/janus.py): a random-weight JanusForConditionalGeneration
// (Llama + VQ-VAE, tiny widths, 16 image tokens decoded to 16×16 pixels) in Transformers.js' MultiModalityCausalLM
// layout, against Hugging Face transformers in PyTorch (greedy decoding, so both sides are deterministic).
const FIX = fileURLToPath(new URL('../fixtures/parity/janus', import.meta.url));
const MODEL = join(FIX, 'model');
interface Case {
  prompt: string;
  prompt_ids: number[];
  unconditional_ids: number[];
  first_guided_logits: number[];
  greedy_guided: number[];
  greedy_unguided: number[];
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  guidance_scale: number;
  num_image_tokens: number;
  special_ids: { bos: number; pad: number; boi: number };
  cases: Case[];
  decoded: Array<{ tokens: number[]; png: string; size: [number, number] }>;
};
after(() => unloadAll());

type RawModel = {
  generate_images(o: Record<string, unknown>): Promise<Array<{ width: number; height: number; data: Uint8ClampedArray }>>;
  dispose(): Promise<unknown>;
};
type Recorder = (ids: bigint[][], logits: Tensor) => Tensor;

/** Through one model instance, greedily with guidance: the first step's guided logits and every step's chosen token. */
async function guidedRun(model: RawModel, engine: JanusEngine, prompt: string): Promise<{ first: Float32Array; ids: number[] }> {
  let first: Float32Array | undefined;
  const ids: number[] = [];
  const record: Recorder = (_ids, logits) => {
    const data = logits.data as Float32Array;
    first ??= Float32Array.from(data);
    ids.push(data.indexOf(Math.max(...data)));
    return logits;
  };
  await model.generate_images({
    ...(await engine.promptInputs(prompt)),
    min_new_tokens: ref.num_image_tokens,
    max_new_tokens: ref.num_image_tokens,
    do_sample: false,
    guidance_scale: ref.guidance_scale,
    logits_processor: [record],
  });
  return { first: first!, ids };
}

test("Janus prompt for text → image through Rosetta's engine gives Hugging Face's ids (chat format, <begin_of_image>)", async () => {
  const engine = new JanusEngine(MODEL, { offline: true });
  for (const c of ref.cases) {
    const inputs = await engine.promptInputs(c.prompt);
    assert.deepEqual(((inputs.input_ids as Tensor).tolist() as bigint[][])[0].map(Number), c.prompt_ids, c.prompt);
    assert.deepEqual(
      ((inputs.attention_mask as Tensor).tolist() as bigint[][])[0].map(Number),
      c.prompt_ids.map(() => 1),
    );
  }
});

test("Janus greedy image tokens through Rosetta's engine: Hugging Face's ids with guidance 5 and without guidance", async () => {
  const engine = new JanusEngine(MODEL, { offline: true });
  for (const c of ref.cases) {
    const guided = await engine.generateOne(c.prompt, { doSample: false });
    assert.deepEqual(guided.tokens, c.greedy_guided, `${c.prompt} (guided)`);
    assert.equal(guided.image.width, 16);
    assert.equal(guided.image.height, 16);
    const unguided = await engine.generateOne(c.prompt, { doSample: false, guidanceScale: 1 });
    assert.deepEqual(unguided.tokens, c.greedy_unguided, `${c.prompt} (unguided)`);
  }
});

test("Janus guided logits: Rosetta's unconditional prompt matches Hugging Face's; Transformers.js' own does not (measured)", async (t) => {
  const engine = new JanusEngine(MODEL, { offline: true });
  const plain = (await MultiModalityCausalLM.from_pretrained(MODEL, { dtype: 'fp32' })) as unknown as RawModel;
  const fixed = (await MultiModalityCausalLM.from_pretrained(MODEL, { dtype: 'fp32' })) as unknown as RawModel;
  guideJanusLikeHuggingFace(fixed as never, { bos: ref.special_ids.bos, boi: ref.special_ids.boi, pad: ref.special_ids.pad });
  try {
    for (const c of ref.cases) {
      const want = c.first_guided_logits;
      const fixedRun = await guidedRun(fixed, engine, c.prompt);
      const plainRun = await guidedRun(plain, engine, c.prompt);
      const ours = fixedRun.first;
      const theirs = plainRun.first;
      assert.deepEqual(fixedRun.ids, c.greedy_guided);
      const same = plainRun.ids.filter((id, i) => id === c.greedy_guided[i]).length;
      const maxDiff = (a: Float32Array) => Math.max(...want.map((w, i) => Math.abs(a[i] - w)));
      const argmax = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.max(...Array.from(a)));
      assert.ok(maxDiff(ours) < 1e-3 * Math.max(1, ...want.map(Math.abs)), `${c.prompt}: ${maxDiff(ours)}`);
      t.diagnostic(
        `${c.prompt}: Rosetta ${maxDiff(ours).toExponential(1)} from PyTorch's guided logits; Transformers.js' unconditional prompt ` +
          `${maxDiff(theirs).toFixed(2)} (scale ${Math.max(...want.map(Math.abs)).toFixed(1)}), first token ${argmax(theirs)} vs ${argmax(want)}, ` +
          `${same} of ${c.greedy_guided.length} greedy ids equal to PyTorch's`,
      );
      assert.ok(
        maxDiff(theirs) > 1e-2,
        "Transformers.js' own unconditional prompt now gives Hugging Face's guided logits: " +
          'guideJanusLikeHuggingFace may no longer be needed',
      );
    }
  } finally {
    await plain.dispose();
    await fixed.dispose();
  }
});

test("Janus through Rosetta's imagine engine (sampling, guided): the requested number of images at the decoder's size", async () => {
  const engine = new JanusEngine(MODEL, { offline: true });
  const images = await engine.doGenerate(ref.cases[0].prompt, { count: 2 });
  assert.equal(images.length, 2);
  for (const image of images) assert.deepEqual([image.width, image.height, image.channels, image.data.length], [16, 16, 3, 16 * 16 * 3]);
});

test("Janus image from fixed tokens (generate_images' decode path) gives Hugging Face's post-processed pixels", async (t) => {
  // Each step's logits are forced to the next fixed token, so generate_images runs its own image_decode graph and
  // (x + 1) · 127.5 → uint8 conversion on exactly these tokens; Hugging Face: vqmodel.decode, then JanusProcessor.postprocess.
  const model = (await MultiModalityCausalLM.from_pretrained(MODEL, { dtype: 'fp32' })) as unknown as RawModel;
  const engine = new JanusEngine(MODEL, { offline: true });
  try {
    for (const d of ref.decoded) {
      let step = 0;
      const force: Recorder = (_ids, logits) => {
        const data = logits.data as Float32Array;
        data.fill(-Infinity);
        data[d.tokens[step]] = 0;
        step += 1;
        return logits;
      };
      const [img] = await model.generate_images({
        ...(await engine.promptInputs(ref.cases[0].prompt)),
        min_new_tokens: d.tokens.length,
        max_new_tokens: d.tokens.length,
        do_sample: false,
        logits_processor: [force],
      });
      const ours = fromRawImage(img as never);
      const { data: want, info } = await sharp(join(FIX, d.png)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([ours.width, ours.height], [info.width, info.height]);
      let max = 0,
        sum = 0;
      for (let i = 0; i < want.length; i += 1) {
        const diff = Math.abs(ours.data[i] - want[i]);
        max = Math.max(max, diff);
        sum += diff;
      }
      t.diagnostic(
        `tokens ${d.tokens.slice(0, 4).join(',')}…: ${info.width}×${info.height}, mean ${(sum / want.length).toFixed(4)} grey levels, max ${max}`,
      );
      assert.ok(max <= 1, `largest difference ${max} grey levels`);
    }
  } finally {
    await model.dispose();
  }
});
