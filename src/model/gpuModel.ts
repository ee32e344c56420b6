// The model on the GPU: parameters and Adam's state in flat buffers, the per-layer uniforms, and
// a Workspace of activations for one graph capacity with every bind group built once. A training
// step is 26 dispatches for three layers (4 per layer forward, 2 for the decoder and loss, 4 per
// layer backward less one, 1 for Adam), all in one compute pass.
import { bindGroup, dispatch, dispatchOne, type Kernels } from '../gpu/kernels';
import { readFloats, storageBuffer, uniformWith } from '../gpu/buffers';
import { HEADER_WORDS, type GraphCounts } from '../gpu/graphBuffer';
import { blockOf, flatLayout, type ModelShape } from './params';

export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Parameters, gradients and Adam's moments: four buffers in the flat layout of params.ts. */
export class ModelOnGpu {
  readonly size: number;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  /** One uniform per layer (shaders/prelude.wgsl `Layer`). */
  readonly layerUniforms: GPUBuffer[];
  readonly adamUniform: GPUBuffer;
  /** Parameters in each layer's two blocks: what param_grads dispatches over. */
  readonly layerSizes: number[];

  constructor(
    readonly device: GPUDevice,
    readonly kernels: Kernels,
    readonly shape: ModelShape,
    initial: Float32Array,
  ) {
    const layout = flatLayout(shape);
    this.size = layout.size;
    if (initial.length !== this.size) throw new Error(`ModelOnGpu: ${initial.length} parameters given, the shape needs ${this.size}`);
    const bytes = this.size * 4;
    this.params = storageBuffer(device, 'params', bytes);
    this.grads = storageBuffer(device, 'grads', bytes);
    this.m = storageBuffer(device, 'adam.m', bytes);
    this.v = storageBuffer(device, 'adam.v', bytes);
    this.setParams(initial);
    const blocks = Array.from({ length: shape.layers }, (_, l) => ({
      user: blockOf(layout, l + 1, 'user'),
      item: blockOf(layout, l + 1, 'item'),
    }));
    this.layerSizes = blocks.map((b) => b.item.end - b.user.w);
    const { heads: H, hidden: C } = shape;
    const featureStride = Math.max(shape.userDim, shape.itemDim);
    this.layerUniforms = blocks.map((b, l) =>
      uniformWith(
        device,
        `layer${l + 1}`,
        new Uint32Array([
          H,
          C,
          2 * H * C + C,
          l === 0 ? 1 : 0,
          l === 0 ? featureStride : C,
          l === 0 ? shape.userDim : C,
          l === 0 ? shape.itemDim : C,
          b.user.w,
          b.item.w,
        ]),
      ),
    );
    const adam = new ArrayBuffer(16);
    new Float32Array(adam, 0, 3).set([ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.eps]);
    new Uint32Array(adam, 12, 1)[0] = this.size;
    this.adamUniform = uniformWith(device, 'adam', new Uint32Array(adam));
  }

  /** Replaces the parameters and clears Adam's moments (a fresh start from these weights). */
  setParams(flat: Float32Array): void {
    const q = this.device.queue;
    q.writeBuffer(this.params, 0, flat.buffer, flat.byteOffset, flat.byteLength);
    const zeros = new Float32Array(this.size);
    q.writeBuffer(this.m, 0, zeros);
    q.writeBuffer(this.v, 0, zeros);
    q.writeBuffer(this.grads, 0, zeros);
  }


  readParams(): Promise<Float32Array> {
    return readFloats(this.device, this.params, this.size);
  }

  /** The gradients of the last backward pass. */
  readGrads(): Promise<Float32Array> {
    return readFloats(this.device, this.grads, this.size);
  }

  encodeAdam(pass: GPUComputePassEncoder, ws: Workspace): void {
    dispatch(pass, this.kernels.adam_step, ws.groups.adam, this.size);
  }

  destroy(): void {
    for (const b of [this.params, this.grads, this.m, this.v, this.adamUniform, ...this.layerUniforms]) b.destroy();
  }
}

export interface Capacity {
  nodes: number;
  edges: number;
  labels: number;
  words: number;
  /** Slots of the loss history (one per step of a chunk). */
  lossSlots: number;
}

interface LayerActivations {
  Y: GPUBuffer;
  scores: GPUBuffer;
  alpha: GPUBuffer;
  out: GPUBuffer;
}

interface LayerGroups {
  project: GPUBindGroup;
  scores: GPUBindGroup;
  softmax: GPUBindGroup;
  aggregate: GPUBindGroup;
  softmaxBackward: GPUBindGroup;
  aggregateBackward: GPUBindGroup;
  paramGrads: GPUBindGroup;
  inputBackward: GPUBindGroup | null;
}

/**
 * Activations and gradients for graphs up to a capacity, and the bind groups of every dispatch.
 * `graph` holds the packed graph of the current step (src/gpu/graphBuffer.ts).
 */
export class Workspace {
  readonly graph: GPUBuffer;
  readonly layers: LayerActivations[];
  readonly pred: GPUBuffer;
  readonly lossHistory: GPUBuffer;
  // Backward scratch, shared by the layers.
  readonly dY: GPUBuffer;
  readonly ds: GPUBuffer;
  readonly dScores: GPUBuffer;
  /** Pre-activation gradients, alternating between layers: see gPreOf. */
  readonly gPre: [GPUBuffer, GPUBuffer];
  readonly groups: {
    layers: LayerGroups[];
    decodeLoss: GPUBindGroup;
    decodeBackward: GPUBindGroup;
    adam: GPUBindGroup;
  };
  private readonly buffers: GPUBuffer[];

  constructor(
    readonly model: ModelOnGpu,
    /** Input features of every dataset node (users then items), rows of max(userDim, itemDim). */
    features: GPUBuffer,
    readonly capacity: Capacity,
  ) {
    const { device, kernels: k, shape } = model;
    const { heads: H, hidden: C } = shape;
    const R = 2 * H * C + C;
    const N = capacity.nodes;
    const E = capacity.edges;
    const f = 4;
    this.graph = storageBuffer(device, 'graph', Math.max(capacity.words, HEADER_WORDS) * 4);
    this.layers = model.layerUniforms.map((_, l) => ({
      Y: storageBuffer(device, `Y${l + 1}`, N * R * f),
      scores: storageBuffer(device, `scores${l + 1}`, N * 2 * H * f),
      alpha: storageBuffer(device, `alpha${l + 1}`, E * H * f),
      out: storageBuffer(device, `out${l + 1}`, N * C * f),
    }));
    const dY = (this.dY = storageBuffer(device, 'dY', N * R * f));
    const ds = (this.ds = storageBuffer(device, 'ds', E * H * f));
    const dScores = (this.dScores = storageBuffer(device, 'dScores', N * 2 * H * f));
    const gPre = (this.gPre = [storageBuffer(device, 'gPre.a', N * C * f), storageBuffer(device, 'gPre.b', N * C * f)]);
    this.pred = storageBuffer(device, 'pred', capacity.labels * f);
    this.lossHistory = storageBuffer(device, 'lossHistory', capacity.lossSlots * f);
    this.buffers = [this.graph, dY, ds, dScores, ...gPre, this.pred, this.lossHistory, ...this.layers.flatMap((a) => Object.values(a))];

    const L = this.layers.length;
    const gPreOf = (l: number) => this.gPreOf(l);
    const g = this.graph;
    const layers = this.layers.map((a, l): LayerGroups => {
      const u = model.layerUniforms[l];
      const X = l === 0 ? features : this.layers[l - 1].out;
      const name = (s: string) => `${s}${l + 1}`;
      return {
        project: bindGroup(device, k.project, name('project'), { 0: g, 1: u, 2: model.params, 3: X, 4: a.Y }),
        scores: bindGroup(device, k.attention_scores, name('scores'), { 0: g, 1: u, 2: model.params, 3: a.Y, 4: a.scores }),
        softmax: bindGroup(device, k.edge_softmax, name('softmax'), { 0: g, 1: u, 4: a.scores, 5: a.alpha }),
        aggregate: bindGroup(device, k.aggregate, name('aggregate'), { 0: g, 1: u, 2: model.params, 3: a.Y, 4: a.alpha, 5: a.out }),
        softmaxBackward: bindGroup(device, k.softmax_backward, name('softmaxBackward'), {
          0: g, 1: u, 3: a.Y, 4: a.scores, 5: a.alpha, 6: gPreOf(l), 7: ds, 8: dScores,
        }),
        aggregateBackward: bindGroup(device, k.aggregate_backward, name('aggregateBackward'), {
          0: g, 1: u, 2: model.params, 3: a.alpha, 4: ds, 5: gPreOf(l), 6: dScores, 7: dY,
        }),
        paramGrads: bindGroup(device, k.param_grads, name('paramGrads'), {
          0: g, 1: u, 2: X, 3: a.Y, 4: gPreOf(l), 5: dY, 6: dScores, 7: model.grads,
        }),
        inputBackward:
          l === 0
            ? null
            : bindGroup(device, k.input_backward, name('inputBackward'), { 0: g, 1: u, 2: model.params, 3: X, 4: dY, 5: gPreOf(l - 1) }),
      };
    });
    const last = this.layers[L - 1].out;
    const lastU = model.layerUniforms[L - 1];
    this.groups = {
      layers,
      decodeLoss: bindGroup(device, k.decode_loss, 'decodeLoss', { 0: g, 1: lastU, 2: last, 3: this.pred, 4: this.lossHistory }),
      decodeBackward: bindGroup(device, k.decode_backward, 'decodeBackward', { 0: g, 1: lastU, 2: last, 3: this.pred, 4: gPreOf(L - 1) }),
      adam: bindGroup(device, k.adam_step, 'adam', { 0: g, 6: model.adamUniform, 2: model.grads, 3: model.params, 4: model.m, 5: model.v }),
    };
  }

  /** The pre-activation gradient of layer l (0-based): the last layer's is gPre[0], then they alternate. */
  gPreOf(l: number): GPUBuffer {
    return this.gPre[(this.layers.length - 1 - l) % 2];
  }

  /** The encoder's output (after the last ReLU): users in rows [0, users), items after. */
  get embeddings(): GPUBuffer {
    return this.layers[this.layers.length - 1].out;
  }

  /** Encoder output of the first `nodes` nodes (node-major, `hidden` columns). */
  readEmbeddings(nodes: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.embeddings, nodes * this.model.shape.hidden);
  }

  /** The decoder's predictions of the last loss pass. */
  readPredictions(labels: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.pred, labels);
  }

  /** Loss slots 0..count-1. */
  readLosses(count: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.lossHistory, count);
  }

  /** Attention of layer l (0-based) of the last forward pass: edges × heads, CSR slot order. */
  readAttention(l: number, edges: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.layers[l].alpha, edges * this.model.shape.heads);
  }

  fits(need: Capacity): boolean {
    const cap = this.capacity;
    return need.nodes <= cap.nodes && need.edges <= cap.edges && need.labels <= cap.labels && need.words <= cap.words && need.lossSlots <= cap.lossSlots;
  }

  encodeForward(pass: GPUComputePassEncoder, c: GraphCounts): void {
    const { kernels: k, shape } = this.model;
    const { heads: H, hidden: C } = shape;
    const R = 2 * H * C + C;
    for (const grp of this.groups.layers) {
      dispatch(pass, k.project, grp.project, c.nodes * R);
      dispatch(pass, k.attention_scores, grp.scores, c.nodes * H);
      dispatch(pass, k.edge_softmax, grp.softmax, c.nodes * H);
      dispatch(pass, k.aggregate, grp.aggregate, c.nodes * C);
    }
  }

  /** Predictions and the loss of the step's supervision pairs (into lossHistory[lossSlot]). */
  encodeLoss(pass: GPUComputePassEncoder): void {
    dispatchOne(pass, this.model.kernels.decode_loss, this.groups.decodeLoss);
  }

  /** Gradients of every parameter into model.grads (overwritten, not accumulated). */
  encodeBackward(pass: GPUComputePassEncoder, c: GraphCounts): void {
    const { kernels: k, shape } = this.model;
    const { heads: H, hidden: C } = shape;
    const R = 2 * H * C + C;
    dispatch(pass, k.decode_backward, this.groups.decodeBackward, c.nodes * C);
    for (let l = this.groups.layers.length - 1; l >= 0; l--) {
      const grp = this.groups.layers[l];
      dispatch(pass, k.softmax_backward, grp.softmaxBackward, c.nodes * H);
      dispatch(pass, k.aggregate_backward, grp.aggregateBackward, c.nodes * R);
      dispatch(pass, k.param_grads, grp.paramGrads, this.model.layerSizes[l]);
      if (grp.inputBackward) dispatch(pass, k.input_backward, grp.inputBackward, c.nodes * C);
    }
  }

  /** One optimizer step on the graph now in `graph`: forward, loss, backward, Adam. */
  encodeTrainStep(pass: GPUComputePassEncoder, c: GraphCounts): void {
    this.encodeForward(pass, c);
    this.encodeLoss(pass);
    this.encodeBackward(pass, c);
    this.model.encodeAdam(pass, this);
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
