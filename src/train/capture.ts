// Snapshots taken on the GPU in the middle of a chunk: after a kept epoch's evaluation, its
// embeddings, every layer's attention and the top-K are copied into one capture buffer (one slot
// per kept epoch), read back with the chunk's other results and cut into Snapshots.
import type { Gpu } from '../gpu/device';
import { storageBuffer } from '../gpu/buffers';
import type { ModelShape } from '../model/params';
import type { Evaluator } from './evaluator';
import type { Snapshot } from './types';

export class SnapshotCapture {
  private buffer: GPUBuffer | null = null;

  constructor(
    private readonly gpu: Gpu,
    private readonly evaluator: Evaluator,
    private readonly shape: ModelShape,
    private readonly numUsers: number,
  ) {}

  /** Bytes of one captured snapshot: embeddings, every layer's attention, the top-K. */
  get bytes(): number {
    const c = this.evaluator.counts;
    return (c.nodes * this.shape.hidden + this.shape.layers * c.edges * this.shape.heads) * 4 + this.evaluator.topKBytes;
  }

  /** A buffer with room for `count` snapshots (grown when it has not), or null for none. */
  ensure(count: number): GPUBuffer | null {
    if (count === 0) return null;
    const bytes = count * this.bytes;
    if (!this.buffer || this.buffer.size < bytes) {
      this.buffer?.destroy();
      this.buffer = storageBuffer(this.gpu.device, 'capture', bytes);
    }
    return this.buffer;
  }

  /** Copies the evaluation's results into slot `k` of `capture`. */
  encode(encoder: GPUCommandEncoder, capture: GPUBuffer, k: number): void {
    const ws = this.evaluator.workspace;
    const c = this.evaluator.counts;
    const { hidden: C, heads: H } = this.shape;
    let at = k * this.bytes;
    const layers = ws.layout.layers;
    encoder.copyBufferToBuffer(ws.arena, layers[layers.length - 1].out * 4, capture, at, c.nodes * C * 4);
    at += c.nodes * C * 4;
    for (const a of layers) {
      encoder.copyBufferToBuffer(ws.arena, a.alpha * 4, capture, at, c.edges * H * 4);
      at += c.edges * H * 4;
    }
    this.evaluator.encodeCopyTopK(encoder, capture, at);
  }

  /** Slot `k` of a captured readback, as the snapshot of `epoch`. */
  unpack(buffer: ArrayBuffer, k: number, epoch: number): Snapshot {
    const c = this.evaluator.counts;
    const { hidden: C, heads: H, layers } = this.shape;
    const U = this.numUsers;
    let at = k * this.bytes;
    const floats = (n: number) => {
      const a = new Float32Array(buffer.slice(at, at + n * 4));
      at += n * 4;
      return a;
    };
    const user = floats(U * C);
    const item = floats((c.nodes - U) * C);
    const attention = Array.from({ length: layers }, () => floats(c.edges * H));
    const topk = new Int32Array(buffer.slice(at, at + this.evaluator.topKBytes));
    return { epoch, k: this.evaluator.k, channels: C, user, item, topk, attention };
  }

  destroy(): void {
    this.buffer?.destroy();
    this.buffer = null;
  }
}
