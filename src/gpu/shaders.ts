// The WGSL programs, each one module made of the files in shaders/ in dependency order (WGSL has
// no includes), headed by the constants and structs generated from src/gpu/layout.ts. Every entry
// point of a program is compiled from its one module.
import prelude from '../../shaders/prelude.wgsl?raw';
import forward from '../../shaders/forward.wgsl?raw';
import loss from '../../shaders/loss.wgsl?raw';
import backward from '../../shaders/backward.wgsl?raw';
import adam from '../../shaders/adam.wgsl?raw';
import topk from '../../shaders/topk.wgsl?raw';
import evaluation from '../../shaders/eval.wgsl?raw';
import fused from '../../shaders/fused.wgsl?raw';
import keep from '../../shaders/keep.wgsl?raw';
import knnMips from '../../shaders/knn_mips.wgsl?raw';
import itemKnn from '../../shaders/item_knn.wgsl?raw';
import dispatch from '../../shaders/dispatch.wgsl?raw';
import { ITEM_KNN_PARAMS_FIELDS, KEEP_FIELDS, KNN_PARAMS_FIELDS, LAYER_FIELDS, MODEL_FIELDS, WHICH_FIELDS } from './layout';
import { preamble, wgslEvalIndices, wgslHeaderIndices, wgslLimits, wgslLossKinds, wgslStruct } from './preamble';

/** What heads the training and evaluation program: the limits, the two headers, the uniforms' structs. */
export const PREAMBLE = preamble([
  wgslLimits(),
  wgslHeaderIndices(),
  wgslEvalIndices(),
  wgslLossKinds(),
  wgslStruct('Layer', LAYER_FIELDS),
  wgslStruct('Model', MODEL_FIELDS, ['layers: array<Layer, MAX_LAYERS>']),
  wgslStruct('Which', WHICH_FIELDS),
  wgslStruct('Keep', KEEP_FIELDS),
]);

export const PROGRAM = [PREAMBLE, prelude, forward, loss, backward, adam, topk, evaluation, fused, keep].join('\n');

/** What heads KNN-MIPS's program. */
export const KNN_PREAMBLE = preamble([wgslLimits(), wgslStruct('KnnParams', KNN_PARAMS_FIELDS)]);

/** KNN-MIPS (src/search/knnMips.ts): a module of its own, with its own bindings. */
export const KNN_PROGRAM = [KNN_PREAMBLE, dispatch, topk, knnMips].join('\n');

/** What heads item-kNN's program. */
export const ITEM_KNN_PREAMBLE = preamble([wgslLimits(), wgslStruct('ItemKnnParams', ITEM_KNN_PARAMS_FIELDS)]);

/** Item-kNN (src/search/itemKnn.ts): a module of its own, with its own bindings. */
export const ITEM_KNN_PROGRAM = [ITEM_KNN_PREAMBLE, dispatch, topk, itemKnn].join('\n');

/** Entry points that read only bind group 0 (the model, a graph and a workspace). */
export const TRAIN_ENTRIES = [
  'project',
  'attention_scores',
  'edge_softmax',
  'edge_softmax_merge',
  'edge_softmax_crossing',
  'aggregate_pieces',
  'aggregate',
  'decode_loss',
  'loss_total',
  'decode_backward_pieces',
  'decode_backward',
  'softmax_backward',
  'softmax_backward_dot_nodes',
  'softmax_backward_bend_pieces',
  'softmax_backward_bend_nodes',
  'aggregate_backward_pieces',
  'aggregate_backward',
  'param_grad_partials',
  'param_grads',
  'onehot_grad_zero',
  'onehot_grad_scatter',
  'input_backward',
  'adam_step',
  'train_steps',
] as const;

/** Entry points that also read bind group 1 (what evaluation excludes and looks for). */
export const EVAL_ENTRIES = ['top_k_segments', 'top_k_merge', 'recall_partials', 'recall_total', 'evaluate'] as const;

/** Entry points of model selection: bind group 1 holds its state, the kept weights and the epochs. */
export const KEEP_ENTRIES = ['keep_copy', 'keep_update'] as const;

export type KernelName = (typeof TRAIN_ENTRIES)[number] | (typeof EVAL_ENTRIES)[number] | (typeof KEEP_ENTRIES)[number];
