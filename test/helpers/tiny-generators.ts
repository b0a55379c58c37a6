import { seededRandom } from '../../src/util/random.js';
/**
 * Builders of tiny random-weight generation models in the exact directory layouts and ONNX input/output
 * names that Transformers.js loads (Whisper, a ViT-GPT2 style VisionEncoderDecoder, VITS). Their outputs are
 * meaningless; tests use them to run the real library path (processor → generate → decode) offline.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';

/** A deterministic PRNG, so a tiny model built twice has the same weights. */
const mulberry32 = seededRandom;

/** A GraphBuilder with the few neural-network blocks the tiny models need. */
class Net {
  readonly g: GraphBuilder;
  private rand: () => number;
  constructor(name: string, seed: number) {
    this.g = new GraphBuilder(name);
    this.rand = mulberry32(seed);
  }

  weight(dims: number[], scale = 0.5): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i += 1) data[i] = (this.rand() * 2 - 1) * scale;
    return this.g.initializer(this.g.fresh('w'), { type: 'float32', dims, data });
  }

  linear(x: string, inDim: number, outDim: number): string {
    const y = this.g.op1('MatMul', [x, this.weight([inDim, outDim], 1 / Math.sqrt(inDim))]);
    return this.g.op1('Add', [y, this.weight([outDim], 0.1)]);
  }

  layerNorm(x: string, dim: number): string {
    const scale = this.g.constFloat(new Float32Array(dim).fill(1));
    const bias = this.g.constFloat(new Float32Array(dim));
    return this.g.op1('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: 1e-5 });
  }

  /** [b, s, heads*hd] → [b, heads, s, hd]. */
  splitHeads(x: string, heads: number, hd: number): string {
    const r = this.g.op1('Reshape', [x, this.g.constInt64([0, 0, heads, hd])]);
    return this.g.op1('Transpose', [r], { perm: [0, 2, 1, 3] });
  }

  /** softmax(q·kᵀ/√d + mask)·v, merged back to [b, s, heads*hd]. */
  attend(q: string, k: string, v: string, heads: number, hd: number, mask?: string): string {
    const kt = this.g.op1('Transpose', [k], { perm: [0, 1, 3, 2] });
    let scores = this.g.op1('Mul', [this.g.op1('MatMul', [q, kt]), this.g.constFloat([1 / Math.sqrt(hd)])]);
    if (mask) scores = this.g.op1('Add', [scores, mask]);
    const ctx = this.g.op1('MatMul', [this.g.op1('Softmax', [scores], { axis: -1 }), v]);
    const merged = this.g.op1('Transpose', [ctx], { perm: [0, 2, 1, 3] });
    return this.g.op1('Reshape', [merged, this.g.constInt64([0, 0, heads * hd])]);
  }

  /** Length of axis `axis` of `x` as an int64 tensor of shape [1]. */
  dimOf(x: string, axis: number): string {
    return this.g.op1('Shape', [x], { start: axis, end: axis + 1 });
  }

  /** Additive causal mask [1, 1, s, past+s] for queries at positions past..past+s-1. */
  causalMask(pastLen: string, seqLen: string): string {
    const g = this.g;
    const scalar = (t: string) => g.op1('Squeeze', [t, g.constInt64([0])]);
    const zero = g.constInt64([0], []);
    const one = g.constInt64([1], []);
    const total = g.op1('Add', [scalar(pastLen), scalar(seqLen)]);
    const qPos = g.op1('Unsqueeze', [g.op1('Range', [scalar(pastLen), total, one]), g.constInt64([1])]);
    const kPos = g.op1('Unsqueeze', [g.op1('Range', [zero, total, one]), g.constInt64([0])]);
    const future = g.op1('Greater', [kPos, qPos]);
    const mask = g.op1('Where', [future, g.constFloat([-1e9]), g.constFloat([0])]);
    return g.op1('Unsqueeze', [mask, g.constInt64([0, 1])]);
  }

  /** Positions past..past+s-1 as int64 [s]. */
  positions(pastLen: string, seqLen: string): string {
    const g = this.g;
    const scalar = (t: string) => g.op1('Squeeze', [t, g.constInt64([0])]);
    const total = g.op1('Add', [scalar(pastLen), scalar(seqLen)]);
    return g.op1('Range', [scalar(pastLen), total, g.constInt64([1], [])]);
  }

  mlp(x: string, dim: number): string {
    return this.linear(this.g.op1('Tanh', [this.linear(x, dim, dim * 2)]), dim * 2, dim);
  }
}

function writeJson(dir: string, name: string, value: unknown): void {
  writeFileSync(join(dir, name), JSON.stringify(value, null, 2));
}

function writeOnnx(dir: string, name: string, net: Net): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', name), net.g.toBytes());
}

/** GPT-2's byte→printable-character table, so a byte-level BPE covers any text with 256 base tokens. */
function byteLevelAlphabet(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b += 1) keep.push(b);
  for (let b = 161; b <= 172; b += 1) keep.push(b);
  for (let b = 174; b <= 255; b += 1) keep.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b += 1) out[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return out;
}

/** A byte-level BPE tokenizer.json (no merges: one token per byte) with the given special tokens after it. */
function byteLevelTokenizer(specials: string[]): { json: unknown; vocabSize: number; idOf: (t: string) => number } {
  const vocab: Record<string, number> = {};
  byteLevelAlphabet().forEach((ch, i) => {
    vocab[ch] = i;
  });
  const added = specials.map((content, i) => ({
    id: 256 + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  for (const a of added) vocab[a.content] = a.id;
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
  return { json, vocabSize: 256 + specials.length, idOf: (t) => vocab[t] };
}

export interface TinyModelDir {
  /** Absolute model directory, loadable by Transformers.js as a local model. */
  dir: string;
}

const WHISPER_LANGS = ['en', 'fr', 'de', 'es'];

/**
 * A tiny Whisper (model_type whisper, multilingual, 80 mel bins, 30 s windows, 1500 encoder positions):
 * `onnx/encoder_model.onnx` (input_features → last_hidden_state) and `onnx/decoder_model_merged.onnx`
 * (input_ids, encoder_hidden_states, past_key_values.0.{decoder,encoder}.{key,value}, use_cache_branch →
 * logits, present.*), a byte-level tokenizer with Whisper's special and timestamp tokens, the generation and
 * preprocessor configs.
 */
export function buildTinyWhisper(root = mkdtempSync(join(tmpdir(), 'rosetta-tiny-whisper-'))): TinyModelDir {
  const dir = root;
  mkdirSync(dir, { recursive: true });
  const d = 8,
    heads = 2,
    hd = 4,
    mels = 80,
    srcPos = 1500,
    tgtPos = 128;
  const specials = [
    '<|endoftext|>',
    '<|startoftranscript|>',
    ...WHISPER_LANGS.map((l) => `<|${l}|>`),
    '<|translate|>',
    '<|transcribe|>',
    '<|startoflm|>',
    '<|startofprev|>',
    '<|nocaptions|>',
    '<|notimestamps|>',
  ];
  for (let i = 0; i <= 1500; i += 1) specials.push(`<|${(i * 0.02).toFixed(2)}|>`);
  const tok = byteLevelTokenizer(specials);
  const V = tok.vocabSize;

  // Encoder: two convolutions (the second with stride 2: 3000 frames → 1500 positions), positions, one MLP.
  const enc = new Net('whisper-encoder', 1);
  {
    const g = enc.g;
    const x = g.input('input_features', 'float32', ['batch_size', mels, 'feature_size']);
    const c1 = g.op1('Tanh', [
      g.op1('Conv', [x, enc.weight([d, mels, 3], 0.1), enc.weight([d], 0.1)], { pads: [1, 1], kernel_shape: [3] }),
    ]);
    const c2 = g.op1('Tanh', [
      g.op1('Conv', [c1, enc.weight([d, d, 3], 0.3), enc.weight([d], 0.1)], { pads: [1, 1], strides: [2], kernel_shape: [3] }),
    ]);
    const seq = g.op1('Add', [g.op1('Transpose', [c2], { perm: [0, 2, 1] }), enc.weight([srcPos, d], 0.1)]);
    const h = g.op1('Add', [seq, enc.mlp(enc.layerNorm(seq, d), d)]);
    g.op1('Identity', [enc.layerNorm(h, d)], {}, 'last_hidden_state');
    g.output('last_hidden_state', 'float32', ['batch_size', srcPos, d]);
  }
  writeOnnx(dir, 'encoder_model.onnx', enc);

  const dec = new Net('whisper-decoder', 2);
  {
    const g = dec.g;
    const ids = g.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
    const encH = g.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', d]);
    const pk = g.input('past_key_values.0.decoder.key', 'float32', ['batch_size', heads, 'past_decoder_sequence_length', hd]);
    const pv = g.input('past_key_values.0.decoder.value', 'float32', ['batch_size', heads, 'past_decoder_sequence_length', hd]);
    // The encoder cache is recomputed from encoder_hidden_states on every step (the library feeds them each time).
    g.input('past_key_values.0.encoder.key', 'float32', ['batch_size', heads, 'encoder_sequence_length_out', hd]);
    g.input('past_key_values.0.encoder.value', 'float32', ['batch_size', heads, 'encoder_sequence_length_out', hd]);
    g.input('use_cache_branch', 'bool', [1]);
    const embed = dec.weight([V, d], 0.5);
    const pastLen = dec.dimOf(pk, 2);
    const seqLen = dec.dimOf(ids, 1);
    const pos = g.op1('Gather', [dec.weight([tgtPos, d], 0.1), dec.positions(pastLen, seqLen)]);
    const x = g.op1('Add', [g.op1('Gather', [embed, ids]), pos]);
    const n1 = dec.layerNorm(x, d);
    const q = dec.splitHeads(dec.linear(n1, d, d), heads, hd);
    g.op1('Concat', [pk, dec.splitHeads(dec.linear(n1, d, d), heads, hd)], { axis: 2 }, 'present.0.decoder.key');
    g.op1('Concat', [pv, dec.splitHeads(dec.linear(n1, d, d), heads, hd)], { axis: 2 }, 'present.0.decoder.value');
    const self = dec.attend(q, 'present.0.decoder.key', 'present.0.decoder.value', heads, hd, dec.causalMask(pastLen, seqLen));
    const h1 = g.op1('Add', [x, dec.linear(self, d, d)]);
    const n2 = dec.layerNorm(h1, d);
    g.op1('Identity', [dec.splitHeads(dec.linear(encH, d, d), heads, hd)], {}, 'present.0.encoder.key');
    g.op1('Identity', [dec.splitHeads(dec.linear(encH, d, d), heads, hd)], {}, 'present.0.encoder.value');
    const cross = dec.attend(
      dec.splitHeads(dec.linear(n2, d, d), heads, hd),
      'present.0.encoder.key',
      'present.0.encoder.value',
      heads,
      hd,
    );
    const h2 = g.op1('Add', [h1, dec.linear(cross, d, d)]);
    const h3 = g.op1('Add', [h2, dec.mlp(dec.layerNorm(h2, d), d)]);
    const logits = g.op1('MatMul', [dec.layerNorm(h3, d), g.op1('Transpose', [embed], { perm: [1, 0] })]);
    g.op1('Mul', [logits, g.constFloat([4])], {}, 'logits');
    g.output('logits', 'float32', ['batch_size', 'decoder_sequence_length', V]);
    for (const kind of ['decoder', 'encoder']) {
      for (const kv of ['key', 'value'])
        g.output(`present.0.${kind}.${kv}`, 'float32', ['batch_size', heads, `present_${kind}_length`, hd]);
    }
  }
  writeOnnx(dir, 'decoder_model_merged.onnx', dec);

  const id = tok.idOf;
  const eot = id('<|endoftext|>');
  writeJson(dir, 'config.json', {
    model_type: 'whisper',
    architectures: ['WhisperForConditionalGeneration'],
    is_encoder_decoder: true,
    d_model: d,
    encoder_layers: 1,
    decoder_layers: 1,
    encoder_attention_heads: heads,
    decoder_attention_heads: heads,
    num_mel_bins: mels,
    max_source_positions: srcPos,
    max_target_positions: tgtPos,
    vocab_size: V,
    bos_token_id: eot,
    eos_token_id: eot,
    pad_token_id: eot,
    decoder_start_token_id: id('<|startoftranscript|>'),
    'transformers.js_config': { dtype: 'fp32' },
  });
  writeJson(dir, 'generation_config.json', {
    bos_token_id: eot,
    eos_token_id: eot,
    pad_token_id: eot,
    decoder_start_token_id: id('<|startoftranscript|>'),
    max_length: tgtPos,
    is_multilingual: true,
    no_timestamps_token_id: id('<|notimestamps|>'),
    prev_sot_token_id: id('<|startofprev|>'),
    max_initial_timestamp_index: 50,
    begin_suppress_tokens: [eot],
    suppress_tokens: [],
    return_timestamps: false,
    lang_to_id: Object.fromEntries(WHISPER_LANGS.map((l) => [`<|${l}|>`, id(`<|${l}|>`)])),
    task_to_id: { transcribe: id('<|transcribe|>'), translate: id('<|translate|>') },
    forced_decoder_ids: null,
  });
  writeJson(dir, 'preprocessor_config.json', {
    feature_extractor_type: 'WhisperFeatureExtractor',
    processor_class: 'WhisperProcessor',
    feature_size: mels,
    sampling_rate: 16000,
    hop_length: 160,
    n_fft: 400,
    chunk_length: 30,
    n_samples: 480000,
    nb_max_frames: 3000,
    padding_side: 'right',
    padding_value: 0,
    return_attention_mask: false,
  });
  writeJson(dir, 'tokenizer.json', tok.json);
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'WhisperTokenizer',
    model_max_length: 1024,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    add_prefix_space: false,
    errors: 'replace',
  });
  return { dir };
}

/**
 * A tiny ViT-GPT2 style captioner (model_type vision-encoder-decoder, 32×32 input, 8×8 patches):
 * `onnx/encoder_model.onnx` (pixel_values → last_hidden_state) and `onnx/decoder_model_merged.onnx`
 * (input_ids, encoder_hidden_states, past_key_values.0.{key,value}, use_cache_branch → logits, present.0.*),
 * a byte-level GPT-2 tokenizer, a ViT image processor config and a generation config.
 */
export function buildTinyCaptioner(root = mkdtempSync(join(tmpdir(), 'rosetta-tiny-captioner-'))): TinyModelDir {
  const dir = root;
  mkdirSync(dir, { recursive: true });
  const d = 8,
    heads = 2,
    hd = 4,
    size = 32,
    patch = 8,
    patches = (size / patch) ** 2,
    maxPos = 64;
  const tok = byteLevelTokenizer(['<|endoftext|>']);
  const V = tok.vocabSize;
  const eos = tok.idOf('<|endoftext|>');

  const enc = new Net('vit-encoder', 3);
  {
    const g = enc.g;
    const x = g.input('pixel_values', 'float32', ['batch_size', 3, size, size]);
    const conv = g.op1('Conv', [x, enc.weight([d, 3, patch, patch], 0.1), enc.weight([d], 0.1)], {
      strides: [patch, patch],
      kernel_shape: [patch, patch],
    });
    const flat = g.op1('Reshape', [conv, g.constInt64([0, d, patches])]);
    const seq = g.op1('Add', [g.op1('Transpose', [flat], { perm: [0, 2, 1] }), enc.weight([patches, d], 0.1)]);
    const h = g.op1('Add', [seq, enc.mlp(enc.layerNorm(seq, d), d)]);
    g.op1('Identity', [enc.layerNorm(h, d)], {}, 'last_hidden_state');
    g.output('last_hidden_state', 'float32', ['batch_size', patches, d]);
  }
  writeOnnx(dir, 'encoder_model.onnx', enc);

  const dec = new Net('gpt2-decoder', 4);
  {
    const g = dec.g;
    const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    const encH = g.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', d]);
    const pk = g.input('past_key_values.0.key', 'float32', ['batch_size', heads, 'past_sequence_length', hd]);
    const pv = g.input('past_key_values.0.value', 'float32', ['batch_size', heads, 'past_sequence_length', hd]);
    g.input('use_cache_branch', 'bool', [1]);
    const embed = dec.weight([V, d], 0.5);
    const pastLen = dec.dimOf(pk, 2);
    const seqLen = dec.dimOf(ids, 1);
    const x = g.op1('Add', [
      g.op1('Gather', [embed, ids]),
      g.op1('Gather', [dec.weight([maxPos, d], 0.1), dec.positions(pastLen, seqLen)]),
    ]);
    const n1 = dec.layerNorm(x, d);
    g.op1('Concat', [pk, dec.splitHeads(dec.linear(n1, d, d), heads, hd)], { axis: 2 }, 'present.0.key');
    g.op1('Concat', [pv, dec.splitHeads(dec.linear(n1, d, d), heads, hd)], { axis: 2 }, 'present.0.value');
    const self = dec.attend(
      dec.splitHeads(dec.linear(n1, d, d), heads, hd),
      'present.0.key',
      'present.0.value',
      heads,
      hd,
      dec.causalMask(pastLen, seqLen),
    );
    const h1 = g.op1('Add', [x, dec.linear(self, d, d)]);
    const n2 = dec.layerNorm(h1, d);
    const cross = dec.attend(
      dec.splitHeads(dec.linear(n2, d, d), heads, hd),
      dec.splitHeads(dec.linear(encH, d, d), heads, hd),
      dec.splitHeads(dec.linear(encH, d, d), heads, hd),
      heads,
      hd,
    );
    const h2 = g.op1('Add', [h1, dec.linear(cross, d, d)]);
    const h3 = g.op1('Add', [h2, dec.mlp(dec.layerNorm(h2, d), d)]);
    g.op1('MatMul', [dec.layerNorm(h3, d), g.op1('Transpose', [embed], { perm: [1, 0] })], {}, 'logits');
    g.output('logits', 'float32', ['batch_size', 'sequence_length', V]);
    for (const kv of ['key', 'value']) g.output(`present.0.${kv}`, 'float32', ['batch_size', heads, 'total_sequence_length', hd]);
  }
  writeOnnx(dir, 'decoder_model_merged.onnx', dec);

  writeJson(dir, 'config.json', {
    model_type: 'vision-encoder-decoder',
    architectures: ['VisionEncoderDecoderModel'],
    is_encoder_decoder: true,
    decoder_start_token_id: eos,
    pad_token_id: eos,
    eos_token_id: eos,
    encoder: { model_type: 'vit', hidden_size: d, image_size: size, patch_size: patch, num_hidden_layers: 1, num_attention_heads: heads },
    decoder: {
      model_type: 'gpt2',
      n_embd: d,
      n_head: heads,
      n_layer: 1,
      n_positions: maxPos,
      vocab_size: V,
      add_cross_attention: true,
      bos_token_id: eos,
      eos_token_id: eos,
    },
    'transformers.js_config': { dtype: 'fp32' },
  });
  writeJson(dir, 'generation_config.json', {
    decoder_start_token_id: eos,
    bos_token_id: eos,
    eos_token_id: eos,
    pad_token_id: eos,
    max_length: 24,
  });
  writeJson(dir, 'preprocessor_config.json', {
    image_processor_type: 'ViTImageProcessor',
    feature_extractor_type: 'ViTFeatureExtractor',
    do_resize: true,
    size: { height: size, width: size },
    resample: 2,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
  });
  writeJson(dir, 'tokenizer.json', tok.json);
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'GPT2Tokenizer',
    model_max_length: 1024,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    add_prefix_space: false,
  });
  return { dir };
}

/**
 * A tiny VITS text-to-speech model (model_type vits, 16 kHz): `onnx/model.onnx` (input_ids, attention_mask →
 * waveform [batch, samples], 256 samples per input token) and a character-level VitsTokenizer.
 */
export function buildTinyVits(root = mkdtempSync(join(tmpdir(), 'rosetta-tiny-vits-'))): TinyModelDir {
  const dir = root;
  mkdirSync(dir, { recursive: true });
  const chars = ['<pad>', '<unk>', ' ', ..."abcdefghijklmnopqrstuvwxyz0123456789'.,!?-"];
  const vocab = Object.fromEntries(chars.map((c, i) => [c, i]));
  const d = 8,
    hop = 256;
  const net = new Net('vits', 5);
  {
    const g = net.g;
    const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    const mask = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
    const x = g.op1('Gather', [net.weight([chars.length, d], 0.5), ids]);
    const frames = g.op1('Tanh', [net.linear(g.op1('Tanh', [net.linear(x, d, d)]), d, hop)]);
    // Padded tokens make silence, as a real model's durations would.
    const m = g.op1('Unsqueeze', [g.op1('Cast', [mask], { to: 1 }), g.constInt64([2])]);
    const wave = g.op1('Mul', [g.op1('Mul', [frames, m]), g.constFloat([0.5])]);
    g.op1('Reshape', [wave, g.constInt64([0, -1])], {}, 'waveform');
    g.output('waveform', 'float32', ['batch_size', 'num_samples']);
  }
  writeOnnx(dir, 'model.onnx', net);
  writeJson(dir, 'config.json', {
    model_type: 'vits',
    architectures: ['VitsModel'],
    sampling_rate: 16000,
    hidden_size: d,
    vocab_size: chars.length,
    'transformers.js_config': { dtype: 'fp32' },
  });
  writeJson(dir, 'tokenizer.json', {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1].map((id) => ({
      id,
      content: chars[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  });
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'VitsTokenizer',
    model_max_length: 1000000,
    pad_token: '<pad>',
    unk_token: '<unk>',
  });
  return { dir };
}
