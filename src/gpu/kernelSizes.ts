// The program's pipeline-overridable sizes (shaders/prelude.wgsl), defined here only, and the
// scratch that the two-stage sums need for them. Pure: src/graph/gpuSize.ts sizes the arena from
// it without loading the shaders.
import type { OneHotTypes } from '../model/inputs';
import { inputDim, NODE_TYPES, type ModelShape, type NodeType } from '../model/params';
import { tiles } from './layout';

/**
 * The per-op workgroup width, and the pieces of the two-stage sums: edges of a destination's
 * segment, labels of a partial loss (and sums a later loss stage adds), nodes of a partial
 * parameter gradient, users of a partial Recall@K (and pairs of sums a later recall stage adds).
 * The host sizes dispatches and scratch with them.
 */
export const KERNEL_SIZES = { workgroup: 64, segment: 32, lossChunk: 256, gradChunk: 256, recallChunk: 64 } as const;


/**
 * Entries of param_grads for one (layer, node type) block (shaders/prelude.wgsl gradItems). For a
 * one-hot type, layer 1's W is no sum over nodes (each column is one node's dY row, which
 * onehot_grad_scatter writes): only the block's vectors are summed.
 */
export function blockGradItems(shape: ModelShape, layer: number, t: NodeType, oneHot: OneHotTypes): number {
  const { heads: H, hidden: C } = shape;
  const w = layer === 1 && oneHot[t] ? 0 : (2 * H * C + C) * tiles(inputDim(shape, layer, t));
  return w + 2 * C + 2 * H * C;
}

/**
 * Invocations of param_grad_partials per chunk of a block's nodes (shaders/prelude.wgsl
 * partItems): W's entries in tiles of 4 rows × 4 columns, the vector entries in tiles of 4
 * channels (the biases' one sum, att_src's and att_dst's per head).
 */
export function blockGradPartItems(shape: ModelShape, layer: number, t: NodeType, oneHot: OneHotTypes): number {
  const { heads: H, hidden: C } = shape;
  const w = layer === 1 && oneHot[t] ? 0 : tiles(2 * H * C + C) * tiles(inputDim(shape, layer, t));
  return w + (2 * H + 1) * tiles(C);
}

/**
 * Floats the loss's sums take (shaders/loss.wgsl lossStages): a partial per chunk of labels, then
 * each stage's sums but the last, which is the loss.
 */
export function lossScratch(labels: number): number {
  const { lossChunk } = KERNEL_SIZES;
  let total = 0;
  for (let n = Math.ceil(labels / lossChunk); n > 1; n = Math.ceil(n / lossChunk)) total += n;
  return total;
}

/**
 * Floats of the two-stage sums' scratch for graphs up to these counts: per (node, head) sums,
 * per piece the largest of the pieces' partials (dY's: two of 8 per head and tile of 4 channels;
 * over the label incidence lists, 2 slots per label: two of 4 per tile), the loss's partials and stages (lossScratch), and the partial
 * parameter gradients of the layer that needs most (4 per entry and chunk of its type's nodes:
 * sized per block, so a wide first-layer user block counts the users' few chunks, not the items').
 * `users` and `items` bound one graph's of each type (`nodes` where not given).
 */
export function scratchSizes(shape: ModelShape, c: { nodes: number; edges: number; labels: number; users?: number; items?: number }, oneHot: OneHotTypes) {
  const { segment, gradChunk } = KERNEL_SIZES;
  const H = shape.heads;
  const chunks = (n: number | undefined) => Math.ceil(Math.min(n ?? c.nodes, c.nodes) / gradChunk);
  const typeChunks = { user: chunks(c.users), item: chunks(c.items) };
  let gradPart = 0;
  for (let l = 1; l <= shape.layers; l++) gradPart = Math.max(gradPart, 4 * NODE_TYPES.reduce((a, t) => a + blockGradItems(shape, l, t, oneHot) * typeChunks[t], 0));
  return {
    segSum: c.nodes * H,
    segPart: Math.max(Math.ceil(c.edges / segment) * H * 16, Math.ceil((2 * c.labels) / segment) * 8) * tiles(shape.hidden),
    lossPart: lossScratch(c.labels),
    gradPart,
  };
}
