// Model selection without peeking: after each evaluation, the validation Recall@K decides on the
// GPU (shaders/keep.wgsl) whether the weights are the best so far and copies them into a kept
// buffer, and whether the patience has run out. The host mirrors the same decisions from the
// recalls it reads back with each chunk anyway, so it knows the selected epoch and the stop
// without any readback of its own. The test Recall@K of the selected epoch is reported beside it,
// never used to choose.
import { readFloats, storageBuffer } from '../gpu/buffers';
import { bindGroup, dispatch, dispatchOne } from '../gpu/kernels';
import { KEEP_FIELDS, record } from '../gpu/layout';
import type { ModelOnGpu } from '../model/gpuModel';
import type { Evaluator } from './evaluator';
import type { Selected, SelectionState } from './types';

/** Below any recall: the first evaluation is always the best so far. */
const NONE = -1;

export class Selection {
  /** The selected epoch's parameters, model.size floats. */
  readonly kept: GPUBuffer;
  /** The best so far, by the validation recalls read back; null before the first evaluation. */
  best: Selected | null = null;
  /** The epoch the patience ran out at, or null. */
  stopped: number | null = null;
  private readonly state: GPUBuffer;
  private readonly epochs: GPUBuffer;
  private readonly group: GPUBindGroup;

  constructor(
    private readonly model: ModelOnGpu,
    private readonly evaluator: Evaluator,
    /** Epochs without a better validation Recall@K before the run stops; 0 never stops. */
    readonly patience: number,
  ) {
    const { device } = model;
    this.kept = storageBuffer(device, 'kept', model.size * 4);
    this.state = storageBuffer(device, 'keep', Object.keys(KEEP_FIELDS).length * 4);
    this.epochs = storageBuffer(device, 'keepEpoch', 2 * evaluator.slots * 4);
    this.group = bindGroup(device, model.kernels.keepLayout, 'keep', [this.state, this.kept, this.epochs]);
    this.sync();
  }

  /** Puts the host's view (best, stop, patience) on the GPU: at the start, and after a rewind. */
  sync(): void {
    const b = this.best;
    const values = { best: b?.valRecall ?? NONE, bestEpoch: b?.epoch ?? 0, stopped: this.stopped ?? 0, patience: this.patience };
    this.model.device.queue.writeBuffer(this.state, 0, record(KEEP_FIELDS, values));
  }

  /** The epochs of a chunk's evaluations, by its validation slots; written before its submit (queue order keeps the last chunk's). */
  writeEpochs(first: number, count: number): void {
    const words = new Uint32Array(count).map((_, e) => first + e);
    this.model.device.queue.writeBuffer(this.epochs, this.evaluator.slots * 4, words);
  }

  /** After the evaluation of the chunk's epoch `e`: keep the weights if they are the best, or stop. */
  encode(encoder: GPUCommandEncoder, e: number): void {
    const ws = this.evaluator.workspace;
    const groups = [ws.controlGroup, this.group];
    const p = this.model.kernels.pipelines;
    this.evaluator.encodeSlot(encoder, this.evaluator.slots + e);
    const pass = encoder.beginComputePass();
    dispatch(pass, p.keep_copy, groups, this.model.size);
    dispatchOne(pass, p.keep_update, groups);
    pass.end();
  }

  /** keep.wgsl's decision for an evaluated epoch, from the recalls read back; true when the run stops at it. */
  observe(epoch: number, valRecall: number, testRecall: number): boolean {
    if (this.stopped !== null) return false;
    if (valRecall > (this.best?.valRecall ?? NONE)) {
      this.best = { epoch, valRecall, testRecall };
    } else if (this.patience > 0 && this.best !== null && epoch - this.best.epoch >= this.patience) {
      this.stopped = epoch;
      return true;
    }
    return false;
  }

  /** The decisions and the kept weights, for a checkpoint; null before any evaluation. */
  async checkpointState(): Promise<SelectionState | null> {
    if (!this.best) return null;
    // The decisions as of the copy queued now: a train() call may decide more before it lands.
    const decided = { best: { ...this.best }, stopped: this.stopped };
    return { ...decided, kept: await readFloats(this.model.device, this.kept, this.model.size) };
  }

  /** Puts a checkpoint's selection back (decisions and kept weights); without one, starts afresh. */
  restore(s: SelectionState | undefined): void {
    this.best = s ? { ...s.best } : null;
    this.stopped = s?.stopped ?? null;
    if (s) this.model.device.queue.writeBuffer(this.kept, 0, s.kept.buffer, s.kept.byteOffset, s.kept.byteLength);
    this.sync();
  }

  /** Puts the kept weights in the model's parameters; null, and nothing changes, before any evaluation. */
  use(): Selected | null {
    if (!this.best) return null;
    const encoder = this.model.device.createCommandEncoder({ label: `selected epoch ${this.best.epoch}` });
    encoder.copyBufferToBuffer(this.kept, 0, this.model.params, 0, this.model.size * 4);
    this.model.device.queue.submit([encoder.finish()]);
    return this.best;
  }

  destroy(): void {
    for (const b of [this.kept, this.state, this.epochs]) b.destroy();
  }
}
