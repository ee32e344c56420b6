// The model on the GPU. ModelOnGpu holds the parameters and Adam's state; a Workspace holds every
// activation of graphs up to a capacity in one arena buffer, the uniform that says where each
// layer's arrays are, and the bind groups, all built once and reused every step.
//
// Two ways to run a training step (shaders/prelude.wgsl): per op, 52 dispatches for three layers
// (per layer forward 7: projections, scores, 3 for the softmax, 2 for the aggregation; 4 for the
// decoder: the loss's partials and later stages (none up to LOSS_CHUNK labels: one fewer) and its
// backward's two; per layer backward 4 for the softmax, 2
// for dY, 2 for the parameter gradients and 1 for the input's gradient, less that last one for
// the first layer, which has 2 more with one-hot users or items (its W gradient's columns: 54 in all);
// 1 for Adam), which large graphs need to spread over the GPU; or fused, a whole
// chunk of steps in one single-workgroup dispatch, which small graphs need because a dispatch
// costs more than their work (src/train/fuseDecision.ts measures which).
import { bindGroup, dispatch, dispatchOne, type Kernels } from '../gpu/kernels';
import { blockGradItems, blockGradPartItems, KERNEL_SIZES } from '../gpu/kernelSizes';
import { readFloats, storageBuffer, uniformWith } from '../gpu/buffers';
import type { GraphCounts } from '../gpu/graphBuffer';
import { HEADER_WORDS, LAYER_FIELDS, LAYER_WORDS, LOSS_KINDS, MAX_LAYERS, MODEL_FIELDS, MODEL_WORDS, MSE, type Objective, packRecord, record, tiles, WHICH_FIELDS } from '../gpu/layout';
import { arenaLayout, type ArenaLayout, type Capacity } from './arena';
import type { KernelName } from '../gpu/shaders';
import { type InputLayout, oneHotBits } from './inputs';
import { blockOf, flatLayout, type ModelShape, type NodeType } from './params';

export type { Capacity };

export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Adam's bias-corrected step size and sqrt(1 − β2^t) at step t (1-based), in float64 as PyTorch computes them. */
export function adamFactors(lr: number, t: number): { stepSize: number; bias2Sqrt: number } {
  return { stepSize: lr / (1 - ADAM_DEFAULTS.beta1 ** t), bias2Sqrt: Math.sqrt(1 - ADAM_DEFAULTS.beta2 ** t) };
}

/** The per-op kernels of a layer. */
export type LayerOp = 'project' | 'attention_scores' | 'edge_softmax' | 'aggregate' | 'softmax_backward' | 'aggregate_backward' | 'param_grads' | 'input_backward';

/** Parameters, and Adam's gradients and moments (one buffer: grads | m | v). */
export class ModelOnGpu {
  readonly size: number;
  readonly params: GPUBuffer;
  readonly opt: GPUBuffer;
  /** Parameters in each layer's two blocks, and where they start. */
  readonly layerSizes: number[];
  readonly layerStarts: number[];
  /** Entries of param_grads per layer and node type, [user, item] (shaders/prelude.wgsl gradItems). */
  readonly blockGradItems: [number, number][];

  constructor(
    readonly device: GPUDevice,
    readonly kernels: Kernels,
    readonly shape: ModelShape,
    initial: Float32Array,
    /** How layer 1 reads the features buffer that workspaces bind (src/model/inputs.ts). */
    readonly inputs: InputLayout,
  ) {
    if (shape.layers > MAX_LAYERS) throw new RangeError(`at most ${MAX_LAYERS} layers, got ${shape.layers}`);
    const layout = flatLayout(shape);
    this.size = layout.size;
    if (initial.length !== this.size) throw new Error(`ModelOnGpu: ${initial.length} parameters given, the shape needs ${this.size}`);
    this.params = storageBuffer(device, 'params', this.size * 4);
    this.opt = storageBuffer(device, 'adam', this.size * 3 * 4);
    this.layerStarts = Array.from({ length: shape.layers }, (_, l) => blockOf(layout, l + 1, 'user').w);
    this.layerSizes = this.layerStarts.map((s, l) => blockOf(layout, l + 1, 'item').end - s);
    this.blockGradItems = this.layerStarts.map((_, l) => [blockGradItems(shape, l + 1, 'user', inputs.oneHot), blockGradItems(shape, l + 1, 'item', inputs.oneHot)]);
    this.setParams(initial);
  }

  /** Replaces the parameters and clears Adam's state (a fresh start from these weights). */
  setParams(flat: Float32Array): void {
    this.writeParams(flat);
    this.device.queue.writeBuffer(this.opt, 0, new Float32Array(this.size * 3));
  }

  /** Replaces the parameters only, Adam's state left as it is (forward passes with other weights). */
  writeParams(flat: Float32Array): void {
    if (flat.length !== this.size) throw new Error(`writeParams: ${flat.length} parameters given, the model has ${this.size}`);
    this.device.queue.writeBuffer(this.params, 0, flat.buffer, flat.byteOffset, flat.byteLength);
  }

  readParams(): Promise<Float32Array> {
    return readFloats(this.device, this.params, this.size);
  }

  /** The gradients of the last backward pass. */
  readGrads(): Promise<Float32Array> {
    return readFloats(this.device, this.opt, this.size);
  }

  encodeAdam(pass: GPUComputePassEncoder, ws: Workspace): void {
    // A tile of 4 parameters an invocation (shaders/adam.wgsl).
    dispatch(pass, this.kernels.pipelines.adam_step, [ws.layerGroups[0]], tiles(this.size));
  }

  destroy(): void {
    this.params.destroy();
    this.opt.destroy();
  }
}

/** Activations for graphs up to a capacity, and the bind groups that run the model on them. */
export class Workspace {
  /** The packed graph of the current step (per-op path). */
  readonly graph: GPUBuffer;
  readonly arena: GPUBuffer;
  readonly layout: ArenaLayout;
  readonly modelUniform: GPUBuffer;
  /** A `Which` record that the fused and evaluation dispatches read; copied into per dispatch. */
  readonly control: GPUBuffer;
  /** Per layer: bind group 0 for the per-op kernels of that layer. */
  readonly layerGroups: GPUBindGroup[];
  /** Bind group 0 with `control` as its Which. */
  readonly controlGroup: GPUBindGroup;
  private readonly buffers: GPUBuffer[];
  private fused: { pool: GPUBuffer; group: GPUBindGroup } | null = null;

  constructor(
    readonly model: ModelOnGpu,
    /** Layer 1's input, laid out as model.inputs says. */
    readonly features: GPUBuffer,
    readonly capacity: Capacity,
    /** What the loss kernels compute (the evaluator's and forward-only workspaces keep the seed's). */
    readonly objective: Objective = MSE,
  ) {
    const { device, shape } = model;
    const { heads: H, hidden: C } = shape;
    this.layout = arenaLayout(shape, capacity, model.inputs.oneHot);
    this.graph = storageBuffer(device, 'graph', Math.max(capacity.words, HEADER_WORDS) * 4);
    this.arena = storageBuffer(device, 'arena', this.layout.size * 4);

    // The model uniform (src/gpu/layout.ts MODEL_FIELDS): a Layer record per layer, then the rest.
    const words = new ArrayBuffer(MODEL_WORDS * 4);
    const flat = flatLayout(shape);
    const inputs = model.inputs;
    this.layout.layers.forEach((a, l) => {
      const first = l === 0;
      const layer = {
        heads: H,
        channels: C,
        rows: 2 * H * C + C,
        indirect: first ? 1 : 0,
        // Layer 1 reads rows of each type's own width (xUser, xItem), not of one stride.
        xStride: first ? 0 : C,
        fUser: first ? shape.userDim : C,
        fItem: first ? shape.itemDim : C,
        blockUser: blockOf(flat, l + 1, 'user').w,
        blockItem: blockOf(flat, l + 1, 'item').w,
        oneHot: first ? oneHotBits(inputs.oneHot) : 0,
        datasetUsers: inputs.datasetUsers,
        xUser: inputs.xUser,
        xItem: inputs.xItem,
        ...a,
      };
      packRecord(LAYER_FIELDS, layer, words, l * LAYER_WORDS);
    });
    const o = this.layout;
    const rest = {
      numLayers: shape.layers, paramCount: model.size, dY: o.dY, ds: o.ds, dScores: o.dScores, pred: o.pred, loss: o.loss, recall: o.recall,
      partial: o.partial, segSum: o.segSum, segPart: o.segPart, lossPart: o.lossPart, gradPart: o.gradPart, ...ADAM_DEFAULTS,
      lossKind: LOSS_KINDS.indexOf(objective.kind), bprReg: objective.bprReg, dPred: o.dPred, pad: 0,
    };
    packRecord(MODEL_FIELDS, rest, words, MAX_LAYERS * LAYER_WORDS);
    this.modelUniform = uniformWith(device, 'model', new Uint32Array(words));
    const whichFor = (l: number) => uniformWith(device, `which${l}`, record(WHICH_FIELDS, { layer: l, gbase: 0, schedule: 0, slot: 0 }));
    const layerWhich = Array.from({ length: shape.layers }, (_, l) => whichFor(l));
    this.control = uniformWith(device, 'control', record(WHICH_FIELDS, { layer: 0, gbase: 0, schedule: 0, slot: 0 }));
    const group = (graph: GPUBuffer, which: GPUBuffer, label: string) =>
      bindGroup(device, model.kernels.modelLayout, label, [graph, this.modelUniform, which, features, model.params, model.opt, this.arena]);
    this.layerGroups = layerWhich.map((w, l) => group(this.graph, w, `layer${l + 1}`));
    this.controlGroup = group(this.graph, this.control, 'control');
    this.buffers = [this.graph, this.arena, this.modelUniform, this.control, ...layerWhich];
  }

  /** Bind group 0 over a chunk's upload, for the fused kernel (cached while the upload is the same buffer). */
  fusedGroup(pool: GPUBuffer): GPUBindGroup {
    if (this.fused?.pool !== pool) {
      const group = bindGroup(this.model.device, this.model.kernels.modelLayout, 'fused', [
        pool, this.modelUniform, this.control, this.features, this.model.params, this.model.opt, this.arena,
      ]);
      this.fused = { pool, group };
    }
    return this.fused.group;
  }

  fits(need: Capacity): boolean {
    const cap = this.capacity;
    return (
      need.nodes <= cap.nodes && need.edges <= cap.edges && need.labels <= cap.labels && need.words <= cap.words &&
      (need.users ?? need.nodes) <= (cap.users ?? cap.nodes) && (need.items ?? need.nodes) <= (cap.items ?? cap.nodes) &&
      need.lossSlots <= cap.lossSlots && (need.recallSlots ?? 0) <= (cap.recallSlots ?? 0) &&
      (need.topkPartial ?? 0) <= (cap.topkPartial ?? 0)
    );
  }

  /**
   * Dispatches one op of layer l over a graph: as many invocations as the op's items
   * (shaders/prelude.wgsl *Items: dense ops work in tiles of 4 outputs). Ops that sum over a
   * node's edges or pairs, or over a node type, are two-stage (docs/ENGINE.md): several dispatches.
   */
  dispatchOp(pass: GPUComputePassEncoder, op: LayerOp | 'decode_backward', l: number, c: GraphCounts): void {
    const { heads: H, hidden: C } = this.model.shape;
    const R = 2 * H * C + C;
    const N = c.nodes;
    const { segment, gradChunk } = KERNEL_SIZES;
    const run = (name: KernelName, items: number) => dispatch(pass, this.model.kernels.pipelines[name], [this.layerGroups[l]], items);
    const pieces = Math.ceil(c.edges / segment);
    switch (op) {
      case 'edge_softmax':
        run('edge_softmax', pieces * H);
        run('edge_softmax_merge', N * H);
        run('edge_softmax_crossing', pieces * H);
        return;
      case 'decode_backward':
        run('decode_backward_pieces', Math.ceil((2 * c.labels) / segment) * tiles(C));
        run('decode_backward', N * tiles(C));
        return;
      case 'aggregate':
        run('aggregate_pieces', pieces * tiles(C));
        run('aggregate', N * tiles(C));
        return;
      case 'softmax_backward': {
        run('softmax_backward', pieces * H);
        run('softmax_backward_dot_nodes', N * H);
        run('softmax_backward_bend_pieces', pieces * H);
        run('softmax_backward_bend_nodes', N * H);
        return;
      }
      case 'aggregate_backward':
        run('aggregate_backward_pieces', pieces * H * tiles(C));
        run('aggregate_backward', N * (2 * H + 1) * tiles(C));
        return;
      case 'param_grads': {
        // A type of one chunk (none counts as one) has its gradient written by stage 1 (shaders/prelude.wgsl gradTotalItems).
        const chunks = (n: number) => Math.max(1, Math.ceil(n / gradChunk));
        const totals = (items: number, n: number) => (chunks(n) > 1 ? items : 0);
        const [user, item] = this.model.blockGradItems[l];
        const shape = this.model.shape;
        const oneHot = this.model.inputs.oneHot;
        const parts = (t: NodeType) => blockGradPartItems(shape, l + 1, t, oneHot);
        run('param_grad_partials', parts('user') * chunks(c.users) + parts('item') * chunks(N - c.users));
        run('param_grads', totals(user, c.users) + totals(item, N - c.users));
        if (l === 0 && (oneHot.user || oneHot.item)) {
          // Every column first, as the nodes outside a batch get a zero gradient; then each node's own.
          const zero = (t: NodeType, dim: number) => (oneHot[t] ? tiles(R * dim) : 0);
          run('onehot_grad_zero', zero('user', shape.userDim) + zero('item', shape.itemDim));
          run('onehot_grad_scatter', ((oneHot.user ? c.users : 0) + (oneHot.item ? N - c.users : 0)) * tiles(R));
        }
        return;
      }
    }
    // The dense products take tiles of 4 nodes of one type (shaders/prelude.wgsl nodeTiles).
    const nodeTiles = tiles(c.users) + tiles(N - c.users);
    const items = {
      project: nodeTiles * tiles(R),
      attention_scores: N * H,
      input_backward: nodeTiles * tiles(C),
    }[op];
    run(op, items);
  }

  encodeForward(pass: GPUComputePassEncoder, c: GraphCounts): void {
    for (let l = 0; l < this.layerGroups.length; l++) {
      for (const op of ['project', 'attention_scores', 'edge_softmax', 'aggregate'] as const) this.dispatchOp(pass, op, l, c);
    }
  }

  /** Predictions and the loss of the step's supervision pairs (into loss slot `lossSlot` of the header). */
  encodeLoss(pass: GPUComputePassEncoder, c: GraphCounts): void {
    const { pipelines } = this.model.kernels;
    const chunks = Math.ceil(c.labels / KERNEL_SIZES.lossChunk);
    dispatch(pass, pipelines.decode_loss, [this.layerGroups[0]], chunks);
    // One chunk's partial is the loss (shaders/loss.wgsl): no later stage.
    if (chunks !== 1) dispatchOne(pass, pipelines.loss_total, [this.layerGroups[0]]);
  }

  /** Gradients of every parameter (overwritten, not accumulated). */
  encodeBackward(pass: GPUComputePassEncoder, c: GraphCounts): void {
    this.dispatchOp(pass, 'decode_backward', this.layerGroups.length - 1, c);
    for (let l = this.layerGroups.length - 1; l >= 0; l--) {
      for (const op of ['softmax_backward', 'aggregate_backward', 'param_grads'] as const) this.dispatchOp(pass, op, l, c);
      if (l > 0) this.dispatchOp(pass, 'input_backward', l, c);
    }
  }

  /** One optimizer step, per op, on the graph now in `graph`: forward, loss, backward, Adam. */
  encodeTrainStep(pass: GPUComputePassEncoder, c: GraphCounts): void {
    this.encodeForward(pass, c);
    this.encodeLoss(pass, c);
    this.encodeBackward(pass, c);
    this.model.encodeAdam(pass, this);
  }

  /**
   * A chunk of fused steps: `control` must hold a Which whose `schedule` points, in `pool`, at
   * the step count and each step's graph offset. `pipeline`: one of kernels.fusedSteps.
   */
  encodeFusedSteps(pass: GPUComputePassEncoder, pool: GPUBuffer, pipeline = this.model.kernels.pipelines.train_steps): void {
    dispatchOne(pass, pipeline, [this.fusedGroup(pool)]);
  }

  private read(offset: number, count: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.arena, count, offset);
  }

  /** Encoder output of the first `nodes` nodes (node-major, `hidden` columns). */
  readEmbeddings(nodes: number): Promise<Float32Array> {
    return this.read(this.layout.layers[this.layout.layers.length - 1].out, nodes * this.model.shape.hidden);
  }

  /** The decoder's predictions of the last loss pass. */
  readPredictions(labels: number): Promise<Float32Array> {
    return this.read(this.layout.pred, labels);
  }

  /** Loss slots 0..count-1. */
  readLosses(count: number): Promise<Float32Array> {
    return this.read(this.layout.loss, count);
  }

  /** Recall@K slots 0..count-1. */
  readRecall(count: number, from = 0): Promise<Float32Array> {
    return this.read(this.layout.recall + from, count);
  }

  /** Attention of layer l (0-based) of the last forward pass: edges × heads, CSR slot order. */
  readAttention(l: number, edges: number): Promise<Float32Array> {
    return this.read(this.layout.layers[l].alpha, edges * this.model.shape.heads);
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
