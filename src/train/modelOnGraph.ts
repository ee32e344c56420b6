// A model on the GPU, wired once for everyone who runs one: the trainer, the PyG cases and the
// bench. First its weights (with Adam's state) and the input features every workspace reads; then,
// for a caller that runs one graph, that graph packed in a workspace of its own.
import type { Gpu } from '../gpu/device';
import type { Kernels } from '../gpu/kernels';
import { storageWith } from '../gpu/buffers';
import { countsOf, packGraph, type GraphCounts } from '../gpu/graphBuffer';
import { MSE, type Objective } from '../gpu/layout';
import type { Features, GraphArrays } from '../graph/types';
import { ModelOnGpu, Workspace } from '../model/gpuModel';
import { featureBuffer } from '../model/inputs';
import type { ModelShape } from '../model/params';
import { stepFields } from './chunkPlan';
import type { RunSettings } from './settings';

/** The model's shape: its layers, width and heads from the settings, its input widths from the features. */
export function modelShape(settings: Pick<RunSettings, 'layers' | 'hidden' | 'heads'>, features: Features): ModelShape {
  return { layers: settings.layers, hidden: settings.hidden, heads: settings.heads, userDim: features.userDim, itemDim: features.itemDim };
}

/** The weights `params` of a model of `shape` and the input features, on the GPU. */
export interface PlacedModel {
  model: ModelOnGpu;
  /** The features as the kernels read them (src/model/inputs.ts featureBuffer): user rows unless one-hot, then item rows. */
  features: GPUBuffer;
}

export function placeModel(gpu: Gpu, kernels: Kernels, shape: ModelShape, params: Float32Array, features: Features): PlacedModel {
  const { data, layout } = featureBuffer(features);
  const model = new ModelOnGpu(gpu.device, kernels, shape, params, layout);
  return { model, features: storageWith(gpu.device, 'features', data) };
}

/** A placed model and one graph in a workspace of its own, with room for `lossSlots` losses. */
export class ModelOnGraph implements PlacedModel {
  readonly model: ModelOnGpu;
  readonly features: GPUBuffer;
  readonly counts: GraphCounts;
  readonly workspace: Workspace;
  private readonly packed: Uint32Array<ArrayBuffer>;

  constructor(
    private readonly gpu: Gpu,
    kernels: Kernels,
    shape: ModelShape,
    params: Float32Array,
    features: Features,
    readonly graph: GraphArrays,
    lossSlots: number,
    objective: Objective = MSE,
  ) {
    ({ model: this.model, features: this.features } = placeModel(gpu, kernels, shape, params, features));
    this.counts = countsOf(graph);
    this.workspace = new Workspace(this.model, this.features, { ...this.counts, lossSlots }, objective);
    this.packed = packGraph(graph);
  }

  /**
   * Writes the graph into the workspace with the step fields of the next pass: the loss goes to
   * `lossSlot`, and an Adam update is step `t` at learning rate `lr` (t = 0: no update is run).
   */
  writeGraph(lossSlot: number, lr: number, t: number): void {
    stepFields(this.packed, 0, lossSlot, lr, t);
    this.gpu.device.queue.writeBuffer(this.workspace.graph, 0, this.packed);
  }

  destroy(): void {
    this.workspace.destroy();
    this.features.destroy();
    this.model.destroy();
  }
}
