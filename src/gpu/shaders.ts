// The WGSL sources. Each file in shaders/ holds one op family; the prelude (graph buffer and layer
// uniform accessors) is prepended to each, since WGSL has no includes.
import prelude from '../../shaders/prelude.wgsl?raw';
import linear from '../../shaders/linear.wgsl?raw';
import linearBackward from '../../shaders/linear_backward.wgsl?raw';
import paramGrads from '../../shaders/param_grads.wgsl?raw';
import attention from '../../shaders/attention.wgsl?raw';
import attentionBackward from '../../shaders/attention_backward.wgsl?raw';
import aggregate from '../../shaders/aggregate.wgsl?raw';
import aggregateBackward from '../../shaders/aggregate_backward.wgsl?raw';
import decoder from '../../shaders/decoder.wgsl?raw';
import decoderBackward from '../../shaders/decoder_backward.wgsl?raw';
import adam from '../../shaders/adam.wgsl?raw';
import topk from '../../shaders/topk.wgsl?raw';

/** Entry point → its module's source. */
export const KERNEL_SOURCES = {
  project: linear,
  input_backward: linearBackward,
  param_grads: paramGrads,
  attention_scores: attention,
  edge_softmax: attention,
  softmax_backward: attentionBackward,
  aggregate,
  aggregate_backward: aggregateBackward,
  decode_loss: decoder,
  decode_backward: decoderBackward,
  adam_step: adam,
  top_k: topk,
  recall_at_k: topk,
} as const;

export type KernelName = keyof typeof KERNEL_SOURCES;

export function kernelSource(name: KernelName): string {
  return `${prelude}\n${KERNEL_SOURCES[name]}`;
}
