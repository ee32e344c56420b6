// Evaluation on the GPU after an epoch: the encoder over the full message-passing graph, then the
// exact top-K per user with the training items excluded, then Recall@K into a metric slot.
// Nothing comes back until the trainer reads the slots.
import { bindGroup, dispatch, dispatchOne } from '../gpu/kernels';
import { readBack, readFloats, storageBuffer, storageWith } from '../gpu/buffers';
import { countsOf, packGraph, type GraphCounts } from '../gpu/graphBuffer';
import type { GraphArrays } from '../graph/types';
import type { Pairs } from '../graph/pairs';
import { Workspace, type ModelOnGpu } from '../model/gpuModel';

/** The top_k kernel keeps its list in registers of this size (shaders/topk.wgsl MAX_K). */
export const MAX_K = 100;
const EVAL_HEADER_WORDS = 9;

/** Per-user sorted item lists as (ptr, items), the layout topk.wgsl reads. */
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

export class Evaluator {
  readonly workspace: Workspace;
  readonly counts: GraphCounts;
  readonly k: number;
  readonly topk: GPUBuffer;
  /** Recall@K per slot. */
  readonly recall: GPUBuffer;
  private readonly evalData: GPUBuffer;
  /** 0, 1, 2, ...: copied into the eval header to choose the slot without a new bind group. */
  private readonly slotIndex: GPUBuffer;
  private readonly topkGroup: GPUBindGroup;
  private readonly recallGroup: GPUBindGroup;

  constructor(
    readonly model: ModelOnGpu,
    features: GPUBuffer,
    /** All users and items with the message-passing edges; no labels. */
    readonly graph: GraphArrays,
    /** Each user's training items: never recommended. */
    exclude: Pairs,
    /** Each user's test items: what Recall@K looks for. */
    targets: Pairs,
    k: number,
    readonly slots: number,
  ) {
    const { device, kernels } = model;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`K must be an integer in [1, ${MAX_K}], got ${k}`);
    this.k = k;
    this.counts = countsOf(graph);
    this.workspace = new Workspace(model, features, { ...this.counts, lossSlots: 1 });
    device.queue.writeBuffer(this.workspace.graph, 0, packGraph(graph));
    const U = graph.numUsers;
    const ex = perUser(U, exclude, true);
    const tg = perUser(U, targets, false);
    const header = [U, graph.numItems, k, model.shape.hidden];
    let at = EVAL_HEADER_WORDS;
    const offsets: number[] = [];
    for (const a of [ex.ptr, ex.items, tg.ptr, tg.items]) {
      offsets.push(at);
      at += a.length;
    }
    const data = new Uint32Array(at);
    data.set([...header, ...offsets, 0]);
    [ex.ptr, ex.items, tg.ptr, tg.items].forEach((a, i) => data.set(a, offsets[i]));
    this.evalData = storageWith(device, 'evalData', data);
    this.slotIndex = storageWith(device, 'slotIndex', Uint32Array.from({ length: slots }, (_, i) => i));
    this.topk = storageBuffer(device, 'topk', U * k * 4);
    this.recall = storageBuffer(device, 'recall', slots * 4);
    const emb = this.workspace.embeddings;
    this.topkGroup = bindGroup(device, kernels.top_k, 'topk', { 2: this.evalData, 3: emb, 4: this.topk });
    this.recallGroup = bindGroup(device, kernels.recall_at_k, 'recall', { 2: this.evalData, 4: this.topk, 5: this.recall });
  }

  /** Embeddings of the full graph: users in rows [0, numUsers), items after. */
  encodeEmbeddings(encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass();
    this.workspace.encodeForward(pass, this.counts);
    pass.end();
  }

  /** Embeddings, top-K and Recall@K into recall[slot]. */
  encode(encoder: GPUCommandEncoder, slot: number): void {
    if (slot >= this.slots) throw new RangeError(`Evaluator: slot ${slot} of ${this.slots}`);
    encoder.copyBufferToBuffer(this.slotIndex, slot * 4, this.evalData, 8 * 4, 4);
    const pass = encoder.beginComputePass();
    this.workspace.encodeForward(pass, this.counts);
    dispatch(pass, this.model.kernels.top_k, this.topkGroup, this.graph.numUsers);
    dispatchOne(pass, this.model.kernels.recall_at_k, this.recallGroup);
    pass.end();
  }

  /** Each user's top-K item indices from the last evaluation (numUsers × k, -1 pads). */
  async readTopK(): Promise<Int32Array> {
    return new Int32Array(await readBack(this.model.device, this.topk, this.graph.numUsers * this.k * 4));
  }

  /** Recall@K of slots 0..count-1. */
  readRecall(count: number): Promise<Float32Array> {
    return readFloats(this.model.device, this.recall, count);
  }

  destroy(): void {
    this.workspace.destroy();
    for (const b of [this.evalData, this.slotIndex, this.topk, this.recall]) b.destroy();
  }
}
