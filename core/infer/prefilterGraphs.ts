/**
 * The onnxruntime graphs of the prefilter (prefilterHead.ts): the proxy over every cell, the exact
 * head on selected cells with fc1 folded into the fusion (searches), and the unfolded head with the
 * Gram matrix of the proxy fit (a new query's fit). Built per query from head.onnx's own weights.
 */
import { rowDotsWorkspace } from '../numeric/rowDots';
import { A, GraphBuilder } from '../onnx/builder/graph';
import type { FoldedQuery as Folded, HeadWeights } from './foldedHead';

interface Dense { w: Float32Array; out: number; inp: number; b: Float32Array }

/** Gemm v·Wᵀ + b with the layer's weights as initializers named after `stem`. */
function dense(g: GraphBuilder, v: string, d: Dense, stem: string): string {
  return g.op('Gemm', [
    v, g.initializer(`${stem}.w`, 'float32', [d.out, d.inp], d.w), g.initializer(`${stem}.b`, 'float32', [d.out], d.b),
  ], { transB: A.i(1) });
}

/** Attention logits [rows, K] of coefficient rows y2 [rows, D]: logitScale·(y·B·V_k + mean·V_k). */
function attentionLogits(g: GraphBuilder, h: HeadWeights, f: Folded, y2: string): string {
  return g.op('Mul', [g.op('Add', [g.op('MatMul', [y2, g.initializer('bv', 'float32', [f.D, f.K], f.bv)]), g.initializer('mv', 'float32', [f.K], f.mv)]), g.scalar(h.logitScale)]);
}

/**
 * Inputs yAll [R, D] (a batch's coefficient rows, frame·S² + cell), lseAll [N, K] (per frame of the
 * batch, the log-sum-exp over its cells of each slot's attention logit, from the proxy graph) and
 * rows [n] (int32, the selected rows); the slot attention α = S²·exp(logit − lse) [n, K] of the
 * selected cells (the softmax over the cells, recomputed for these rows only), and Ĩ = α⊗y [n, K·D].
 * The rows are gathered here, not in JS: the caller passes the batch as it is (a view into the
 * coefficient cache) and onnxruntime reads it in place.
 */
function selectedCells(g: GraphBuilder, h: HeadWeights, f: Folded): { alpha: string; tilde: string } {
  const { K, D } = f;
  const yAll = g.input('yAll', 'float32', ['R', D]);
  const lseAll = g.input('lseAll', 'float32', ['N', K]);
  const rows = g.input('rows', 'int32', ['n']);
  const y = g.op('Gather', [yAll, rows], { axis: A.i(0) });
  const frames = g.op('Div', [rows, g.initializer('cells', 'int32', [1], Int32Array.of(h.S * h.S))]);
  const lse = g.op('Gather', [lseAll, frames], { axis: A.i(0) });
  const alpha = g.op('Mul', [g.op('Exp', [g.op('Sub', [attentionLogits(g, h, f, y), lse])]), g.scalar(h.cellScale)]);
  const tilde = g.op('Reshape', [g.op('Mul', [g.op('Unsqueeze', [alpha, g.int64s([2])]), g.op('Unsqueeze', [y, g.int64s([1])])]), g.int64s([-1, K * D])]);
  return { alpha, tilde };
}

/**
 * proxy graph: y [N, S², D] → proxy [N·S²] and lse [N, K], the log-sum-exp over each frame's cells of
 * each slot's attention logit (the softmax's normaliser: the cells graphs recompute α for the rows
 * they are given from it). g [K, D], hk [K, 1], c0 [1] are inputs (the fitted proxy).
 * Slot-major ([K, N·S²], Gemm with y transposed) so the softmax runs over the last axis; lse instead
 * of α for every cell spares a [N·S², K] output per batch. Per 64 frames, 15 slots (onnxruntime's
 * profiler, 1 Dec 2026): 0.73–0.79 ms against 1.09 for the [N·S², K] layout with ReduceLogSumExp.
 * The logits and the proxy's terms come from one [2K, D]·yᵀ Gemm (the coefficients read once): per
 * 256 frames 3.68 → 3.19 ms for 15 slots, 0.94 → 0.68 ms for 2 (`/work/exp/s18/mbproxy.mts`, 2 Dec).
 * The softmax is one LogSoftmax (it was ReduceMax, Sub, Exp, ReduceSum, Div, Mul): proxy runs 42.4 →
 * 39.4 ms per 3,000-frame search of the 15-slot query (core/index/README.md, *Search speed, 2 Dec*).
 */
export function proxyGraph(h: HeadWeights, f: Folded): Uint8Array {
  const cells = h.S * h.S;
  const { K, D } = f;
  const g = new GraphBuilder('fastpr_head_prefilter');
  const y = g.input('y', 'float32', ['N', cells, D]);
  const gk = g.input('g', 'float32', [K, D]);
  const hk = g.input('hk', 'float32', [K, 1]);
  const c0 = g.input('c0', 'float32', [1]);
  const y2 = g.op('Reshape', [y, g.int64s([-1, D])]);
  // Attention logits, slot-major: logitScale·(B·V_k)ᵀ y + logitScale·mean·V_k.
  const bvT = new Float32Array(K * D);
  for (let j = 0; j < D; j++) for (let k = 0; k < K; k++) bvT[k * D + j] = f.bv[j * K + k]! * h.logitScale;
  const mvs = f.mv.map((v) => v * h.logitScale);
  // Both products in one Gemm, [2K, D]·yᵀ: the coefficients are read once.
  // S² goes into the proxy's terms (t = S²·(g·y + hk), scaled on the [K, D] weights) instead of onto every α.
  const w2 = g.op('Concat', [g.initializer('bvT', 'float32', [K, D], bvT), g.op('Mul', [gk, g.scalar(h.cellScale)])], { axis: A.i(0) });
  const b2 = g.op('Concat', [g.initializer('mvs', 'float32', [K, 1], mvs), g.op('Mul', [hk, g.scalar(h.cellScale)])], { axis: A.i(0) });
  const both = g.op('Gemm', [w2, y2, b2], { transB: A.i(1) });
  const logits = g.op('Reshape', [g.op('Slice', [both, g.int64s([0]), g.int64s([K]), g.int64s([0])]), g.int64s([K, -1, cells])]);
  // log α/S² = logit − lse in one fused kernel (max, exp, sum per frame and slot row);
  // lse = logit − log-softmax at any cell, here the first.
  const logSoftmax = g.op('LogSoftmax', [logits], { axis: A.i(2) });
  const alpha = g.op('Reshape', [g.op('Exp', [logSoftmax]), g.int64s([K, -1])]);
  const t = g.op('Slice', [both, g.int64s([K]), g.int64s([2 * K]), g.int64s([0])]);
  const proxy = g.op('Add', [g.op('ReduceSum', [g.op('Mul', [alpha, t]), g.int64s([0])], { keepdims: A.i(0) }), c0]);
  const firstCell = (v: string) => g.op('Slice', [v, g.int64s([0]), g.int64s([1]), g.int64s([2])]);
  const lse = g.op('Sub', [firstCell(logits), firstCell(logSoftmax)]);
  g.output('lse', g.op('Transpose', [g.op('Reshape', [lse, g.int64s([K, -1])])], { perm: A.ints([1, 0]) }), 'float32', ['N', K]);
  g.output('proxy', proxy, 'float32', ['R']);
  return g.serialize({ docString: 'FastPR prefilter: a linear proxy of the confidence logit per cell, and the slot attention\'s normalisers.' });
}

/**
 * fit graph (a new query's prefilter fit): yAll [R, D], lseAll [N, K], rows [n], floor [1] → logit
 * [n], confidence [n], boxes [n, 4] of the selected cells through the unfolded head, and gram
 * [F+2, F+2] = XᵀX of X = [fused, 1, max(logit, floor)]: this run's share of the normal equations
 * of the proxy fit (the caller adds the runs' shares in float64). Until 2 Dec the graph returned
 * fused [n, F] and a separate session multiplied it out: 12.8 MB of output, a copy and a session per
 * new 15-slot query.
 */
export function fitGraph(h: HeadWeights, f: Folded): Uint8Array {
  const { K, D } = f;
  const F = h.fuse.out;
  const g = new GraphBuilder('fastpr_head_prefilter_fit');
  const { alpha, tilde } = selectedCells(g, h, f);
  const floor = g.input('floor', 'float32', [1]);
  const fused = g.op('Add', [dense(g, tilde, { ...h.fuse, w: f.wf, inp: K * D }, 'fuse'), g.op('MatMul', [alpha, g.initializer('cmean', 'float32', [K, F], f.cm)])]);
  const common = g.op('Relu', [dense(g, g.op('Relu', [dense(g, fused, h.fc1, 'fc1')]), h.fc2, 'fc2')]);
  const logit = dense(g, g.op('Relu', [dense(g, common, h.conf1, 'conf1')]), h.conf2, 'conf2'); // [n, 1]
  const ones = g.op('Expand', [g.initializer('one', 'float32', [1, 1], Float32Array.of(1)), g.op('Shape', [logit], {}, { dtype: 'int64' })]);
  const x = g.op('Concat', [fused, ones, g.op('Max', [logit, floor])], { axis: A.i(1) });
  g.output('gram', g.op('MatMul', [g.op('Transpose', [x], { perm: A.ints([1, 0]) }), x]), 'float32', [F + 2, F + 2]);
  g.output('logit', g.op('Reshape', [logit, g.int64s([-1])]), 'float32', ['n']);
  g.output('confidence', g.op('Sigmoid', [g.op('Reshape', [logit, g.int64s([-1])])]), 'float32', ['n']);
  g.output('boxes', g.op('Sigmoid', [dense(g, g.op('Relu', [dense(g, common, h.box1, 'box1')]), h.box2, 'box2')]), 'float32', ['n', 4]);
  return g.serialize({ docString: 'FastPR head on selected cells, unfolded, with the Gram matrix of the prefilter fit.' });
}

/** fc1 folded into the fusion (no nonlinearity between them): pre1 = w·(α⊗y) + b + α·cm. */
export interface Fc1Fold { w: Float32Array; b: Float32Array; cm: Float32Array }

/** w [H, K·D] = fc1.W·wf, b [H] = fc1.W·fb + fc1.b, cm [K, H] = cm·fc1.Wᵀ (float64 sums). */
export function foldFc1(h: HeadWeights, f: Folded): Fc1Fold {
  const { K, D } = f;
  const KD = K * D, F = h.fuse.out, H = h.fc1.out;
  // w = fc1.w [H, F] · wf [F, KD]: 47 M multiply-adds for 15 slots, a tenth of a new query's first
  // search as a JS loop; as rows of fc1.w against rows of wfᵀ in rowDots (SIMD, float64).
  const ws = rowDotsWorkspace(H, KD, F);
  for (let o1 = 0; o1 < H; o1++) for (let o = 0; o < F; o++) ws.a[o1 * ws.stride + o] = h.fc1.w[o1 * F + o]!;
  for (let o = 0; o < F; o++) for (let j = 0; j < KD; j++) ws.b[j * ws.stride + o] = f.wf[o * KD + j]!;
  const dots = ws.run();
  const w = new Float32Array(H * KD), b = new Float32Array(H), cm = new Float32Array(K * H);
  for (let o1 = 0; o1 < H; o1++) {
    for (let j = 0; j < KD; j++) w[o1 * KD + j] = dots[o1 * ws.outStride + j]!;
    let bs = h.fc1.b[o1]!;
    for (let o = 0; o < F; o++) bs += h.fc1.w[o1 * F + o]! * f.fb[o]!;
    b[o1] = bs;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let o = 0; o < F; o++) s += f.cm[k * F + o]! * h.fc1.w[o1 * F + o]!;
      cm[k * H + o1] = s;
    }
  }
  return { w, b, cm };
}

/**
 * confidence graph (the searches' exact head): yAll [R, D], lseAll [N, K], rows [n] → confidence [n] and boxes
 * [n, 4], with fc1 folded into the fusion: 66 k fewer multiply-adds per cell. Until 2 Dec the box
 * layers ran in a separate session for the cells that became hits only (about half of those kept),
 * which cost a [n, 256] output, a gather and a third onnxruntime call per batch: running them here
 * on every kept cell made the 15-slot re-query 18.6k → 21.3k indexed frames/s (median of six
 * alternating runs on the 3,000-frame index, `/work/exp/s18/rq.mts`), the 2-attribute one
 * 37.4k → 38.4k, same hits and sightings.
 */
export function confidenceGraph(h: HeadWeights, f: Folded, fold: Fc1Fold): Uint8Array {
  const { K, D } = f;
  const g = new GraphBuilder('fastpr_head_cells_confidence');
  const { alpha, tilde } = selectedCells(g, h, f);
  const H = h.fc1.out;
  const pre1 = g.op('Add', [dense(g, tilde, { w: fold.w, b: fold.b, out: H, inp: K * D }, 'fuse_fc1'), g.op('MatMul', [alpha, g.initializer('cmean_fc1', 'float32', [K, H], fold.cm)])]);
  const common = g.op('Relu', [dense(g, g.op('Relu', [pre1]), h.fc2, 'fc2')]);
  const logit = dense(g, g.op('Relu', [dense(g, common, h.conf1, 'conf1')]), h.conf2, 'conf2');
  g.output('confidence', g.op('Sigmoid', [g.op('Reshape', [logit, g.int64s([-1])])]), 'float32', ['n']);
  g.output('boxes', g.op('Sigmoid', [dense(g, g.op('Relu', [dense(g, common, h.box1, 'box1')]), h.box2, 'box2')]), 'float32', ['n', 4]);
  return g.serialize({ docString: 'FastPR head on selected cells: confidence and boxes (fc1 folded into the fusion).' });
}
