import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepRunner } from '../../src/train/model/step-runner.js';
import { initParams, paramShapes, rng, type ParamName, type Params } from '../../src/train/model/mini-architecture.js';

// A tiny instance: 3 image pairs, 2 audio pairs, vocabulary of 7.
const spec = { vocab: 7, imageFeatures: 5, audioFeatures: 4, batch: 3, audioBatch: 2, audioWeight: 0.7 };

function tinyBatch(seed: number) {
  const r = rng(seed);
  const bag = new Float32Array((spec.batch + spec.audioBatch) * spec.vocab);
  for (let row = 0; row < spec.batch + spec.audioBatch; row++) {
    const a = Math.floor(r() * spec.vocab),
      b = Math.floor(r() * spec.vocab);
    bag[row * spec.vocab + a] += 0.5;
    bag[row * spec.vocab + b] += 0.5;
  }
  const imageFeatures = Float32Array.from({ length: spec.batch * spec.imageFeatures }, () => r() * 2 - 1);
  const audioFeatures = Float32Array.from({ length: spec.audioBatch * spec.audioFeatures }, () => r() * 2 - 1);
  return { bag, imageFeatures, audioFeatures };
}

test('every gradient of the training step matches finite differences', async () => {
  const shapes = paramShapes(spec.vocab, spec.imageFeatures, spec.audioFeatures);
  // Shrink the hidden sizes through the shapes: tiny heads keep the check quick and well-conditioned.
  const tiny: Record<ParamName, number[]> = {
    E: [7, 4],
    Wt1: [4, 6],
    bt1: [6],
    Wt2: [6, 3],
    bt2: [3],
    Wi1: [5, 6],
    bi1: [6],
    Wi2: [6, 3],
    bi2: [3],
    Wa1: [4, 6],
    ba1: [6],
    Wa2: [6, 3],
    ba2: [3],
    logScale: [1],
  };
  assert.equal(Object.keys(tiny).length, Object.keys(shapes).length);
  const params: Params = initParams(tiny, 7);
  for (const n of ['bt1', 'bi1', 'ba1', 'bt2', 'bi2', 'ba2'] as ParamName[])
    params[n].data.forEach((_, i, a) => {
      a[i] = 0.05 * Math.sin(i + 1);
    });
  params.logScale.data[0] = Math.log(3);
  const runner = await StepRunner.create(spec, tiny, 1);
  const batch = tinyBatch(3);
  const base = await runner.run(params, batch);
  assert.ok(Number.isFinite(base.loss) && base.loss > 0);
  const h = 1e-2;
  let checked = 0;
  for (const name of runner.names) {
    const data = params[name].data;
    const grad = base.grads[name]!;
    const picks = new Set<number>();
    for (let k = 0; k < Math.min(4, data.length); k++) picks.add(Math.floor((k * 7919 + 13) % data.length));
    for (const i of picks) {
      const keep = data[i];
      data[i] = keep + h;
      const up = (await runner.run(params, batch)).loss;
      data[i] = keep - h;
      const down = (await runner.run(params, batch)).loss;
      data[i] = keep;
      const numeric = (up - down) / (2 * h);
      const tol = 2e-3 + 0.03 * Math.abs(numeric);
      assert.ok(Math.abs(numeric - grad[i]) < tol, `${name}[${i}]: analytic ${grad[i]} vs numeric ${numeric}`);
      checked += 1;
    }
  }
  assert.ok(checked >= 40, `checked ${checked} entries`);
  await runner.release();
});
