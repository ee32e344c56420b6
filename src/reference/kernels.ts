// Float64 twins of the WGSL kernels, in the engine's layout (docs/ENGINE.md), one function per
// entry point. The kernel tests hold every GPU kernel against these on random graphs.
import type { GraphArrays } from '../graph/types';
import { MSE, type Objective } from '../gpu/layout';
import { bprRegularizer, objectiveLoss } from './objective';

type Vec = ArrayLike<number>;

/** The fields of shaders/prelude.wgsl's `Layer` uniform. */
export interface LayerDesc {
  heads: number;
  channels: number;
  rows: number;
  indirect: boolean;
  xStride: number;
  fUser: number;
  fItem: number;
  blockUser: number;
  blockItem: number;
}

const SLOPE = 0.2;

function numNodes(g: GraphArrays): number {
  return g.numUsers + g.numItems;
}

/** Where a node type's block parts start in the flat parameters. */
function block(L: LayerDesc, t: number) {
  const base = t === 0 ? L.blockUser : L.blockItem;
  const F = t === 0 ? L.fUser : L.fItem;
  const HC = L.heads * L.channels;
  const skipBias = base + L.rows * F;
  return { base, F, skipBias, attSrc: skipBias + L.channels, attDst: skipBias + L.channels + HC, gatBias: skipBias + L.channels + 2 * HC };
}

const typeOf = (g: GraphArrays, n: number) => (n >= g.numUsers ? 1 : 0);
const inputRow = (g: GraphArrays, L: LayerDesc, n: number) => (L.indirect ? g.nodeGlobal[n] : n);

export function refProject(g: GraphArrays, L: LayerDesc, params: Vec, X: Vec): Float64Array {
  const N = numNodes(g);
  const Y = new Float64Array(N * L.rows);
  for (let n = 0; n < N; n++) {
    const b = block(L, typeOf(g, n));
    const x = inputRow(g, L, n) * L.xStride;
    for (let r = 0; r < L.rows; r++) {
      let acc = 0;
      for (let f = 0; f < b.F; f++) acc += X[x + f] * params[b.base + r * b.F + f];
      Y[n * L.rows + r] = acc;
    }
  }
  return Y;
}

export function refScores(g: GraphArrays, L: LayerDesc, params: Vec, Y: Vec): Float64Array {
  const { heads: H, channels: C } = L;
  const N = numNodes(g);
  const scores = new Float64Array(N * 2 * H);
  for (let n = 0; n < N; n++) {
    const b = block(L, typeOf(g, n));
    for (let h = 0; h < H; h++) {
      let s = 0;
      let d = 0;
      for (let c = 0; c < C; c++) {
        s += Y[n * L.rows + h * C + c] * params[b.attSrc + h * C + c];
        d += Y[n * L.rows + H * C + h * C + c] * params[b.attDst + h * C + c];
      }
      scores[n * 2 * H + h] = s;
      scores[n * 2 * H + H + h] = d;
    }
  }
  return scores;
}

const leaky = (z: number) => (z > 0 ? z : SLOPE * z);

export function refSoftmax(g: GraphArrays, L: LayerDesc, scores: Vec): Float64Array {
  const H = L.heads;
  const alpha = new Float64Array(g.edgeSrc.length * H);
  for (let i = 0; i < numNodes(g); i++) {
    for (let h = 0; h < H; h++) {
      const z: number[] = [];
      for (let e = g.dstPtr[i]; e < g.dstPtr[i + 1]; e++) z.push(leaky(scores[g.edgeSrc[e] * 2 * H + h] + scores[i * 2 * H + H + h]));
      const m = Math.max(...z);
      const sum = z.reduce((a, v) => a + Math.exp(v - m), 0) + 1e-16;
      z.forEach((v, k) => (alpha[(g.dstPtr[i] + k) * H + h] = Math.exp(v - m) / sum));
    }
  }
  return alpha;
}

export function refAggregate(g: GraphArrays, L: LayerDesc, params: Vec, Y: Vec, alpha: Vec): Float64Array {
  const { heads: H, channels: C, rows: R } = L;
  const N = numNodes(g);
  const out = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const b = block(L, typeOf(g, i));
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let h = 0; h < H; h++) for (let e = g.dstPtr[i]; e < g.dstPtr[i + 1]; e++) acc += alpha[e * H + h] * Y[g.edgeSrc[e] * R + h * C + c];
      const v = acc / H + params[b.gatBias + c] + Y[i * R + 2 * H * C + c] + params[b.skipBias + c];
      out[i * C + c] = Math.max(v, 0);
    }
  }
  return out;
}

/** Predictions, the objective's loss and dLoss/dpred per label (BPR's regulariser over the nodes with pairs, each once). */
export function refDecodeLoss(g: GraphArrays, C: number, h: Vec, objective: Objective = MSE): { pred: Float64Array; loss: number; dPred: Float64Array } {
  const Lb = g.labelUser.length;
  const pred = new Float64Array(Lb);
  for (let l = 0; l < Lb; l++) {
    let p = 0;
    for (let c = 0; c < C; c++) p += h[g.labelUser[l] * C + c] * h[g.labelItem[l] * C + c];
    pred[l] = p;
  }
  if (Lb === 0) return { pred, loss: 0, dPred: pred };
  const { loss, dPred } = objectiveLoss(objective, pred, g.labelValue);
  const reg = regularized(g, objective) ? bprRegularizer(objective.bprReg, Lb / 2, Float64Array.from(h), C, nodesWithPairs(g), new Float64Array(h.length)) : 0;
  return { pred, loss: loss + reg, dPred };
}

export function refDecodeBackward(g: GraphArrays, C: number, h: Vec, pred: Vec, objective: Objective = MSE): Float64Array {
  const N = numNodes(g);
  const Lb = g.labelUser.length;
  const dPred = Lb > 0 ? objectiveLoss(objective, pred, g.labelValue).dPred : new Float64Array(0);
  const dh = new Float64Array(N * C);
  if (regularized(g, objective)) bprRegularizer(objective.bprReg, Lb / 2, Float64Array.from(h), C, nodesWithPairs(g), dh);
  const gPre = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let k = g.labPtr[n]; k < g.labPtr[n + 1]; k++) {
        const l = g.labEdge[k];
        const other = n < g.numUsers ? g.labelItem[l] : g.labelUser[l];
        acc += dPred[l] * h[other * C + c];
      }
      gPre[n * C + c] = h[n * C + c] > 0 ? acc + dh[n * C + c] : 0;
    }
  }
  return gPre;
}

function regularized(g: GraphArrays, o: Objective): boolean {
  return o.kind === 'bpr' && o.bprReg !== 0 && g.labelUser.length > 0;
}

/** The nodes some pair touches. */
function nodesWithPairs(g: GraphArrays): number[] {
  return Array.from({ length: numNodes(g) }, (_, n) => n).filter((n) => g.labPtr[n + 1] > g.labPtr[n]);
}

/** ds per edge and d a_dst per node (the dst half of dScores; the src half is left 0). */
export function refSoftmaxBackward(
  g: GraphArrays, L: LayerDesc, Y: Vec, scores: Vec, alpha: Vec, gPre: Vec,
): { ds: Float64Array; dScores: Float64Array } {
  const { heads: H, channels: C, rows: R } = L;
  const N = numNodes(g);
  const ds = new Float64Array(g.edgeSrc.length * H);
  const dScores = new Float64Array(N * 2 * H);
  for (let i = 0; i < N; i++) {
    for (let h = 0; h < H; h++) {
      const p0 = g.dstPtr[i];
      const p1 = g.dstPtr[i + 1];
      const da: number[] = [];
      for (let e = p0; e < p1; e++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += gPre[i * C + c] * Y[g.edgeSrc[e] * R + h * C + c];
        da.push(s / H);
      }
      const dot = da.reduce((a, v, k) => a + alpha[(p0 + k) * H + h] * v, 0);
      let dDst = 0;
      for (let e = p0; e < p1; e++) {
        const z = scores[g.edgeSrc[e] * 2 * H + h] + scores[i * 2 * H + H + h];
        const d = alpha[e * H + h] * (da[e - p0] - dot) * (z > 0 ? 1 : SLOPE);
        ds[e * H + h] = d;
        dDst += d;
      }
      dScores[i * 2 * H + H + h] = dDst;
    }
  }
  return { ds, dScores };
}

/** dY of every row, and d a_src (the src half of dScores, with the dst half copied from the input). */
export function refAggregateBackward(
  g: GraphArrays, L: LayerDesc, params: Vec, alpha: Vec, ds: Vec, gPre: Vec, dScoresIn: Vec,
): { dY: Float64Array; dScores: Float64Array } {
  const { heads: H, channels: C, rows: R } = L;
  const HC = H * C;
  const N = numNodes(g);
  const dY = new Float64Array(N * R);
  const dScores = Float64Array.from(dScoresIn);
  for (let n = 0; n < N; n++) {
    const b = block(L, typeOf(g, n));
    for (let h = 0; h < H; h++) {
      let dSrc = 0;
      for (let k = g.srcPtr[n]; k < g.srcPtr[n + 1]; k++) dSrc += ds[g.srcEdge[k] * H + h];
      dScores[n * 2 * H + h] = dSrc;
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let k = g.srcPtr[n]; k < g.srcPtr[n + 1]; k++) {
          const e = g.srcEdge[k];
          acc += alpha[e * H + h] * gPre[g.edgeDst[e] * C + c];
        }
        dY[n * R + h * C + c] = acc / H + dSrc * params[b.attSrc + h * C + c];
        dY[n * R + HC + h * C + c] = dScores[n * 2 * H + H + h] * params[b.attDst + h * C + c];
      }
    }
    for (let c = 0; c < C; c++) dY[n * R + 2 * HC + c] = gPre[n * C + c];
  }
  return { dY, dScores };
}

/** The gradient of the layer's two parameter blocks, as one array starting at blockUser. */
export function refParamGrads(g: GraphArrays, L: LayerDesc, X: Vec, Y: Vec, gPre: Vec, dY: Vec, dScores: Vec): Float64Array {
  const { heads: H, channels: C, rows: R } = L;
  const HC = H * C;
  const parts = [0, 1].map((t) => block(L, t));
  const size = (t: number) => R * parts[t].F + 2 * C + 2 * HC;
  const grads = new Float64Array(size(0) + size(1));
  for (const t of [0, 1]) {
    const { F } = parts[t];
    const at = t === 0 ? 0 : size(0);
    const nodes: number[] = [];
    for (let n = t === 0 ? 0 : g.numUsers; n < (t === 0 ? g.numUsers : numNodes(g)); n++) nodes.push(n);
    for (let r = 0; r < R; r++)
      for (let f = 0; f < F; f++)
        grads[at + r * F + f] = nodes.reduce((a, n) => a + dY[n * R + r] * X[inputRow(g, L, n) * L.xStride + f], 0);
    const skip = at + R * F;
    for (let c = 0; c < C; c++) {
      const s = nodes.reduce((a, n) => a + gPre[n * C + c], 0);
      grads[skip + c] = s;
      grads[skip + C + 2 * HC + c] = s;
    }
    for (let h = 0; h < H; h++)
      for (let c = 0; c < C; c++) {
        grads[skip + C + h * C + c] = nodes.reduce((a, n) => a + dScores[n * 2 * H + h] * Y[n * R + h * C + c], 0);
        grads[skip + C + HC + h * C + c] = nodes.reduce((a, n) => a + dScores[n * 2 * H + H + h] * Y[n * R + HC + h * C + c], 0);
      }
  }
  return grads;
}

/** d loss / d X through the projections, masked by the previous layer's ReLU (X is its output). */
export function refInputBackward(g: GraphArrays, L: LayerDesc, params: Vec, X: Vec, dY: Vec): Float64Array {
  const N = numNodes(g);
  const S = L.xStride;
  const gPrev = new Float64Array(N * S);
  for (let n = 0; n < N; n++) {
    const b = block(L, typeOf(g, n));
    for (let f = 0; f < S; f++) {
      let acc = 0;
      for (let r = 0; r < L.rows; r++) acc += dY[n * L.rows + r] * params[b.base + r * b.F + f];
      gPrev[n * S + f] = X[n * S + f] > 0 ? acc : 0;
    }
  }
  return gPrev;
}
