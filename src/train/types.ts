// What a run hands out: an epoch's metrics, the model's view after an epoch (snapshot) and the
// state to go on from (checkpoint). Plain data, shared by the trainer, the explanations, the
// engine worker and the page, none of which needs the trainer itself to name them.
import type { RngState } from '../util/rng';

export interface EpochMetrics {
  epoch: number;
  /** Mean squared error over the epoch's supervision pairs (each step's loss weighted by its pairs). */
  loss: number;
  /**
   * Recall@K after the epoch, or null where it was not evaluated (settings.evalEvery). Epochs at a
   * multiple of evalEvery, those whose snapshot is kept and the last of each train() call are.
   */
  recall: number | null;
  /** Validation Recall@K, evaluated with `recall`; present only in a run with a validation split (settings.val). */
  valRecall?: number | null;
  /**
   * The mean squared error of the full graph's predictions (every message-passing edge, no
   * sampling: the graph the explanations use) over the training ratings, after the epoch; null
   * where Recall@K was not evaluated. `loss` is measured on the sampled mini-batches instead.
   */
  fullMse: number | null;
  /** Wall time per epoch, averaged over its chunk. */
  ms: number;
}

/**
 * The epoch model selection chose in these metrics: the first with the highest validation Recall@K
 * (src/train/selection.ts decides the same on the GPU as the run goes); null without validation.
 */
export function selectedMetrics(history: readonly EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const m of history) if (m.valRecall != null && (best === null || m.valRecall > best.valRecall!)) best = m;
  return best;
}

/** The model's view after an epoch: what the page draws and the explanations read. */
export interface Snapshot {
  /** Epochs done when it was taken. */
  epoch: number;
  k: number;
  channels: number;
  /** numUsers × channels */
  user: Float32Array;
  /** numItems × channels */
  item: Float32Array;
  /** numUsers × k item indices, best first (-1 pads a short list) */
  topk: Int32Array;
  /** Per layer: the evaluation graph's edges × heads, in its CSR slot order. */
  attention: Float32Array[];
}

/**
 * Everything a run needs to go on, bit for bit, in another Trainer (made by Trainer.create from the
 * same ratings and settings), on this GPU device or another: the weights and Adam's moments, the
 * counters, and the generator that plans the coming epochs. Plain data: it survives JSON (with the
 * arrays as lists), structured clone and the loss of the device it was taken on.
 */
/** The epoch chosen on validation, its validation Recall@K and (reported, not chosen by) its test Recall@K. */
export interface Selected {
  epoch: number;
  valRecall: number;
  testRecall: number;
}

/** Model selection as a checkpoint carries it: the epoch chosen so far, its weights, and where the patience ran out. */
export interface SelectionState {
  best: Selected;
  /** The epoch the patience ran out at, or null. */
  stopped: number | null;
  /** The chosen epoch's flat parameters (model.size), kept on the GPU while the run goes on. */
  kept: Float32Array;
}

export interface Checkpoint {
  /** Epochs done. */
  epoch: number;
  /** Optimizer steps done (Adam's t). */
  step: number;
  /** The run's generator, so that the next epochs shuffle, sample and draw negatives as they would have. */
  rng: RngState;
  /** The flat parameters, model.size of them (PyG names via src/model/params.ts). */
  params: Float32Array;
  /** Adam's first moments then its second ones, 2 × model.size. */
  moments: Float32Array;
  history: EpochMetrics[];
  /** With a validation split, once an epoch has been evaluated: the selection, so the chosen weights outlive a reload. */
  selection?: SelectionState;
}

/** Throws an Error that says which size differs unless checkpoint `c` fits a run of this model and steps per epoch. */
export function checkCheckpointFits(c: Checkpoint, shape: { layers: number; hidden: number; heads: number }, size: number, stepsPerEpoch: number): void {
  const model = `${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads, ${size} parameters`;
  if (c.params.length !== size) {
    throw new Error(`restore: the checkpoint holds ${c.params.length} parameters, this run's model (${model}) has ${size}; it was taken with other settings or data`);
  }
  if (c.selection && c.selection.kept.length !== size) {
    throw new Error(`restore: the checkpoint keeps ${c.selection.kept.length} weights of the epoch chosen on validation, this run's model (${model}) has ${size}`);
  }
  if (c.moments.length !== 2 * size) {
    throw new Error(`restore: the checkpoint holds ${c.moments.length} Adam moments, this run's model (${model}) needs ${2 * size} (m then v)`);
  }
  if (!Number.isInteger(c.epoch) || c.epoch < 0 || c.step !== c.epoch * stepsPerEpoch) {
    throw new Error(`restore: the checkpoint is at step ${c.step} after epoch ${c.epoch}, but this run takes ${stepsPerEpoch} steps per epoch; it was taken with another batch size or data`);
  }
}

/** A run whose loss turned NaN or infinite; the trainer has gone back to the epoch before. */
export class DivergedError extends Error {
  constructor(readonly epoch: number) {
    super(`training diverged at epoch ${epoch}: the loss is not a finite number; kept the weights of epoch ${epoch - 1}`);
    this.name = 'DivergedError';
  }
}
