import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { openOnnxSession, ort, type OnnxSession } from '../../models/onnx-session.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { seededRandom } from '../../util/random.js';
import { throwIfAborted } from '../abort.js';

/** `generator/generator.json` of a rosetta-mini v5 model: the sampler's rule and the graphs' shapes. */
export interface MiniGeneratorConfig {
  kind: 'latent-flow-matching';
  /** Latent [channels, height, width] the denoiser works on (v5: [4, 8, 8]). */
  latentShape: [number, number, number];
  /** Side of the decoded picture in pixels (v5: 32). */
  imageSize: number;
  /** Length of the condition vector: the space's dimension (v5: 256). */
  conditionDim: number;
  /** Euler steps from noise (t = 0) to latent (t = 1). */
  steps: number;
  /** Classifier-free guidance: v = v_uncond + guidance · (v_cond − v_uncond). */
  guidance: number;
}

/** One picture to sample: its condition (a unit space vector; zeros = unconditional) and its starting noise. */
export interface SampleRow {
  condition: Float32Array;
  noise: Float32Array;
}

export interface SampleOptions {
  /** Euler steps (default: generator.json's). */
  steps?: number;
  /** Guidance scale (default: generator.json's). */
  guidance?: number;
  signal?: AbortSignal;
}

const NO_GENERATOR_HINT =
  'imagine and animate need a rosetta-mini model with its generator (generator/generator.json + ' +
  'generator/onnx/denoiser.onnx + generator/onnx/decoder.onnx): the shipped `--model mini` has one; for another model, ' +
  'train one with models/rosetta-mini/recipe/train.py --condition-space, or build a v5 model with its own ' +
  '(`models/rosetta-mini/recipe/run.sh OUT`, then --model OUT/ship/model)';

/** The generator folder's files of a rosetta-mini model directory. */
export function miniGeneratorFiles(modelDir: string): { config: string; denoiser: string; decoder: string } {
  return {
    config: join(modelDir, 'generator', 'generator.json'),
    denoiser: join(modelDir, 'generator', 'onnx', 'denoiser.onnx'),
    decoder: join(modelDir, 'generator', 'onnx', 'decoder.onnx'),
  };
}

/** Reads and checks generator.json; a model without one fails with MODEL_NO_GENERATOR naming the file and the fix. */
export function readGeneratorConfig(modelDir: string): MiniGeneratorConfig {
  const files = miniGeneratorFiles(modelDir);
  if (!existsSync(files.config)) {
    let recipe = '';
    try {
      recipe = ` (recipe version ${JSON.parse(readFileSync(join(modelDir, 'rosetta.json'), 'utf8')).recipeVersion})`;
    } catch {
      /* no manifest: said below */
    }
    throw new RosettaError(
      ErrorCodes.MODEL_NO_GENERATOR,
      `The rosetta-mini model ${modelDir}${recipe} has no generator: ${files.config} is missing`,
      { model: modelDir, file: files.config, hint: NO_GENERATOR_HINT },
    );
  }
  let raw: Partial<MiniGeneratorConfig>;
  try {
    raw = JSON.parse(readFileSync(files.config, 'utf8')) as Partial<MiniGeneratorConfig>;
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MODEL_LOAD_FAILED, `${files.config} is not valid JSON`, {
      model: modelDir,
      file: files.config,
      cause,
      hint: NO_GENERATOR_HINT,
    });
  }
  const shape = raw.latentShape;
  const ok =
    raw.kind === 'latent-flow-matching' &&
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((n) => Number.isInteger(n) && n > 0) &&
    Number.isInteger(raw.imageSize) &&
    Number.isInteger(raw.conditionDim) &&
    Number.isInteger(raw.steps) &&
    (raw.steps ?? 0) > 0 &&
    typeof raw.guidance === 'number' &&
    Number.isFinite(raw.guidance);
  if (!ok) {
    throw new RosettaError(
      ErrorCodes.MODEL_LOAD_FAILED,
      `${files.config} is not a generator Rosetta can sample: ` +
        `expected kind 'latent-flow-matching', latentShape [c,h,w], imageSize, conditionDim, steps and guidance`,
      { model: modelDir, file: files.config, hint: NO_GENERATOR_HINT },
    );
  }
  checkConditioningSpace(modelDir, files.config, (raw as { space?: { graphs?: Record<string, string> } }).space?.graphs);
  return {
    kind: 'latent-flow-matching',
    latentShape: shape as [number, number, number],
    imageSize: raw.imageSize!,
    conditionDim: raw.conditionDim!,
    steps: raw.steps!,
    guidance: raw.guidance!,
  };
}

/** The graphs whose vectors condition a generator: a prompt goes through the text tower, `--image` through the image tower. */
const CONDITIONING_GRAPHS = ['clip/onnx/text_model.onnx', 'clip/onnx/vision_model.onnx'];

/**
 * A generator trained on another model's space (its generator.json names the SHA-256 of the graphs that conditioned
 * it) would be given vectors it never learnt: refused with the file and the fix rather than drawing noise. A
 * generator.json without `space` (trained with its own towers in one fit) is taken as it is.
 */
function checkConditioningSpace(modelDir: string, configFile: string, graphs: Record<string, string> | undefined): void {
  if (!graphs) return;
  for (const graph of CONDITIONING_GRAPHS) {
    const expected = graphs[graph];
    const file = join(modelDir, graph);
    if (!expected || !existsSync(file)) continue;
    const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (actual !== expected) {
      throw new RosettaError(
        ErrorCodes.MODEL_GENERATOR_SPACE_MISMATCH,
        `The generator of ${modelDir} was trained on another model's space: ${configFile} expects ${graph} with SHA-256 ` +
          `${expected.slice(0, 12)}…, this model's is ${actual.slice(0, 12)}…`,
        {
          model: modelDir,
          file,
          hint:
            'keep generator/ with the model it was trained for, or train one for this model: scripts/mini-v5/embed-dataset.ts --model ' +
            `${modelDir}, then train.py --condition-space (models/rosetta-mini/recipe/README.md)`,
        },
      );
    }
  }
}

/**
 * Standard-normal starting noise for one picture, from a seed and the picture's index: sample `index` of seed `s`
 * is the same whatever the number of samples asked, and the same on every machine (mulberry32 + Box–Muller).
 */
export function generatorNoise(seed: number, index: number, length: number): Float32Array {
  const random = seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const a = 2 * Math.PI * random();
    out[i] = r * Math.cos(a);
    if (i + 1 < length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Rows per denoiser call (each row runs twice: conditional and unconditional). */
const CHUNK = 32;

/**
 * A rosetta-mini v5 generator: a latent flow-matching denoiser and a decoder, run in onnxruntime-node. Sampling
 * is the rule of generator.json — Euler from noise (t = 0) to latent (t = 1), classifier-free guidance — then the
 * decoder turns latents into `imageSize` px RGB. Pixels come only from the decoder (never from training data).
 */
export class MiniGenerator {
  private constructor(
    readonly modelDir: string,
    readonly config: MiniGeneratorConfig,
    private readonly denoiser: OnnxSession,
    private readonly decoder: OnnxSession,
  ) {}

  /** Elements of one latent (c·h·w). */
  get latentSize(): number {
    return this.config.latentShape[0] * this.config.latentShape[1] * this.config.latentShape[2];
  }

  /** Opens `modelDir/generator/` (cached per directory, device and threads). */
  static open(modelDir: string, runtimeOptions: ModelRuntimeOptions = {}): Promise<MiniGenerator> {
    const runtime = resolveRuntime(runtimeOptions);
    const key = JSON.stringify([modelDir, runtime.device, runtime.threads]);
    let hit = opened.get(key);
    if (!hit) {
      hit = (async () => {
        const config = readGeneratorConfig(modelDir);
        const files = miniGeneratorFiles(modelDir);
        const [denoiser, decoder] = await Promise.all([
          openOnnxSession(files.denoiser, runtime, 'rosetta-mini denoiser', NO_GENERATOR_HINT),
          openOnnxSession(files.decoder, runtime, 'rosetta-mini decoder', NO_GENERATOR_HINT),
        ]);
        return new MiniGenerator(modelDir, config, denoiser, decoder);
      })();
      opened.set(key, hit);
      hit.catch(() => opened.delete(key));
    }
    return hit;
  }

  /** Samples one picture per row, in row order, at the generator's native size. */
  async sample(rows: SampleRow[], options: SampleOptions = {}): Promise<RgbImage[]> {
    const steps = options.steps ?? this.config.steps;
    const guidance = options.guidance ?? this.config.guidance;
    const z = this.latentSize;
    const d = this.config.conditionDim;
    rows.forEach((r, i) => {
      if (r.condition.length !== d)
        throw new RosettaError(
          ErrorCodes.INVALID_ARGUMENT,
          `Condition ${i} has ${r.condition.length} values; the generator of ${this.modelDir} takes ${d} (its space's dimension)`,
          { setting: 'condition' },
        );
      if (r.noise.length !== z)
        throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Noise ${i} has ${r.noise.length} values; the generator takes ${z}`, {
          setting: 'noise',
        });
    });
    const images: RgbImage[] = [];
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      const n = chunk.length;
      const x = new Float32Array(n * z);
      chunk.forEach((r, i) => x.set(r.noise, i * z));
      // Rows 0..n-1 conditional, n..2n-1 unconditional (zeros), as the recipe trained the dropped condition.
      const cond = new Float32Array(2 * n * d);
      chunk.forEach((r, i) => cond.set(r.condition, i * d));
      const condTensor = new ort.Tensor('float32', cond, [2 * n, d]);
      for (let k = 0; k < steps; k += 1) {
        throwIfAborted(options.signal, 'image generation');
        const both = new Float32Array(2 * n * z);
        both.set(x, 0);
        both.set(x, n * z);
        const out = await this.denoiser.run({
          latents: new ort.Tensor('float32', both, [2 * n, ...this.config.latentShape]),
          timestep: new ort.Tensor('float32', new Float32Array(2 * n).fill(k / steps), [2 * n]),
          condition: condTensor,
        });
        const v = out.velocity.data as Float32Array;
        for (let i = 0; i < n * z; i += 1) {
          const vu = v[n * z + i];
          x[i] += (vu + guidance * (v[i] - vu)) / steps;
        }
      }
      const decoded = await this.decoder.run({ latents: new ort.Tensor('float32', x, [n, ...this.config.latentShape]) });
      images.push(...toImages(decoded.pixels.data as Float32Array, n, this.config.imageSize));
    }
    return images;
  }
}

const opened = new Map<string, Promise<MiniGenerator>>();

/** [n,3,S,S] floats in [0,1] → n interleaved RGB images. */
function toImages(pixels: Float32Array, n: number, side: number): RgbImage[] {
  const plane = side * side;
  return Array.from({ length: n }, (_, b) => {
    const data = new Uint8Array(plane * 3);
    const base = b * 3 * plane;
    for (let p = 0; p < plane; p += 1) {
      for (let c = 0; c < 3; c += 1) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(pixels[base + c * plane + p] * 255)));
    }
    return { data, width: side, height: side, channels: 3 as const };
  });
}
