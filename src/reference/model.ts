// The whole model in float64, forward and hand-written backward (DESIGN.md §3), straight from
// PyG's definitions and state_dict names. It is the ground truth the GPU engine is held against,
// so it shares nothing with the engine's flat layout: a slip there cannot hide in both.
import type { PairTuples } from '../graph/pairs';
import type { ModelShape } from '../model/params';
import { addInto, columnSums, linearBackward, linearForward, mat, relu, type Mat } from './dense';
import { gatBackward, gatForward, type GatCache, type GatParams } from './gatConv';
import { bprPairs, bprRegularizer, objectiveLoss } from './objective';
import { MSE, type Objective } from '../gpu/layout';

/** Parameters (or gradients) by PyG state_dict name, each row-major. */
export type NamedParams = Record<string, Float64Array>;

export interface ReferenceInput {
  numUsers: number;
  numItems: number;
  /** numUsers × userDim, row-major. */
  xUser: Float64Array;
  /** numItems × itemDim, row-major. */
  xItem: Float64Array;
  /** [user, item] pairs of (user, rates, item); duplicates are separate edges. */
  rates: PairTuples;
  /** [item, user] pairs of (item, rev_rates, user). */
  revRates: PairTuples;
  labelUser: ArrayLike<number>;
  /** Item indices among items (0-based), not node ids. */
  labelItem: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** The loss (src/reference/objective.ts); the seed's MSE when absent. */
  objective?: Objective;
}

/** Attention of one layer: per edge (in input order) and head, edges × H row-major. */
export interface LayerAttention {
  rates: Float64Array;
  revRates: Float64Array;
}

export interface ReferenceForward {
  /** The encoder's output (after the last ReLU), numUsers × C and numItems × C. */
  embeddings: { user: Float64Array; item: Float64Array };
  predictions: Float64Array;
  /** The objective's loss; NaN without labels, as torch gives. */
  loss: number;
  /** One entry per layer. */
  attention: LayerAttention[];
}

export interface ReferenceGradients extends ReferenceForward {
  /** d loss / d parameter, by PyG name. */
  grads: NamedParams;
}

type NodeType = 'user' | 'item';

// Spelled out here rather than imported from the engine's parameter table, which this module checks.
const EDGE_TYPES = [
  { key: 'user__rates__item', src: 'user', dst: 'item', field: 'rates' },
  { key: 'item__rev_rates__user', src: 'item', dst: 'user', field: 'revRates' },
] as const;

export function referenceForward(shape: ModelShape, params: NamedParams, input: ReferenceInput): ReferenceForward {
  const { layers, h } = encode(shape, params, input);
  return outputs(layers, h, input);
}

export function referenceGradients(shape: ModelShape, params: NamedParams, input: ReferenceInput): ReferenceGradients {
  const { layers, h } = encode(shape, params, input);
  const forward = outputs(layers, h, input);
  const { predictions } = forward;
  const grads: NamedParams = {};

  // The objective and the inner-product decoder.
  const n = predictions.length;
  const dh: Record<NodeType, Mat> = { user: mat(h.user.rows, h.user.cols), item: mat(h.item.rows, h.item.cols) };
  const C = shape.hidden;
  const objective = input.objective ?? MSE;
  const { dPred } = objectiveLoss(objective, predictions, input.labels);
  for (let l = 0; l < n; l++) {
    const u = input.labelUser[l] * C;
    const i = input.labelItem[l] * C;
    for (let c = 0; c < C; c++) {
      dh.user.data[u + c] += dPred[l] * h.item.data[i + c];
      dh.item.data[i + c] += dPred[l] * h.user.data[u + c];
    }
  }
  if (objective.kind === 'bpr' && objective.bprReg !== 0) regularize(objective.bprReg, h, input, { user: dh.user.data, item: dh.item.data });

  for (let l = layers.length; l >= 1; l--) {
    const cache = layers[l - 1];
    const dIn: Record<NodeType, Mat> = {
      user: mat(cache.h.user.rows, cache.h.user.cols),
      item: mat(cache.h.item.rows, cache.h.item.cols),
    };
    // relu(conv + lin): both branches receive the same gradient.
    const dPre = {} as Record<NodeType, Mat>;
    for (const t of ['user', 'item'] as const) {
      const pre = cache.pre[t].data;
      dPre[t] = mat(dh[t].rows, dh[t].cols, dh[t].data.map((g, k) => (pre[k] > 0 ? g : 0)));
      const lin = linearBackward(dPre[t], cache.h[t], param(params, `lin${l}.${t}.weight`, C * cache.h[t].cols));
      grads[`lin${l}.${t}.weight`] = lin.dw;
      grads[`lin${l}.${t}.bias`] = columnSums(dPre[t]);
      addInto(dIn[t], lin.dx);
    }
    for (const et of EDGE_TYPES) {
      const name = `conv${l}.${et.key}`;
      const p = gatParams(params, name, shape, cache.h[et.src].cols, cache.h[et.dst].cols);
      const g = gatBackward(p, shape, cache.h[et.src], cache.h[et.dst], input[et.field], cache.gat[et.field], dPre[et.dst]);
      grads[`${name}.att_src`] = g.attSrc;
      grads[`${name}.att_dst`] = g.attDst;
      grads[`${name}.bias`] = g.bias;
      grads[`${name}.lin_src.weight`] = g.linSrc;
      grads[`${name}.lin_dst.weight`] = g.linDst;
      addInto(dIn[et.src], g.dxSrc);
      addInto(dIn[et.dst], g.dxDst);
    }
    dh.user = dIn.user;
    dh.item = dIn.item;
  }

  return { ...forward, grads };
}

// ---- encoder: L blocks of h ← relu(GAT(h) + Linear(h)), made heterogeneous as to_hetero does ----

interface LayerCache {
  /** The layer's input. */
  h: Record<NodeType, Mat>;
  gat: Record<'rates' | 'revRates', GatCache>;
  /** Before the ReLU. */
  pre: Record<NodeType, Mat>;
}

function encode(shape: ModelShape, params: NamedParams, input: ReferenceInput) {
  checkInput(shape, input);
  let h: Record<NodeType, Mat> = {
    user: mat(input.numUsers, shape.userDim, input.xUser),
    item: mat(input.numItems, shape.itemDim, input.xItem),
  };
  const C = shape.hidden;
  const layers: LayerCache[] = [];
  for (let l = 1; l <= shape.layers; l++) {
    const gat = {} as LayerCache['gat'];
    const pre = {} as Record<NodeType, Mat>;
    // Each node type is the destination of exactly one edge type, so to_hetero's sum over the
    // edge types ending in a node type has a single term.
    for (const et of EDGE_TYPES) {
      const p = gatParams(params, `conv${l}.${et.key}`, shape, h[et.src].cols, h[et.dst].cols);
      const { out, cache } = gatForward(p, shape, h[et.src], h[et.dst], input[et.field]);
      gat[et.field] = cache;
      pre[et.dst] = out;
    }
    for (const t of ['user', 'item'] as const) {
      const w = param(params, `lin${l}.${t}.weight`, C * h[t].cols);
      const b = param(params, `lin${l}.${t}.bias`, C);
      addInto(pre[t], linearForward(h[t], w, C, b));
    }
    layers.push({ h, gat, pre });
    h = { user: relu(pre.user), item: relu(pre.item) };
  }
  return { layers, h };
}

function outputs(layers: LayerCache[], h: Record<NodeType, Mat>, input: ReferenceInput): ReferenceForward {
  const predictions = decode(h, input);
  return {
    embeddings: { user: h.user.data, item: h.item.data },
    predictions,
    loss: loss(predictions, h, input),
    attention: layers.map((l) => ({ rates: l.gat.rates.alpha, revRates: l.gat.revRates.alpha })),
  };
}

function decode(h: Record<NodeType, Mat>, input: ReferenceInput): Float64Array {
  const C = h.user.cols;
  return Float64Array.from({ length: input.labels.length }, (_, l) => {
    const u = input.labelUser[l] * C;
    const i = input.labelItem[l] * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += h.user.data[u + c] * h.item.data[i + c];
    return s;
  });
}

function loss(predictions: Float64Array, h: Record<NodeType, Mat>, input: ReferenceInput): number {
  const objective = input.objective ?? MSE;
  const value = objectiveLoss(objective, predictions, input.labels).loss;
  if (objective.kind !== 'bpr' || objective.bprReg === 0) return value;
  const scratch = { user: new Float64Array(h.user.data.length), item: new Float64Array(h.item.data.length) };
  return value + regularize(objective.bprReg, h, input, scratch);
}

/** BPR's regulariser over the pairs' users and items (each once); adds its gradient into `grad`. */
function regularize(lambda: number, h: Record<NodeType, Mat>, input: ReferenceInput, grad: Record<NodeType, Float64Array>): number {
  const pairs = bprPairs(input.labels.length);
  const C = h.user.cols;
  const users = new Set(Array.from(input.labelUser));
  const items = new Set(Array.from(input.labelItem));
  return bprRegularizer(lambda, pairs, h.user.data, C, users, grad.user) + bprRegularizer(lambda, pairs, h.item.data, C, items, grad.item);
}

// ---- checks: a wrong size here would otherwise read past an array as undefined → NaN ----

function param(params: NamedParams, name: string, size: number): Float64Array {
  const p = params[name];
  if (!p) throw new Error(`reference model: missing parameter ${name}`);
  if (p.length !== size) throw new Error(`reference model: ${name} has ${p.length} values, expected ${size}`);
  return p;
}

function gatParams(params: NamedParams, prefix: string, shape: ModelShape, fSrc: number, fDst: number): GatParams {
  const HC = shape.heads * shape.hidden;
  return {
    attSrc: param(params, `${prefix}.att_src`, HC),
    attDst: param(params, `${prefix}.att_dst`, HC),
    bias: param(params, `${prefix}.bias`, shape.hidden),
    linSrc: param(params, `${prefix}.lin_src.weight`, HC * fSrc),
    linDst: param(params, `${prefix}.lin_dst.weight`, HC * fDst),
  };
}

function checkInput(shape: ModelShape, g: ReferenceInput): void {
  const fail = (what: string) => {
    throw new RangeError(`reference model: ${what}`);
  };
  if (g.xUser.length !== g.numUsers * shape.userDim) fail(`xUser has ${g.xUser.length} values, expected ${g.numUsers} × ${shape.userDim}`);
  if (g.xItem.length !== g.numItems * shape.itemDim) fail(`xItem has ${g.xItem.length} values, expected ${g.numItems} × ${shape.itemDim}`);
  const inRange = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  for (const [u, i] of g.rates) if (!inRange(u, g.numUsers) || !inRange(i, g.numItems)) fail(`rates edge [${u}, ${i}] out of range`);
  for (const [i, u] of g.revRates) if (!inRange(i, g.numItems) || !inRange(u, g.numUsers)) fail(`revRates edge [${i}, ${u}] out of range`);
  const n = g.labels.length;
  if (g.labelUser.length !== n || g.labelItem.length !== n) fail('labelUser, labelItem and labels differ in length');
  for (let l = 0; l < n; l++) {
    if (!inRange(g.labelUser[l], g.numUsers) || !inRange(g.labelItem[l], g.numItems)) fail(`label pair ${l} out of range`);
  }
}
