// What an explanation needs from a training run. Trainer satisfies it as it is; naming only these
// members keeps the explainer clear of the trainer's internals (and lets tests stand in a fake).
import type { Pairs } from '../graph/pairs';
import type { GraphArrays, Ratings } from '../graph/types';
import type { Snapshot } from '../train/types';

export interface ExplainableRun {
  readonly data: {
    readonly ratings: Ratings;
    readonly numUsers: number;
    readonly numItems: number;
    /** Each user's seen items (training and validation ratings): never candidates, as in every ranking of the run. */
    readonly seen: Pairs;
    /** The validation ratings (seen, but held out of training to choose the epoch). */
    readonly val: Pairs;
    readonly test: Pairs;
    /** The ratings messages travel along, one entry per rating (both directions in the graph). */
    readonly mpEdges: Pairs;
  };
  /** The evaluation graph: every message-passing edge in both directions, CSR by destination. */
  readonly evaluator: { readonly graph: GraphArrays };
  readonly shape: { readonly layers: number; readonly heads: number; readonly hidden: number };
  /** The encoder's output with the current weights on another graph over the same nodes. */
  embeddingsFor(graph: GraphArrays): Promise<{ user: Float32Array; item: Float32Array }>;
}

/** Throws unless the snapshot was taken from this run's shape and evaluation graph. */
export function checkSnapshot(run: ExplainableRun, snapshot: Snapshot): void {
  const { numUsers, numItems } = run.data;
  const { layers, heads, hidden } = run.shape;
  const edges = run.evaluator.graph.edgeSrc.length;
  const fits =
    snapshot.channels === hidden &&
    snapshot.user.length === numUsers * hidden &&
    snapshot.item.length === numItems * hidden &&
    snapshot.attention.length === layers &&
    snapshot.attention.every((a) => a.length === edges * heads);
  if (!fits) throw new Error('explain: the snapshot does not belong to this run (its embeddings or attention have other sizes)');
}
