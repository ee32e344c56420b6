// What the engine keeps of a run's past epochs: snapshots for time travel and explanations, and
// weights (checkpoints) for counterfactuals in the past and for going on after a lost GPU device.
// A run rewound (diverged, or rebuilt at its last kept epoch) forgets what came after.
import type { Trainer } from '../train/trainer';
import type { Checkpoint, Snapshot } from '../train/types';

export class EpochArchive {
  readonly snapshots = new Map<number, Snapshot>();
  /** The last epoch's snapshot, kept or not: the page explains the live epoch too. */
  latest: Snapshot | null = null;
  /** Weights at some kept epochs (where a train() call ended), for counterfactuals in the past. */
  readonly weights = new Map<number, Float32Array>();
  /** The last weight readback still in flight. */
  pending: Promise<void> = Promise.resolve();
  /** The run's state at its last kept epoch (in CPU memory): where it goes on if the GPU device is lost. */
  lastKept: Checkpoint | null = null;

  /** A new run: nothing kept. */
  clear(): void {
    this.snapshots.clear();
    this.latest = null;
    this.weights.clear();
    this.lastKept = null;
  }

  /** Forgets the snapshots and weights of the epochs after `epoch`, where the run was rewound. */
  forgetAfter(epoch: number): void {
    for (const e of [...this.snapshots.keys()]) if (e > epoch) this.snapshots.delete(e);
    for (const e of [...this.weights.keys()]) if (e > epoch) this.weights.delete(e);
  }

  /**
   * Keeps a checkpoint of the trainer's current epoch when it is a kept one (`kept`) or the run
   * has none yet. Not awaited: the copies are queued before the next chunk's work, so they hold
   * this epoch's state, and their readback completes alongside that chunk instead of adding a
   * wait. `current` says whether the run is still the one it was taken from when it lands.
   */
  keepCheckpoint(trainer: Trainer, kept: boolean, current: () => boolean): void {
    const epoch = trainer.epoch;
    if (this.lastKept !== null && (this.weights.has(epoch) || !kept)) return;
    this.pending = trainer.checkpoint().then(
      (c) => {
        if (!current()) return;
        this.weights.set(epoch, c.params);
        this.lastKept = c;
      },
      () => undefined,
    );
  }

  /** The snapshot to explain at `epoch`: the live one, the kept one, or the nearest kept before it. */
  snapshotAt(epoch: number): Snapshot | undefined {
    const live = this.latest?.epoch === epoch ? this.latest : undefined;
    return live ?? this.snapshots.get(epoch) ?? this.snapshots.get(nearestAtOrBefore(this.snapshots, epoch) ?? -1);
  }

  /** The epoch whose weights stand for `epoch`: `current` (the model's own), a kept one, or the nearest kept before it. */
  weightsEpochFor(epoch: number, current: number): number | null {
    return epoch === current || this.weights.has(epoch) ? epoch : nearestAtOrBefore(this.weights, epoch);
  }
}

function nearestAtOrBefore(map: Map<number, unknown>, epoch: number): number | null {
  let best: number | null = null;
  for (const e of map.keys()) if (e <= epoch && (best === null || e > best)) best = e;
  return best;
}
