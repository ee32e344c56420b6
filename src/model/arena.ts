// The arena: every activation and gradient of a workspace in one storage buffer, at offsets the
// model uniform gives the kernels (docs/ENGINE.md). One layout serves the workspaces
// (src/model/gpuModel.ts) and the check that a dataset fits the GPU (src/graph/gpuSize.ts).
// Plain arithmetic: no GPU needed.
import { scratchSizes } from '../gpu/kernelSizes';
import { MAX_SEGMENTS } from '../gpu/layout';
import type { OneHotTypes } from './inputs';
import type { ModelShape } from './params';

/** Epochs whose Recall@K slots one evaluator holds: the most epochs in one training chunk. */
export const EVAL_SLOTS = 64;
/** Items per segment of the evaluation's top-K scan (shaders/eval.wgsl). */
const SEGMENT_ITEMS = 256;

export interface Capacity {
  nodes: number;
  edges: number;
  labels: number;
  /** The most users, and items, of one graph it holds (`nodes` bounds each where not given): they size the parameter gradients' partials. */
  users?: number;
  items?: number;
  /** Length of a packed graph (src/gpu/graphBuffer.ts). */
  words: number;
  /** Loss slots (one per step of a chunk). */
  lossSlots: number;
  /** Recall@K slots (one per evaluation of a chunk). */
  recallSlots?: number;
  /** Floats of the evaluation's per-segment top-K lists (topKPartialFloats). */
  topkPartial?: number;
}

/** Offsets (in floats) of a layer's arrays in the arena. */
export interface LayerArrays {
  x: number;
  y: number;
  scores: number;
  alpha: number;
  out: number;
  gPre: number;
  gPrev: number;
}

export interface ArenaLayout {
  layers: LayerArrays[];
  dY: number;
  ds: number;
  dScores: number;
  pred: number;
  /** dLoss/dpred per label. */
  dPred: number;
  loss: number;
  recall: number;
  partial: number;
  /** Scratch of the two-stage sums (src/gpu/kernelSizes.ts scratchSizes). */
  segSum: number;
  segPart: number;
  lossPart: number;
  gradPart: number;
  size: number;
}

/** `oneHot`: layer 1's gradient of a one-hot type's W needs no partial sums (src/gpu/kernelSizes.ts blockGradItems). */
export function arenaLayout(shape: ModelShape, cap: Capacity, oneHot: OneHotTypes): ArenaLayout {
  const { heads: H, hidden: C } = shape;
  const R = 2 * H * C + C;
  const N = cap.nodes;
  const E = cap.edges;
  let at = 0;
  const take = (n: number) => {
    const start = at;
    at += Math.max(1, n);
    return start;
  };
  const arrays = Array.from({ length: shape.layers }, () => ({ y: take(N * R), scores: take(N * 2 * H), alpha: take(E * H), out: take(N * C) }));
  // Pre-activation gradients alternate between two arrays: layer l reads one and writes the other.
  const gPre = [take(N * C), take(N * C)];
  const last = shape.layers - 1;
  const layers = arrays.map((a, l) => ({
    ...a,
    x: l === 0 ? 0 : arrays[l - 1].out,
    gPre: gPre[(last - l) % 2],
    gPrev: gPre[(last - l + 1) % 2],
  }));
  const dY = take(N * R);
  const ds = take(E * H);
  const dScores = take(N * 2 * H);
  const pred = take(cap.labels);
  const dPred = take(cap.labels);
  const loss = take(cap.lossSlots);
  const recall = take(cap.recallSlots ?? 0);
  const partial = take(cap.topkPartial ?? 0);
  const scratch = scratchSizes(shape, cap, oneHot);
  const segSum = take(scratch.segSum);
  const segPart = take(scratch.segPart);
  const lossPart = take(scratch.lossPart);
  const gradPart = take(scratch.gradPart);
  return { layers, dY, ds, dScores, pred, dPred, loss, recall, partial, segSum, segPart, lossPart, gradPart, size: at };
}

/** Segments the evaluation's top-K scan cuts the items into: one invocation per (user, segment), then a merge per user. */
export function topKSegments(numItems: number): number {
  return Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(numItems / SEGMENT_ITEMS)));
}

/** Floats of the per-(user, segment) top-K lists: each a length, K scores, K item indices (shaders/eval.wgsl partialAt). */
export function topKPartialFloats(users: number, segments: number, k: number): number {
  return users * segments * (1 + 2 * k);
}
