// One GATConv(concat=False, add_self_loops=False) of the float64 reference on a bipartite edge
// type src → dst, forward and hand-written backward (DESIGN.md §3), as PyG defines it.
import type { PairTuples } from '../graph/pairs';
import type { ModelShape } from '../model/params';
import { columnSums, linearBackward, linearForward, mat, type Mat } from './dense';

const NEGATIVE_SLOPE = 0.2;
const SOFTMAX_EPS = 1e-16;

export interface GatParams {
  attSrc: Float64Array;
  attDst: Float64Array;
  bias: Float64Array;
  /** HC × F_src */
  linSrc: Float64Array;
  /** HC × F_dst */
  linDst: Float64Array;
}

export interface GatCache {
  /** Projected sources and destinations, N × HC (head-major within a row). */
  xs: Mat;
  xd: Mat;
  /** a_s[src] + a_d[dst] per edge and head, before the LeakyReLU. */
  pre: Float64Array;
  alpha: Float64Array;
}

export function gatForward(p: GatParams, shape: ModelShape, xSrc: Mat, xDst: Mat, edges: PairTuples) {
  const { heads: H, hidden: C } = shape;
  const HC = H * C;
  const xs = linearForward(xSrc, p.linSrc, HC);
  const xd = linearForward(xDst, p.linDst, HC);
  const aS = headScores(xs, p.attSrc, H, C);
  const aD = headScores(xd, p.attDst, H, C);

  const E = edges.length;
  const pre = new Float64Array(E * H);
  const z = new Float64Array(E * H);
  const max = new Float64Array(xDst.rows * H).fill(-Infinity);
  edges.forEach(([j, i], e) => {
    for (let h = 0; h < H; h++) {
      const v = aS[j * H + h] + aD[i * H + h];
      pre[e * H + h] = v;
      z[e * H + h] = v > 0 ? v : NEGATIVE_SLOPE * v;
      max[i * H + h] = Math.max(max[i * H + h], z[e * H + h]);
    }
  });
  // PyG's softmax: shift by the per-destination max, and 1e-16 in the denominator.
  const sum = new Float64Array(xDst.rows * H);
  const alpha = new Float64Array(E * H);
  edges.forEach(([, i], e) => {
    for (let h = 0; h < H; h++) {
      alpha[e * H + h] = Math.exp(z[e * H + h] - max[i * H + h]);
      sum[i * H + h] += alpha[e * H + h];
    }
  });
  edges.forEach(([, i], e) => {
    for (let h = 0; h < H; h++) alpha[e * H + h] /= sum[i * H + h] + SOFTMAX_EPS;
  });

  // Messages summed per head, then the mean over heads, then the bias: a destination without
  // incoming edges gets the bias alone.
  const agg = new Float64Array(xDst.rows * HC);
  edges.forEach(([j, i], e) => {
    for (let h = 0; h < H; h++) {
      const a = alpha[e * H + h];
      for (let c = 0; c < C; c++) agg[i * HC + h * C + c] += a * xs.data[j * HC + h * C + c];
    }
  });
  const out = mat(xDst.rows, C);
  for (let i = 0; i < xDst.rows; i++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let h = 0; h < H; h++) s += agg[i * HC + h * C + c];
      out.data[i * C + c] = s / H + p.bias[c];
    }
  }
  return { out, cache: { xs, xd, pre, alpha } satisfies GatCache };
}

export function gatBackward(p: GatParams, shape: ModelShape, xSrc: Mat, xDst: Mat, edges: PairTuples, cache: GatCache, gd: Mat) {
  const { heads: H, hidden: C } = shape;
  const HC = H * C;
  const { xs, xd, pre, alpha } = cache;
  const E = edges.length;

  // d alpha, then through the softmax: dz = α (dα − Σ_{e'→i} α dα).
  const dAlpha = new Float64Array(E * H);
  const weighted = new Float64Array(xDst.rows * H);
  edges.forEach(([j, i], e) => {
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += gd.data[i * C + c] * xs.data[j * HC + h * C + c];
      dAlpha[e * H + h] = s / H;
      weighted[i * H + h] += alpha[e * H + h] * dAlpha[e * H + h];
    }
  });
  const daS = new Float64Array(xSrc.rows * H);
  const daD = new Float64Array(xDst.rows * H);
  const dxs = mat(xSrc.rows, HC);
  edges.forEach(([j, i], e) => {
    for (let h = 0; h < H; h++) {
      const a = alpha[e * H + h];
      const dz = a * (dAlpha[e * H + h] - weighted[i * H + h]);
      const dPre = pre[e * H + h] > 0 ? dz : NEGATIVE_SLOPE * dz;
      daS[j * H + h] += dPre;
      daD[i * H + h] += dPre;
      for (let c = 0; c < C; c++) dxs.data[j * HC + h * C + c] += (a * gd.data[i * C + c]) / H;
    }
  });
  const dxd = mat(xDst.rows, HC);
  const attSrc = new Float64Array(HC);
  const attDst = new Float64Array(HC);
  for (let j = 0; j < xSrc.rows; j++) {
    for (let k = 0; k < HC; k++) {
      const h = Math.floor(k / C);
      dxs.data[j * HC + k] += daS[j * H + h] * p.attSrc[k];
      attSrc[k] += daS[j * H + h] * xs.data[j * HC + k];
    }
  }
  for (let i = 0; i < xDst.rows; i++) {
    for (let k = 0; k < HC; k++) {
      const h = Math.floor(k / C);
      dxd.data[i * HC + k] = daD[i * H + h] * p.attDst[k];
      attDst[k] += daD[i * H + h] * xd.data[i * HC + k];
    }
  }
  const src = linearBackward(dxs, xSrc, p.linSrc);
  const dst = linearBackward(dxd, xDst, p.linDst);
  return {
    attSrc,
    attDst,
    bias: columnSums(gd),
    linSrc: src.dw,
    linDst: dst.dw,
    dxSrc: src.dx,
    dxDst: dst.dx,
  };
}

/** a[n,h] = Σ_c x[n, hC+c] · att[h,c]. */
function headScores(x: Mat, att: Float64Array, H: number, C: number): Float64Array {
  const a = new Float64Array(x.rows * H);
  for (let n = 0; n < x.rows; n++) {
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += x.data[n * H * C + h * C + c] * att[h * C + c];
      a[n * H + h] = s;
    }
  }
  return a;
}
