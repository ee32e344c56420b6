// Evaluation on the GPU after an epoch: the encoder over the full message-passing graph, then the
// exact top-K per user with the training items excluded, then Recall@K into a metric slot of the
// workspace, and the full graph's MSE over the training ratings into the same slot of its losses.
// Nothing comes back until someone reads the slots. With a validation split, the one
// forward serves two rankings: validation (training items excluded, validation items looked for)
// into the slots after the test ones, and test (training and validation items excluded).
import { bindGroup, dispatch, dispatchOne, type FusedPipeline } from '../gpu/kernels';
import { KERNEL_SIZES } from '../gpu/kernelSizes';
import { readBack, storageBuffer, storageWith } from '../gpu/buffers';
import { countsOf, packGraph, STEP_FIELDS, type GraphCounts } from '../gpu/graphBuffer';
import type { GraphArrays } from '../graph/types';
import type { Pairs } from '../graph/pairs';
import { fullGraph } from '../graph/build';
import type { Prepared } from './prepare';
import { EVAL_ARRAYS, EVAL_COUNTS, EVAL_HEADER, EVAL_HEADER_WORDS, MAX_K, packArrays, packRecord, WHICH_FIELDS, WHICH_WORDS } from '../gpu/layout';
import { EVAL_SLOTS, topKPartialFloats, topKSegments } from '../model/arena';
import { Workspace, type ModelOnGpu } from '../model/gpuModel';

/**
 * The run's evaluator: all users and items over the message-passing edges, the training items
 * excluded. With a validation split, the validation ranking excludes the training items and looks
 * for the validation ones, and the test ranking excludes both (the validation items are rated).
 */
export function evaluatorFor(model: ModelOnGpu, features: GPUBuffer, data: Prepared, k: number): Evaluator {
  // Labelled with the training ratings: each evaluation also states the full graph's MSE on them.
  const graph = fullGraph(data.numUsers, data.numItems, data.mpEdges, data.train);
  const validation = data.val.user.length > 0 ? { exclude: data.train, targets: data.val } : undefined;
  return new Evaluator(model, features, graph, data.seen, data.test, Math.min(k, data.numItems), EVAL_SLOTS, validation);
}

/** Per-user sorted item lists as (ptr, items), the layout eval.wgsl reads. */
function perUser(numUsers: number, pairs: Pairs, dedupe: boolean): { ptr: Uint32Array; items: Uint32Array } {
  const lists: number[][] = Array.from({ length: numUsers }, () => []);
  for (let k = 0; k < pairs.user.length; k++) lists[pairs.user[k]].push(pairs.item[k]);
  const ptr = new Uint32Array(numUsers + 1);
  const flat: number[] = [];
  lists.forEach((l, u) => {
    l.sort((a, b) => a - b);
    for (let k = 0; k < l.length; k++) if (!dedupe || k === 0 || l[k] !== l[k - 1]) flat.push(l[k]);
    ptr[u + 1] = flat.length;
  });
  return { ptr, items: Uint32Array.from(flat) };
}

/** What one ranking excludes and looks for. */
export interface Ranking {
  /** Each user's items never recommended. */
  exclude: Pairs;
  /** Each user's items Recall@K looks for. */
  targets: Pairs;
}

export class Evaluator {
  readonly workspace: Workspace;
  readonly counts: GraphCounts;
  readonly k: number;
  /** The top-K scan's item segments: one invocation per (user, segment), then a merge per user. */
  readonly segments: number;
  private readonly evalData: GPUBuffer;
  private readonly topk: GPUBuffer;
  /** `Which` records [0, 0, 0, slot] for slot = 0, 1, ...: copied into the workspace's control. */
  private readonly slotRecords: GPUBuffer;
  /** The words 0, 1, ...: slot s is copied into the graph header's loss slot before the MSE of slot s. */
  private readonly slotWords: GPUBuffer;
  private readonly evalGroup: GPUBindGroup;
  /** The validation ranking's data, top-K and bind group; null without a validation split. */
  private readonly validation: { buffers: GPUBuffer[]; group: GPUBindGroup } | null;
  /** The fused evaluation `encode` runs, or null: per op (src/train/evalFusion.ts chooses). */
  fused: FusedPipeline | null = null;

  constructor(
    readonly model: ModelOnGpu,
    features: GPUBuffer,
    /**
     * All users and items with the message-passing edges. Its labels (the training ratings, or
     * none) are what the full graph's MSE is taken over.
     */
    readonly graph: GraphArrays,
    /** Each user's training items: never recommended. */
    exclude: Pairs,
    /** Each user's test items: what Recall@K looks for. */
    targets: Pairs,
    k: number,
    readonly slots: number,
    /** The validation ranking; its Recall@K goes to slot `slots + s` for an evaluation into slot s. */
    validation?: Ranking,
  ) {
    const { device } = model;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`K must be an integer in [1, ${MAX_K}], got ${k}`);
    this.k = k;
    this.counts = countsOf(graph);
    const U = graph.numUsers;
    const segments = topKSegments(graph.numItems);
    const segmentLength = Math.max(1, Math.ceil(graph.numItems / segments));
    this.segments = segments;
    const recallSlots = validation ? 2 * slots : slots;
    this.workspace = new Workspace(model, features, {
      ...this.counts,
      lossSlots: slots,
      recallSlots,
      topkPartial: topKPartialFloats(U, segments, k),
    });
    device.queue.writeBuffer(this.workspace.graph, 0, packGraph(graph));
    const counts = { users: U, items: graph.numItems, k, segments, segmentLength };
    this.evalData = storageWith(device, 'evalData', evalData(counts, { exclude, targets }));
    this.topk = storageBuffer(device, 'topk', U * k * 4);
    const records = new ArrayBuffer(recallSlots * WHICH_WORDS * 4);
    for (let s = 0; s < recallSlots; s++) packRecord(WHICH_FIELDS, { layer: 0, gbase: 0, schedule: 0, slot: s }, records, s * WHICH_WORDS);
    this.slotRecords = storageWith(device, 'slotRecords', new Uint32Array(records));
    this.slotWords = storageWith(device, 'slotWords', Uint32Array.from({ length: slots }, (_, s) => s));
    this.evalGroup = bindGroup(device, model.kernels.evalLayout, 'eval', [this.evalData, this.topk]);
    if (validation) {
      const buffers = [storageWith(device, 'valData', evalData(counts, validation)), storageBuffer(device, 'valTopk', U * k * 4)];
      this.validation = { buffers, group: bindGroup(device, model.kernels.evalLayout, 'validation', buffers) };
    } else {
      this.validation = null;
    }
  }

  get hasValidation(): boolean {
    return this.validation !== null;
  }

  /** Puts the `Which` record of recall slot `slot` in the workspace's control (outside a pass). */
  encodeSlot(encoder: GPUCommandEncoder, slot: number): void {
    encoder.copyBufferToBuffer(this.slotRecords, slot * WHICH_WORDS * 4, this.workspace.control, 0, WHICH_WORDS * 4);
  }

  /**
   * Embeddings, top-K, Recall@K into recall slot `slot` and the full graph's MSE into loss slot
   * `slot`; with a validation split, then the validation ranking from the same embeddings into
   * slot `slots + slot`, which leaves its record in the control (src/train/selection.ts reads it).
   * The test ranking's top-K is the one kept.
   */
  encode(encoder: GPUCommandEncoder, slot: number): void {
    this.encodePath(encoder, slot, this.fused);
  }

  /** The same, fused in one workgroup of `fused`, or per op where it is null. */
  encodePath(encoder: GPUCommandEncoder, slot: number, fused: FusedPipeline | null): void {
    if (slot >= this.slots) throw new RangeError(`Evaluator: slot ${slot} of ${this.slots}`);
    const ws = this.workspace;
    const groups = [ws.controlGroup, this.evalGroup];
    this.encodeSlot(encoder, slot);
    encoder.copyBufferToBuffer(this.slotWords, slot * 4, ws.graph, STEP_FIELDS.lossSlot * 4, 4);
    let pass = encoder.beginComputePass();
    if (fused) {
      // The fused evaluation computes the full graph's MSE too.
      dispatchOne(pass, fused.pipeline, groups);
    } else {
      ws.encodeForward(pass, this.counts);
      this.encodeRanking(pass, groups);
      if (this.counts.labels > 0) this.encodeFullMse(pass);
    }
    pass.end();
    if (!this.validation) return;
    this.encodeSlot(encoder, this.slots + slot);
    pass = encoder.beginComputePass();
    this.encodeRanking(pass, [ws.controlGroup, this.validation.group]);
    pass.end();
  }

  /** Top-K and Recall@K of the embeddings in the workspace, for the ranking `groups[1]` describes. */
  private encodeRanking(pass: GPUComputePassEncoder, groups: GPUBindGroup[]): void {
    const p = this.model.kernels.pipelines;
    dispatch(pass, p.top_k_segments, groups, this.graph.numUsers * this.segments);
    dispatch(pass, p.top_k_merge, groups, this.graph.numUsers);
    const chunks = Math.ceil(this.graph.numUsers / KERNEL_SIZES.recallChunk);
    dispatch(pass, p.recall_partials, groups, chunks);
    // One chunk's partial is the recall (shaders/eval.wgsl); otherwise one workgroup runs the stages.
    if (chunks !== 1) dispatchOne(pass, p.recall_total, groups);
  }

  /**
   * The mean of (⟨h_user, h_item⟩ − rating)² over the graph's labels, from the embeddings just
   * computed: the training program's decoder and loss kernels, which compute the MSE. A training
   * objective other than the MSE must leave this one as it is: it is the rating error the page
   * and the explanations state, whatever the run trains on.
   */
  private encodeFullMse(pass: GPUComputePassEncoder): void {
    this.workspace.encodeLoss(pass, this.counts);
  }

  /** Copies the last evaluation's top-K into `target` (for snapshots captured inside a chunk). */
  encodeCopyTopK(encoder: GPUCommandEncoder, target: GPUBuffer, offset: number): void {
    encoder.copyBufferToBuffer(this.topk, 0, target, offset, this.topKBytes);
  }

  get topKBytes(): number {
    return this.graph.numUsers * this.k * 4;
  }

  /** Each user's top-K item indices from the last evaluation (numUsers × k, -1 pads). */
  async readTopK(): Promise<Int32Array> {
    return new Int32Array(await readBack(this.model.device, this.topk, this.topKBytes));
  }

  /** Recall@K of slots 0..count-1. */
  readRecall(count: number): Promise<Float32Array> {
    return this.workspace.readRecall(count);
  }

  /** Validation Recall@K of slots 0..count-1 (empty without a validation split). */
  readValRecall(count: number): Promise<Float32Array> {
    return this.validation ? this.workspace.readRecall(count, this.slots) : Promise.resolve(new Float32Array(0));
  }

  /** Recall@K and the full graph's MSE of slots 0..count-1. */
  async readMetrics(count: number): Promise<{ recall: Float32Array; fullMse: Float32Array }> {
    const [recall, fullMse] = await Promise.all([this.workspace.readRecall(count), this.workspace.readLosses(count)]);
    return { recall, fullMse };
  }

  /** The full graph's prediction for each label (training rating) of the last evaluation, in label order. */
  readPredictions(): Promise<Float32Array> {
    return this.workspace.readPredictions(this.counts.labels);
  }

  destroy(): void {
    this.workspace.destroy();
    for (const b of [this.evalData, this.topk, this.slotRecords, this.slotWords, ...(this.validation?.buffers ?? [])]) b.destroy();
  }
}

/** The evaluation data eval.wgsl reads for one ranking: the counts, then each user's sorted lists. */
function evalData(counts: Record<(typeof EVAL_COUNTS)[number], number>, ranking: Ranking): Uint32Array<ArrayBuffer> {
  const U = counts.users;
  const ex = perUser(U, ranking.exclude, true);
  const tg = perUser(U, ranking.targets, false);
  const arrays = { excludePtr: ex.ptr, excludeItem: ex.items, targetPtr: tg.ptr, targetItem: tg.items };
  const data = new Uint32Array(EVAL_HEADER_WORDS + Object.values(arrays).reduce((a, p) => a + p.length, 0));
  for (const name of EVAL_COUNTS) data[EVAL_HEADER[name]] = counts[name];
  packArrays(data, EVAL_HEADER, EVAL_ARRAYS, arrays, EVAL_HEADER_WORDS);
  return data;
}
