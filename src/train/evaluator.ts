// Evaluation on the GPU after an epoch: the encoder over the full message-passing graph, then the
// exact top-K per user with the training items excluded, then Recall@K into a metric slot of the
// workspace. Nothing comes back until someone reads the slots.
import { bindGroup, dispatch, dispatchOne } from '../gpu/kernels';
import { readBack, storageBuffer, storageWith } from '../gpu/buffers';
import { countsOf, packGraph, type GraphCounts } from '../gpu/graphBuffer';
import type { GraphArrays } from '../graph/types';
import type { Pairs } from '../graph/pairs';
import { EVAL_ARRAYS, EVAL_COUNTS, EVAL_HEADER, EVAL_HEADER_WORDS, MAX_K, packArrays, packRecord, WHICH_FIELDS, WHICH_WORDS } from '../gpu/layout';
import { topKPartialFloats, topKSegments } from '../model/arena';
import { fusable, Workspace, type ModelOnGpu } from '../model/gpuModel';

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
  private readonly evalGroup: GPUBindGroup;

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
    const { device } = model;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`K must be an integer in [1, ${MAX_K}], got ${k}`);
    this.k = k;
    this.counts = countsOf(graph);
    const U = graph.numUsers;
    const segments = topKSegments(graph.numItems);
    const segmentLength = Math.max(1, Math.ceil(graph.numItems / segments));
    this.segments = segments;
    this.workspace = new Workspace(model, features, {
      ...this.counts,
      lossSlots: 1,
      recallSlots: slots,
      topkPartial: topKPartialFloats(U, segments, k),
    });
    device.queue.writeBuffer(this.workspace.graph, 0, packGraph(graph));
    const ex = perUser(U, exclude, true);
    const tg = perUser(U, targets, false);
    const arrays = { excludePtr: ex.ptr, excludeItem: ex.items, targetPtr: tg.ptr, targetItem: tg.items };
    const data = new Uint32Array(EVAL_HEADER_WORDS + Object.values(arrays).reduce((a, p) => a + p.length, 0));
    const counts = { users: U, items: graph.numItems, k, segments, segmentLength };
    for (const name of EVAL_COUNTS) data[EVAL_HEADER[name]] = counts[name];
    packArrays(data, EVAL_HEADER, EVAL_ARRAYS, arrays, EVAL_HEADER_WORDS);
    this.evalData = storageWith(device, 'evalData', data);
    this.topk = storageBuffer(device, 'topk', U * k * 4);
    const records = new ArrayBuffer(slots * WHICH_WORDS * 4);
    for (let s = 0; s < slots; s++) packRecord(WHICH_FIELDS, { layer: 0, gbase: 0, schedule: 0, slot: s }, records, s * WHICH_WORDS);
    this.slotRecords = storageWith(device, 'slotRecords', new Uint32Array(records));
    this.evalGroup = bindGroup(device, model.kernels.evalLayout, 'eval', [this.evalData, this.topk]);
  }

  /** Embeddings, top-K and Recall@K into recall slot `slot`. */
  encode(encoder: GPUCommandEncoder, slot: number): void {
    if (slot >= this.slots) throw new RangeError(`Evaluator: slot ${slot} of ${this.slots}`);
    const ws = this.workspace;
    const p = this.model.kernels.pipelines;
    const groups = [ws.controlGroup, this.evalGroup];
    encoder.copyBufferToBuffer(this.slotRecords, slot * WHICH_WORDS * 4, ws.control, 0, WHICH_WORDS * 4);
    const pass = encoder.beginComputePass();
    if (fusable(this.counts)) {
      dispatchOne(pass, p.evaluate, groups);
    } else {
      ws.encodeForward(pass, this.counts);
      dispatch(pass, p.top_k_segments, groups, this.graph.numUsers * this.segments);
      dispatch(pass, p.top_k_merge, groups, this.graph.numUsers);
      dispatchOne(pass, p.recall_at_k, groups);
    }
    pass.end();
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

  destroy(): void {
    this.workspace.destroy();
    for (const b of [this.evalData, this.topk, this.slotRecords]) b.destroy();
  }
}
