// Attention weights as the explanations read them: per CSR slot of the evaluation graph, one
// head or the mean over heads. The mean of per-head softmaxes still sums to 1 over a node's
// incoming edges, so either choice can be read as "the share of i's message that came from j".
import type { GraphArrays } from '../graph/types';
import type { Snapshot } from '../train/types';
import type { ExplainableRun } from './run';
import { checkSnapshot } from './run';
import { namedNode } from './names';

/** A head index (0-based) or the mean over heads. */
export type HeadChoice = number | 'mean';

/** rates: user → item (the item attends to its users); rev_rates: item → user. */
export type EdgeType = 'rates' | 'rev_rates';

export interface AttentionEdge {
  /** CSR slot in the evaluation graph. */
  slot: number;
  src: number;
  dst: number;
  srcName: string;
  dstName: string;
  type: EdgeType;
  /** The chosen head's weight, or the mean over heads. */
  alpha: number;
  /** Every head's weight. */
  heads: number[];
}

function checkHead(head: HeadChoice, heads: number): void {
  if (head !== 'mean' && !(Number.isInteger(head) && head >= 0 && head < heads)) {
    throw new RangeError(`head must be 'mean' or an integer in [0, ${heads}), got ${head}`);
  }
}

/** Slot `slot`'s weight in one layer's α (slots × heads, slot-major): the head's, or the mean over heads. */
export function headAlpha(alpha: Float32Array, heads: number, slot: number, head: HeadChoice): number {
  if (head !== 'mean') return alpha[slot * heads + head];
  let s = 0;
  for (let h = 0; h < heads; h++) s += alpha[slot * heads + h];
  return s / heads;
}

/** Every head's weight of slot `slot` in one layer's α. */
export function slotHeads(alpha: Float32Array, heads: number, slot: number): number[] {
  return Array.from(alpha.subarray(slot * heads, (slot + 1) * heads));
}

/** One layer's α (slots × heads, slot-major) reduced to one weight per slot. */
export function slotAlpha(alpha: Float32Array, heads: number, head: HeadChoice): Float64Array {
  checkHead(head, heads);
  const slots = alpha.length / heads;
  const out = new Float64Array(slots);
  for (let e = 0; e < slots; e++) out[e] = headAlpha(alpha, heads, e, head);
  return out;
}

/** Every edge of one layer's α, optionally only one edge type, in slot order. */
export function edgeAttention(
  graph: GraphArrays,
  alpha: Float32Array,
  heads: number,
  head: HeadChoice,
  type: EdgeType | 'both',
  name: (node: number) => string,
): AttentionEdge[] {
  const reduced = slotAlpha(alpha, heads, head);
  const out: AttentionEdge[] = [];
  for (let e = 0; e < graph.edgeSrc.length; e++) {
    const src = graph.edgeSrc[e];
    const dst = graph.edgeDst[e];
    const t: EdgeType = src < graph.numUsers ? 'rates' : 'rev_rates';
    if (type !== 'both' && type !== t) continue;
    out.push({
      slot: e,
      src,
      dst,
      srcName: name(src),
      dstName: name(dst),
      type: t,
      alpha: reduced[e],
      heads: slotHeads(alpha, heads, e),
    });
  }
  return out;
}

/** Layer `layer` (1-based, as conv1..convL) of a snapshot's attention, as named edges. */
export function attentionEdges(
  run: ExplainableRun,
  snapshot: Snapshot,
  layer: number,
  head: HeadChoice,
  type: EdgeType | 'both' = 'both',
): AttentionEdge[] {
  checkSnapshot(run, snapshot);
  const { layers, heads } = run.shape;
  if (!Number.isInteger(layer) || layer < 1 || layer > layers) throw new RangeError(`layer must be in [1, ${layers}], got ${layer}`);
  const ratings = run.data.ratings;
  return edgeAttention(run.evaluator.graph, snapshot.attention[layer - 1], heads, head, type, (n) => namedNode(ratings, n).name);
}
