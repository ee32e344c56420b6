// The WGSL program: one module made of the files in shaders/, in dependency order (WGSL has no
// includes). Every entry point is compiled from this one module.
import prelude from '../../shaders/prelude.wgsl?raw';
import forward from '../../shaders/forward.wgsl?raw';
import loss from '../../shaders/loss.wgsl?raw';
import backward from '../../shaders/backward.wgsl?raw';
import adam from '../../shaders/adam.wgsl?raw';
import evaluation from '../../shaders/eval.wgsl?raw';
import fused from '../../shaders/fused.wgsl?raw';

export const PROGRAM = [prelude, forward, loss, backward, adam, evaluation, fused].join('\n');

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
  'input_backward',
  'adam_step',
  'train_steps',
] as const;

/** Entry points that also read bind group 1 (what evaluation excludes and looks for). */
export const EVAL_ENTRIES = ['top_k_segments', 'top_k_merge', 'recall_at_k', 'evaluate'] as const;

export type KernelName = (typeof TRAIN_ENTRIES)[number] | (typeof EVAL_ENTRIES)[number];
