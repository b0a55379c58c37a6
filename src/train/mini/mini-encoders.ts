import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { WordPieceTokenizer } from '../tokenizer/wordpiece.js';
import { MINI } from '../model/mini-architecture.js';

/** Runs exported mini graphs directly in onnxruntime-node with the trainer's own tokenizer and preprocessing. */
export class MiniEncoders {
  readonly dim = MINI.dim;

  private constructor(
    private readonly text: ort.InferenceSession,
    private readonly vision: ort.InferenceSession,
    private readonly audio: ort.InferenceSession | undefined,
    readonly tokenizer: WordPieceTokenizer,
    readonly audioFrames: number,
  ) {}

  static async create(
    graphs: { textModel: Uint8Array; visionModel: Uint8Array; audioModel?: Uint8Array },
    tokenizer: WordPieceTokenizer,
    audioFrames: number,
  ): Promise<MiniEncoders> {
    const opts = { intraOpNumThreads: 2 };
    return new MiniEncoders(
      await ort.InferenceSession.create(graphs.textModel, opts),
      await ort.InferenceSession.create(graphs.visionModel, opts),
      graphs.audioModel ? await ort.InferenceSession.create(graphs.audioModel, opts) : undefined,
      tokenizer,
      audioFrames,
    );
  }

  /** Opens an exported mini directory (`clip/`, `clap/`) without Transformers.js: the trainer's own view of the files. */
  static async fromDirectory(dir: string): Promise<MiniEncoders> {
    const tok = JSON.parse(readFileSync(join(dir, 'clip', 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
    const cfg = JSON.parse(readFileSync(join(dir, 'clip', 'tokenizer_config.json'), 'utf8')) as { model_max_length: number };
    const clap = JSON.parse(readFileSync(join(dir, 'clap', 'config.json'), 'utf8')) as { audio_config: { spec_size: number } };
    const vocab: string[] = [];
    for (const [t, i] of Object.entries(tok.model.vocab)) vocab[i] = t;
    return MiniEncoders.create(
      {
        textModel: readFileSync(join(dir, 'clip', 'onnx', 'text_model.onnx')),
        visionModel: readFileSync(join(dir, 'clip', 'onnx', 'vision_model.onnx')),
        audioModel: readFileSync(join(dir, 'clap', 'onnx', 'audio_model.onnx')),
      },
      new WordPieceTokenizer(vocab, cfg.model_max_length),
      clap.audio_config.spec_size,
    );
  }

  /** Text vectors [n, dim]; padding as Transformers.js pads (pad id, mask 0). */
  async embedTexts(texts: string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * MINI.dim);
    for (let s = 0; s < texts.length; s += 256) {
      const chunk = texts.slice(s, s + 256).map((t) => this.tokenizer.encode(t));
      const L = Math.max(...chunk.map((c) => c.length));
      const ids = new BigInt64Array(chunk.length * L).fill(BigInt(this.tokenizer.padId));
      const mask = new BigInt64Array(chunk.length * L);
      chunk.forEach((c, i) =>
        c.forEach((id, j) => {
          ids[i * L + j] = BigInt(id);
          mask[i * L + j] = 1n;
        }),
      );
      const r = await this.text.run({
        input_ids: new ort.Tensor('int64', ids, [chunk.length, L]),
        attention_mask: new ort.Tensor('int64', mask, [chunk.length, L]),
      });
      out.set(r.text_embeds.data as Float32Array, s * MINI.dim);
    }
    return out;
  }

  /** Image vectors from normalised pixel arrays (CHW, MINI.imageSize square). */
  async embedPixels(pixels: Float32Array[]): Promise<Float32Array> {
    const S = MINI.imageSize,
      per = 3 * S * S;
    const out = new Float32Array(pixels.length * MINI.dim);
    for (let s = 0; s < pixels.length; s += 256) {
      const chunk = pixels.slice(s, s + 256);
      const x = new Float32Array(chunk.length * per);
      chunk.forEach((p, i) => x.set(p, i * per));
      const r = await this.vision.run({ pixel_values: new ort.Tensor('float32', x, [chunk.length, 3, S, S]) });
      out.set(r.image_embeds.data as Float32Array, s * MINI.dim);
    }
    return out;
  }

  /** Audio vectors from log-mel features ([frames, mel] each). */
  async embedMels(mels: Float32Array[]): Promise<Float32Array> {
    if (!this.audio) throw new Error('no audio tower');
    const per = this.audioFrames * MINI.melBins;
    const out = new Float32Array(mels.length * MINI.dim);
    for (let s = 0; s < mels.length; s += 256) {
      const chunk = mels.slice(s, s + 256);
      const x = new Float32Array(chunk.length * per);
      chunk.forEach((p, i) => x.set(p, i * per));
      const r = await this.audio.run({ input_features: new ort.Tensor('float32', x, [chunk.length, 1, this.audioFrames, MINI.melBins]) });
      out.set(r.audio_embeds.data as Float32Array, s * MINI.dim);
    }
    return out;
  }
}
