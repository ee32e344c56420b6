// Which epochs a run keeps a snapshot of, for time travel. A small run (the toy) keeps every
// epoch; a large one keeps an evenly thinned set that fits a memory budget.

/** Memory that kept snapshots may take, in bytes. */
export const SNAPSHOT_BUDGET_BYTES = 64 * 1024 * 1024;
/** Snapshots kept at most, however small (the slider has this many stops). */
export const MAX_KEPT = 3000;

export interface SnapshotSize {
  numUsers: number;
  numItems: number;
  channels: number;
  k: number;
  layers: number;
  /** Edges of the evaluation graph (both directions). */
  edges: number;
  heads: number;
}

export function snapshotBytes(s: SnapshotSize): number {
  return 4 * ((s.numUsers + s.numItems) * s.channels + s.numUsers * s.k + s.layers * s.edges * s.heads);
}

/**
 * The stride between kept epochs: 1 when every epoch of the run fits the budget, else the
 * smallest stride that keeps the kept set (epoch 0, every stride-th epoch and the last) bounded.
 */
export function keepStride(size: SnapshotSize, epochs: number): number {
  const fit = Math.max(2, Math.min(MAX_KEPT, Math.floor(SNAPSHOT_BUDGET_BYTES / Math.max(1, snapshotBytes(size)))));
  // Kept: epochs 0, s, 2s, ... and the last one, so ⌊epochs / s⌋ + 2 at most.
  return Math.max(1, Math.ceil(epochs / (fit - 2)));
}

export function keeps(stride: number, epochs: number): (epoch: number) => boolean {
  return (epoch) => epoch % stride === 0 || epoch === epochs;
}
