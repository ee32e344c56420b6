// What training changed, read from snapshots: how far attention moved since an earlier epoch, per
// layer and head (to show the view that changed most), one edge's α in every layer and head over
// the kept epochs, and where one movie stands for one user over them (its rank and its score's
// margin over the best other candidate), which moves smoothly where Recall@K jumps between 0 and 1.
import { slotAlpha } from './attention';
import { candidateRank, userScores } from './ranking';

/** The parts of a snapshot read here (the engine's Snapshot has them). */
export interface AttentionSnapshot {
  epoch: number;
  /** Per layer: α per CSR slot and head, slot-major. */
  attention: Float32Array[];
}

export interface EmbeddingSnapshot {
  epoch: number;
  channels: number;
  user: Float32Array;
  item: Float32Array;
}

export interface LayerHeadChange {
  /** 1-based, as conv1..convL. */
  layer: number;
  /** 0-based head, or the mean over heads. */
  head: number | 'mean';
  /** Mean over slots of |α_now − α_then|. */
  change: number;
}

/** Per layer, each head's and the heads' mean's mean |Δα| over the slots between two snapshots. */
export function attentionChange(then: AttentionSnapshot, now: AttentionSnapshot, heads: number): LayerHeadChange[] {
  if (then.attention.length !== now.attention.length) throw new RangeError(`attentionChange: ${then.attention.length} layers against ${now.attention.length}`);
  const out: LayerHeadChange[] = [];
  now.attention.forEach((a, l) => {
    const b = then.attention[l];
    if (a.length !== b.length) throw new RangeError(`attentionChange: layer ${l + 1} has ${b.length} weights at epoch ${then.epoch} and ${a.length} at ${now.epoch}`);
    for (const head of ['mean', ...Array.from({ length: heads }, (_, h) => h)] as (number | 'mean')[]) {
      const x = slotAlpha(a, heads, head);
      const y = slotAlpha(b, heads, head);
      let s = 0;
      for (let e = 0; e < x.length; e++) s += Math.abs(x[e] - y[e]);
      out.push({ layer: l + 1, head, change: x.length === 0 ? 0 : s / x.length });
    }
  });
  return out;
}

/** The layer and head whose α moved most; ties to the lower layer, the mean before single heads. */
export function mostChanged(then: AttentionSnapshot, now: AttentionSnapshot, heads: number): LayerHeadChange | null {
  return mostOf(attentionChange(then, now, heads));
}

/** The current view is kept while its α moved at least this share as far as the most-moved one's. */
const KEEP_SHARE = 0.9;

/**
 * The layer and head to show while the user has picked none: the one whose α moved most since
 * `then`, or null to keep `current` (nothing moved yet, or `current` moved nearly as far: the
 * view does not flip between near ties as training goes on).
 */
export function followMostChanged(then: AttentionSnapshot, now: AttentionSnapshot, heads: number, current: Pick<LayerHeadChange, 'layer' | 'head'>): LayerHeadChange | null {
  const changes = attentionChange(then, now, heads);
  const best = mostOf(changes);
  if (!best || !(best.change > 0)) return null;
  const kept = changes.find((c) => c.layer === current.layer && c.head === current.head);
  return kept && kept.change >= KEEP_SHARE * best.change ? null : best;
}

function mostOf(changes: LayerHeadChange[]): LayerHeadChange | null {
  let best: LayerHeadChange | null = null;
  for (const c of changes) if (!best || c.change > best.change) best = c;
  return best;
}

/** One slot's α over the snapshots (in their order): alpha[layer − 1][head][k] for snapshot k. */
export function slotHistory(snapshots: AttentionSnapshot[], slot: number, heads: number): { epochs: number[]; alpha: number[][][] } {
  const layers = snapshots[0]?.attention.length ?? 0;
  const alpha = Array.from({ length: layers }, () => Array.from({ length: heads }, () => [] as number[]));
  for (const s of snapshots) {
    s.attention.forEach((a, l) => {
      for (let h = 0; h < heads; h++) alpha[l][h].push(a[slot * heads + h]);
    });
  }
  return { epochs: snapshots.map((s) => s.epoch), alpha };
}

export interface Standing {
  epoch: number;
  /** 1-based among the user's candidates. */
  rank: number;
  /** The item's score minus the best other candidate's: above 0 when it is first. */
  margin: number;
}

/** Where `item` stands among `user`'s candidates (every item not in `excluded`) in each snapshot. */
export function standing(snapshots: EmbeddingSnapshot[], user: number, item: number, excluded: ReadonlySet<number>): Standing[] {
  if (excluded.has(item)) throw new RangeError(`standing: item ${item} is one of the user's training items, not a candidate`);
  return snapshots.map((s) => {
    const scores = userScores(s.user, s.item, s.channels, user);
    const { rank } = candidateRank(scores, excluded, item);
    let other = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) if (i !== item && !excluded.has(i) && scores[i] > other) other = scores[i];
    return { epoch: s.epoch, rank: rank ?? 0, margin: Number.isFinite(other) ? scores[item] - other : 0 };
  });
}
