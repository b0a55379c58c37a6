/**
 * Builds a tiny CLIP-layout model directory (config, WordPiece tokenizer, preprocessor, ONNX towers)
 * whose space is "colour": the vision tower averages each colour channel, the text tower maps colour
 * words to the same directions. Real ONNX graphs run through Transformers.js; the answers are known
 * by construction (a red image is nearest to "red"), so tests can assert on rankings.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';

export const TINY_DIM = 8;
/** Colour words and their normalised RGB direction ((x/255 − 0.5)/0.5 per channel). */
export const COLOURS: Record<string, [number, number, number]> = {
  red: [1, -1, -1],
  green: [-1, 1, -1],
  blue: [-1, -1, 1],
  yellow: [1, 1, -1],
  cyan: [-1, 1, 1],
  magenta: [1, -1, 1],
  white: [1, 1, 1],
  black: [-1, -1, -1],
};
export const COLOUR_RGB: Record<string, [number, number, number]> = Object.fromEntries(
  Object.entries(COLOURS).map(([k, v]) => [k, v.map((x) => (x > 0 ? 255 : 0)) as [number, number, number]]),
);
const FILLER = ['a', 'an', 'the', 'photo', 'of', 'picture', 'square', 'car', 'at', 'night', 'day', 'dark', 'bright'];
const SPECIAL = ['[PAD]', '[UNK]', '<|startoftext|>', '<|endoftext|>'];

/** Projection of the 3 colour channels into the 8-d space: identity on 0..2, and a fixed mix on 3..7. */
function projection(): Float32Array {
  const w = new Float32Array(3 * TINY_DIM);
  for (let c = 0; c < 3; c += 1) w[c * TINY_DIM + c] = 1;
  const mix = [
    [0.3, 0.1, -0.2],
    [-0.1, 0.2, 0.3],
    [0.2, -0.3, 0.1],
    [0.1, 0.1, 0.1],
    [-0.2, 0.1, 0.2],
  ];
  mix.forEach((row, j) =>
    row.forEach((v, c) => {
      w[c * TINY_DIM + 3 + j] = v;
    }),
  );
  return w;
}

function vocab(): string[] {
  return [...SPECIAL, ...Object.keys(COLOURS), ...FILLER];
}

function addTextTower(g: GraphBuilder, ids: string, mask: string, out: string): string {
  const words = vocab();
  // Each colour word embeds to its RGB direction (3-d), everything else to zero.
  const table = new Float32Array(words.length * 3);
  words.forEach((w, i) => {
    const c = COLOURS[w];
    if (c) table.set(c, i * 3);
  });
  const emb = g.initializer('text.embeddings', { type: 'float32', dims: [words.length, 3], data: table });
  const tok = g.op1('Gather', [emb, ids], { axis: 0 });
  const m = g.op1('Unsqueeze', [g.op1('Cast', [mask], { to: 1 }), g.constInt64([2])]);
  const summed = g.op1('ReduceSum', [g.op1('Mul', [tok, m]), g.constInt64([1])], { keepdims: 0 });
  const count = g.op1('Max', [g.op1('ReduceSum', [m, g.constInt64([1])], { keepdims: 0 }), g.constFloat([1])]);
  const pooled = g.op1('Div', [summed, count]);
  const w = g.initializer('text.projection', { type: 'float32', dims: [3, TINY_DIM], data: projection() });
  return g.op1('MatMul', [pooled, w], {}, out);
}

function addVisionTower(g: GraphBuilder, pixels: string, out: string): string {
  const pooled = g.op1('ReduceMean', [pixels], { axes: [2, 3], keepdims: 0 });
  const w = g.initializer('vision.projection', { type: 'float32', dims: [3, TINY_DIM], data: projection() });
  return g.op1('MatMul', [pooled, w], {}, out);
}

function l2(g: GraphBuilder, x: string): string {
  const n = g.op1('Sqrt', [g.op1('ReduceSum', [g.op1('Mul', [x, x]), g.constInt64([1])], { keepdims: 1 })]);
  return g.op1('Div', [x, g.op1('Max', [n, g.constFloat([1e-12])])]);
}

export function buildTextModel(): Uint8Array {
  const g = new GraphBuilder('tiny_clip_text');
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  addTextTower(g, ids, mask, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', TINY_DIM]);
  return g.toBytes();
}

export function buildVisionModel(): Uint8Array {
  const g = new GraphBuilder('tiny_clip_vision');
  const px = g.input('pixel_values', 'float32', ['batch', 3, 'height', 'width']);
  addVisionTower(g, px, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch', TINY_DIM]);
  return g.toBytes();
}

export function buildJointModel(logitScale = 100): Uint8Array {
  const g = new GraphBuilder('tiny_clip');
  const ids = g.input('input_ids', 'int64', ['text_batch', 'seq']);
  const mask = g.input('attention_mask', 'int64', ['text_batch', 'seq']);
  const px = g.input('pixel_values', 'float32', ['image_batch', 3, 'height', 'width']);
  const t = addTextTower(g, ids, mask, 'text_embeds');
  const v = addVisionTower(g, px, 'image_embeds');
  const sim = g.op1('MatMul', [l2(g, v), g.op1('Transpose', [l2(g, t)], { perm: [1, 0] })]);
  const logits = g.op1('Mul', [sim, g.constFloat([logitScale])], {}, 'logits_per_image');
  g.op1('Transpose', [logits], { perm: [1, 0] }, 'logits_per_text');
  g.output('logits_per_image', 'float32', ['image_batch', 'text_batch']);
  g.output('logits_per_text', 'float32', ['text_batch', 'image_batch']);
  g.output('text_embeds', 'float32', ['text_batch', TINY_DIM]);
  g.output('image_embeds', 'float32', ['image_batch', TINY_DIM]);
  return g.toBytes();
}

export function tokenizerJson(): object {
  const words = vocab();
  const idOf = (w: string) => words.indexOf(w);
  const special = (w: string) => ({
    id: idOf(w),
    content: w,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bos = '<|startoftext|>';
  const eos = '<|endoftext|>';
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: eos, type_id: 0 } },
      ],
      special_tokens: {
        [bos]: { id: bos, ids: [idOf(bos)], tokens: [bos] },
        [eos]: { id: eos, ids: [idOf(eos)], tokens: [eos] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(words.map((w, i) => [w, i])),
    },
  };
}

/** Writes the model into `dir` (a fresh temp dir by default) and returns the directory. */
export function buildTinyClip(dir = mkdtempSync(join(tmpdir(), 'rosetta-tiny-clip-'))): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, v: object) => writeFileSync(join(dir, name), JSON.stringify(v, null, 2));
  json('config.json', {
    model_type: 'clip',
    projection_dim: TINY_DIM,
    logit_scale_init_value: Math.log(100),
    text_config: { model_type: 'clip_text_model', hidden_size: 3, vocab_size: vocab().length, max_position_embeddings: 64 },
    vision_config: { model_type: 'clip_vision_model', hidden_size: 3, image_size: 32, patch_size: 32 },
    'transformers.js_config': { dtype: 'fp32' },
  });
  json('tokenizer.json', tokenizerJson());
  json('tokenizer_config.json', {
    tokenizer_class: 'CLIPTokenizer',
    model_max_length: 64,
    do_lower_case: true,
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
  });
  json('preprocessor_config.json', {
    image_processor_type: 'CLIPImageProcessor',
    do_resize: true,
    size: { shortest_edge: 32 },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: 32, width: 32 },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    do_convert_rgb: true,
  });
  writeFileSync(join(dir, 'onnx', 'text_model.onnx'), buildTextModel());
  writeFileSync(join(dir, 'onnx', 'vision_model.onnx'), buildVisionModel());
  writeFileSync(join(dir, 'onnx', 'model.onnx'), buildJointModel());
  return dir;
}
