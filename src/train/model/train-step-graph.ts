import { GraphBuilder } from '../../onnx/graph-builder.js';
import { head, type ParamName, type TowerTrace } from './mini-architecture.js';

/**
 * The training step as one ONNX graph: forward of the three towers, symmetric InfoNCE (text↔image and
 * text↔audio, one learned temperature) and the gradient of every parameter, written by hand with standard
 * operators. Text enters as a bag matrix [texts, vocab] (row = token counts / token count), which makes the
 * embedding lookup a MatMul and its gradient bagᵀ·grad — the same numbers as the exported Gather + masked mean.
 */
export interface TrainStepSpec {
  vocab: number;
  imageFeatures: number;
  audioFeatures: number;
  /** Image pairs per step. */
  batch: number;
  /** Audio pairs per step (0 turns the audio loss off). */
  audioBatch: number;
  /** Weight of the text↔audio loss. */
  audioWeight: number;
}

function sum0(g: GraphBuilder, x: string): string {
  return g.op1('ReduceSum', [x, g.constInt64([0])], { keepdims: 0 });
}

function matmulT(g: GraphBuilder, a: string, b: string, transA: boolean, transB: boolean): string {
  return g.op1('Gemm', [a, b], { transA: transA ? 1 : 0, transB: transB ? 1 : 0 });
}

/** Gradient through the head given dL/dy; returns dL/dx and writes the weight gradients as outputs. */
function headBackward(
  g: GraphBuilder,
  t: TowerTrace,
  dy: string,
  W1: string,
  W2: string,
  names: [string, string, string, string],
  needDx: boolean,
): string | undefined {
  const dot = g.op1('ReduceSum', [g.op1('Mul', [dy, t.y]), g.constInt64([1])], { keepdims: 1 });
  const dz = g.op1('Div', [g.op1('Sub', [dy, g.op1('Mul', [t.y, dot])]), t.norm]);
  g.op1('Gemm', [t.h1, dz], { transA: 1 }, names[2]);
  g.op1('Identity', [sum0(g, dz)], {}, names[3]);
  const dh1 = matmulT(g, dz, W2, false, true);
  const mask = g.op1('Cast', [g.op1('Greater', [t.a1, g.constFloat([0])])], { to: 1 });
  const da1 = g.op1('Mul', [dh1, mask]);
  g.op1('Gemm', [t.x, da1], { transA: 1 }, names[0]);
  g.op1('Identity', [sum0(g, da1)], {}, names[1]);
  return needDx ? matmulT(g, da1, W1, false, true) : undefined;
}

/** Symmetric InfoNCE over matched rows of a and b (both L2-normalised); returns loss and gradients. */
export function infoNce(g: GraphBuilder, a: string, b: string, scale: string): { loss: string; da: string; db: string; dLogScale: string } {
  const sim = matmulT(g, a, b, false, true);
  const logits = g.op1('Mul', [sim, scale]);
  const eye = g.op1('EyeLike', [logits]);
  const n = g.op1('ReduceSum', [eye, g.constInt64([0, 1])], { keepdims: 0 });
  const ls1 = g.op1('LogSoftmax', [logits], { axis: 1 });
  const ls0 = g.op1('LogSoftmax', [logits], { axis: 0 });
  const diag = g.op1('ReduceSum', [g.op1('Mul', [g.op1('Add', [ls1, ls0]), eye]), g.constInt64([0, 1])], { keepdims: 0 });
  const loss = g.op1('Div', [g.op1('Mul', [diag, g.constFloat([-0.5], [])]), n]);
  const p1 = g.op1('Softmax', [logits], { axis: 1 });
  const p0 = g.op1('Softmax', [logits], { axis: 0 });
  const twoEye = g.op1('Mul', [eye, g.constFloat([2], [])]);
  const G = g.op1('Div', [g.op1('Mul', [g.op1('Sub', [g.op1('Add', [p1, p0]), twoEye]), g.constFloat([0.5], [])]), n]);
  const dS = g.op1('Mul', [G, scale]);
  const da = g.op1('MatMul', [dS, b]);
  const db = matmulT(g, dS, a, true, false);
  const dLogScale = g.op1('Reshape', [
    g.op1('ReduceSum', [g.op1('Mul', [G, logits]), g.constInt64([0, 1])], { keepdims: 0 }),
    g.constInt64([1]),
  ]);
  return { loss, da, db, dLogScale };
}

/** Builds the step graph. Inputs: `bag`, `image_features`, `audio_features` and every parameter by name; outputs: losses and `grad_<param>`. */
export function buildTrainStepGraph(spec: TrainStepSpec, shapes: Record<ParamName, number[]>): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_train_step');
  const { batch: B, audioBatch: Ba } = spec;
  const useAudio = Ba > 0;
  const bag = g.input('bag', 'float32', [B + Ba, spec.vocab]);
  const imgF = g.input('image_features', 'float32', [B, spec.imageFeatures]);
  const audF = useAudio ? g.input('audio_features', 'float32', [Ba, spec.audioFeatures]) : '';
  for (const [name, dims] of Object.entries(shapes)) g.input(name, 'float32', dims);

  const scale = g.op1('Exp', [g.op1('Reshape', ['logScale', g.constInt64([], [0])])]);
  const m = g.op1('MatMul', [bag, 'E']);
  const tt = head(g, m, 'Wt1', 'bt1', 'Wt2', 'bt2');
  const ti = head(g, imgF, 'Wi1', 'bi1', 'Wi2', 'bi2');
  const yText = tt.y;
  const yTextImg = useAudio ? g.op1('Slice', [yText, g.constInt64([0]), g.constInt64([B]), g.constInt64([0])]) : yText;
  const li = infoNce(g, yTextImg, ti.y, scale);
  headBackward(g, ti, li.db, 'Wi1', 'Wi2', ['grad_Wi1', 'grad_bi1', 'grad_Wi2', 'grad_bi2'], false);
  let dyText = li.da;
  let loss = li.loss;
  let dLog = li.dLogScale;
  let lossAudio = '';
  if (useAudio) {
    const w = g.constFloat([spec.audioWeight], []);
    const ta = head(g, audF, 'Wa1', 'ba1', 'Wa2', 'ba2');
    const yTextAud = g.op1('Slice', [yText, g.constInt64([B]), g.constInt64([B + Ba]), g.constInt64([0])]);
    const la = infoNce(g, yTextAud, ta.y, scale);
    headBackward(g, ta, g.op1('Mul', [la.db, w]), 'Wa1', 'Wa2', ['grad_Wa1', 'grad_ba1', 'grad_Wa2', 'grad_ba2'], false);
    dyText = g.op1('Concat', [li.da, g.op1('Mul', [la.da, w])], { axis: 0 });
    loss = g.op1('Add', [loss, g.op1('Mul', [la.loss, w])]);
    dLog = g.op1('Add', [dLog, g.op1('Mul', [la.dLogScale, w])]);
    lossAudio = la.loss;
  }
  const dm = headBackward(g, tt, dyText, 'Wt1', 'Wt2', ['grad_Wt1', 'grad_bt1', 'grad_Wt2', 'grad_bt2'], true)!;
  g.op1('Gemm', [bag, dm], { transA: 1 }, 'grad_E');
  g.op1('Identity', [dLog], {}, 'grad_logScale');
  g.op1('Identity', [loss], {}, 'loss');
  g.op1('Identity', [li.loss], {}, 'loss_image');
  g.op1('Identity', [lossAudio || g.constFloat([0], [])], {}, 'loss_audio');

  g.output('loss', 'float32', []);
  g.output('loss_image', 'float32', []);
  g.output('loss_audio', 'float32', []);
  for (const [name, dims] of Object.entries(shapes)) {
    if (!useAudio && /^[Wb]a[12]$/.test(name)) continue;
    g.output(`grad_${name}`, 'float32', dims);
  }
  return g.toBytes();
}

/** Parameters that get a gradient from a graph built with this spec. */
export function trainedParams(spec: TrainStepSpec, shapes: Record<ParamName, number[]>): ParamName[] {
  return (Object.keys(shapes) as ParamName[]).filter((n) => spec.audioBatch > 0 || !/^[Wb]a[12]$/.test(n));
}
