import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, CLIPTextModelWithProjection, type Tensor } from '@huggingface/transformers';
import { DirectClipText } from '../../src/spaces/clip-text-direct.js';
import { restoreEndToken } from '../../src/spaces/text-truncation.js';
import { parseModelRef } from '../../src/models/model-ref.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { MINI_MODEL_DIR } from '../../src/models/model-ref.js';

// A cold text search runs CLIP text towers without Transformers.js (DirectClipText). It must give exactly what the
// Transformers.js path gave: the same token ids and the same vectors, for the shipped mini model and for a CLIP
// BPE tokenizer (the parity fixture, whose ids test/models/parity-clip.test.ts checks against Hugging Face's).
const MODELS = [
  { name: 'rosetta-mini (WordPiece)', dir: join(MINI_MODEL_DIR, 'clip') },
  { name: 'random CLIP (BPE)', dir: fileURLToPath(new URL('../fixtures/parity/clip/model', import.meta.url)) },
];

const long = Array.from({ length: 120 }, (_, i) => `word${i % 7} river`).join(' ');
const TEXTS = [
  'a quiet walk along the river at dawn',
  '',
  'Crème brûlée, naïve café — ÉCOLE',
  '東京タワーの夜景',
  '🐶 dog 🐕‍🦺 with a 🦴',
  '  spaces\tand\nnew   lines  ',
  'UPPER lower MiXeD 12345 !!! ??? ...',
  long,
  'red',
];

type Tok = ((texts: string[], o: Record<string, unknown>) => Record<string, Tensor>) & { model_max_length?: number; eos_token_id?: number };
type Model = ((inputs: Record<string, unknown>) => Promise<Record<string, Tensor>>) & { dispose(): Promise<unknown> };

for (const { name, dir } of MODELS) {
  test(`${name}: the direct text tower gives Transformers.js' token ids and vectors`, async () => {
    const runtime = resolveRuntime({ offline: true, threads: 1 });
    const ref = parseModelRef(dir);
    const file = DirectClipText.fileFor(ref, runtime);
    assert.ok(file, 'the direct path applies to a local fp32 CLIP directory on the CPU');
    assert.equal(DirectClipText.fileFor(ref, { ...runtime, dtype: 'q8' }), undefined, 'not for quantised weights');
    assert.equal(DirectClipText.fileFor(ref, { ...runtime, device: 'webgpu' }), undefined, 'not on a GPU');
    const direct = await DirectClipText.open(ref as typeof ref & { kind: 'local' }, file, runtime);
    const tokenizer = (await AutoTokenizer.from_pretrained(dir)) as unknown as Tok;
    const model = (await CLIPTextModelWithProjection.from_pretrained(dir, {
      dtype: 'fp32',
      device: 'cpu',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    })) as unknown as Model;
    try {
      // One at a time (no padding) and all together (padded to the longest, the long one cut).
      for (const batch of [...TEXTS.map((t) => [t]), TEXTS]) {
        const want = tokenizer(batch, { padding: true, truncation: true });
        restoreEndToken(want.input_ids, want.attention_mask, tokenizer.eos_token_id, tokenizer.model_max_length);
        const got = direct.tokenize(batch);
        assert.deepEqual(got.dims, want.input_ids.dims, `dims of ${JSON.stringify(batch).slice(0, 60)}`);
        assert.deepEqual([...got.ids], [...(want.input_ids.data as BigInt64Array)], `ids of ${JSON.stringify(batch).slice(0, 60)}`);
        assert.deepEqual([...got.mask], [...(want.attention_mask.data as BigInt64Array)], 'attention mask');
        const wantVec = (await model(want)).text_embeds;
        const gotVec = await direct.embed(got);
        assert.equal(gotVec.dim, wantVec.dims[wantVec.dims.length - 1]);
        // The same graph on the same ONNX Runtime with the same threads: the very same floats.
        assert.deepEqual([...gotVec.data], [...(wantVec.data as Float32Array)], 'text_embeds');
      }
    } finally {
      await direct.dispose();
      await model.dispose();
    }
  });
}
