import * as ort from 'onnxruntime-node';
import { buildTrainStepGraph, trainedParams, type TrainStepSpec } from './train-step-graph.js';
import type { ParamName, Params } from './mini-architecture.js';

export interface StepBatch {
  bag: Float32Array;
  imageFeatures: Float32Array;
  audioFeatures?: Float32Array;
}
export interface StepResult {
  loss: number;
  lossImage: number;
  lossAudio: number;
  grads: Partial<Record<ParamName, Float32Array>>;
}

/** Runs the training-step graph in onnxruntime-node. */
export class StepRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: TrainStepSpec,
    readonly names: ParamName[],
  ) {}

  static async create(spec: TrainStepSpec, shapes: Record<ParamName, number[]>, threads = 2): Promise<StepRunner> {
    const bytes = buildTrainStepGraph(spec, shapes);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new StepRunner(session, spec, trainedParams(spec, shapes));
  }

  async run(params: Params, batch: StepBatch): Promise<StepResult> {
    const { spec } = this;
    const feeds: Record<string, ort.Tensor> = {
      bag: new ort.Tensor('float32', batch.bag, [spec.batch + spec.audioBatch, spec.vocab]),
      image_features: new ort.Tensor('float32', batch.imageFeatures, [spec.batch, spec.imageFeatures]),
    };
    if (spec.audioBatch > 0) feeds.audio_features = new ort.Tensor('float32', batch.audioFeatures!, [spec.audioBatch, spec.audioFeatures]);
    for (const name of Object.keys(params) as ParamName[]) {
      if (this.session.inputNames.includes(name)) feeds[name] = new ort.Tensor('float32', params[name].data, params[name].dims);
    }
    const out = await this.session.run(feeds);
    const grads: Partial<Record<ParamName, Float32Array>> = {};
    for (const n of this.names) grads[n] = out[`grad_${n}`].data as Float32Array;
    return { loss: Number(out.loss.data[0]), lossImage: Number(out.loss_image.data[0]), lossAudio: Number(out.loss_audio.data[0]), grads };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
