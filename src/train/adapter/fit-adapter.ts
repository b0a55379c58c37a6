import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../onnx/graph-builder.js';
import { l2normalize, rng } from '../model/mini-architecture.js';
import { infoNce } from '../model/train-step-graph.js';
import { Adam } from '../optim/adam.js';
import { recallAtK, similarity } from '../eval/retrieval.js';
import { invalidArgument } from '../../util/validate.js';
import { loadAdapter, type Adapter, type AdapterData } from './linear-adapter.js';

export { loadAdapter, type Adapter, type AdapterData };

export interface FitAdapterOptions {
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  heldOutFraction?: number;
  /** Keep one side's map at identity (e.g. `a` when side-a vectors are already stored and must stay valid). */
  freeze?: 'a' | 'b';
}

export interface FitAdapterResult {
  adapter: Adapter;
  before: Record<number, number>;
  after: Record<number, number>;
  heldOut: number;
}

function stepGraph(d: number, batch: number): Uint8Array {
  const g = new GraphBuilder('rosetta_adapter_step');
  const xa = g.input('xa', 'float32', [batch, d]),
    xb = g.input('xb', 'float32', [batch, d]);
  const Wa = g.input('Wa', 'float32', [d, d]),
    Wb = g.input('Wb', 'float32', [d, d]);
  const ls = g.input('logScale', 'float32', [1]);
  const scale = g.op1('Exp', [g.op1('Reshape', [ls, g.constInt64([], [0])])]);
  const za = l2normalize(g, g.op1('MatMul', [xa, Wa])),
    zb = l2normalize(g, g.op1('MatMul', [xb, Wb]));
  const nce = infoNce(g, za.y, zb.y, scale);
  const back = (z: { y: string; norm: string }, dy: string) => {
    const dot = g.op1('ReduceSum', [g.op1('Mul', [dy, z.y]), g.constInt64([1])], { keepdims: 1 });
    return g.op1('Div', [g.op1('Sub', [dy, g.op1('Mul', [z.y, dot])]), z.norm]);
  };
  g.op1('Gemm', [xa, back(za, nce.da)], { transA: 1 }, 'grad_Wa');
  g.op1('Gemm', [xb, back(zb, nce.db)], { transA: 1 }, 'grad_Wb');
  g.op1('Identity', [nce.dLogScale], {}, 'grad_logScale');
  g.op1('Identity', [nce.loss], {}, 'loss');
  g.output('loss', 'float32', []);
  g.output('grad_Wa', 'float32', [d, d]);
  g.output('grad_Wb', 'float32', [d, d]);
  g.output('grad_logScale', 'float32', [1]);
  return g.toBytes();
}

function stack(rows: Float32Array[], d: number): Float32Array {
  const o = new Float32Array(rows.length * d);
  rows.forEach((r, i) => o.set(r, i * d));
  return o;
}

/**
 * Fits an adapter on (a, b) pairs of frozen embeddings with the same InfoNCE trainer as the mini model
 * (identity start, Adam, ONNX Runtime arithmetic). A fixed share of pairs is held out to report R@k (a→b) before/after.
 */
export async function fitAdapter(
  pairs: { a: Float32Array; b: Float32Array }[],
  options: FitAdapterOptions = {},
): Promise<FitAdapterResult> {
  if (!Array.isArray(pairs) || pairs.length < 8) throw invalidArgument('pairs', 'at least 8 pairs', pairs?.length);
  const d = pairs[0].a.length;
  if (pairs.some((p) => p.a.length !== d || p.b.length !== d))
    throw invalidArgument('pairs', `vectors of one length (${d}) on both sides`, 'mixed lengths');
  const rand = rng(options.seed ?? 1);
  const order = pairs.map((_, i) => i).sort(() => rand() - 0.5);
  const nHeld = Math.max(2, Math.round(pairs.length * (options.heldOutFraction ?? 0.2)));
  const held = order.slice(0, nHeld).map((i) => pairs[i]),
    train = order.slice(nHeld).map((i) => pairs[i]);
  const batch = Math.min(options.batch ?? 128, train.length);
  const session = await ort.InferenceSession.create(stepGraph(d, batch), { intraOpNumThreads: 2 });
  const eye = () => {
    const w = new Float32Array(d * d);
    for (let i = 0; i < d; i++) w[i * d + i] = 1;
    return w;
  };
  const Wa = eye(),
    Wb = eye(),
    logScale = Float32Array.of(Math.log(20));
  const adam = new Adam({ lr: options.lr ?? 1e-3 });
  const epochs = options.epochs ?? 30;
  for (let e = 0; e < epochs; e++) {
    const idx = train.map((_, i) => i).sort(() => rand() - 0.5);
    for (let s = 0; s + batch <= idx.length; s += batch) {
      const rows = idx.slice(s, s + batch).map((i) => train[i]);
      const out = await session.run({
        xa: new ort.Tensor(
          'float32',
          stack(
            rows.map((r) => r.a),
            d,
          ),
          [batch, d],
        ),
        xb: new ort.Tensor(
          'float32',
          stack(
            rows.map((r) => r.b),
            d,
          ),
          [batch, d],
        ),
        Wa: new ort.Tensor('float32', Wa, [d, d]),
        Wb: new ort.Tensor('float32', Wb, [d, d]),
        logScale: new ort.Tensor('float32', logScale, [1]),
      });
      adam.step();
      if (options.freeze !== 'a') adam.update('Wa', Wa, out.grad_Wa.data as Float32Array);
      if (options.freeze !== 'b') adam.update('Wb', Wb, out.grad_Wb.data as Float32Array);
      adam.update('logScale', logScale, out.grad_logScale.data as Float32Array);
    }
  }
  await session.release();
  const adapter = loadAdapter({
    kind: 'rosetta-linear-adapter',
    dim: d,
    a: Array.from(Wa),
    b: Array.from(Wb),
    logitScale: Math.exp(logScale[0]),
  });
  const ks = [1, 5, 10];
  const n = held.length;
  const before = recallAtK(
    similarity(
      stack(
        held.map((p) => p.a),
        d,
      ),
      stack(
        held.map((p) => p.b),
        d,
      ),
      d,
    ),
    n,
    n,
    ks,
  );
  const after = recallAtK(
    similarity(
      stack(
        held.map((p) => adapter.apply(p.a, 'a')),
        d,
      ),
      stack(
        held.map((p) => adapter.apply(p.b, 'b')),
        d,
      ),
      d,
    ),
    n,
    n,
    ks,
  );
  return { adapter, before, after, heldOut: n };
}
