// Edge-removal counterfactuals: the score with one rating taken out of the message-passing graph
// (both of its directions), from one forward pass with the current weights and no retraining. So
// it says what the rating does to this score given what the model has learned, not what the model
// would have learned without it.
import { fullGraph } from '../graph/build';
import { NO_LABELS, type Pairs } from '../graph/pairs';
import type { GraphArrays } from '../graph/types';
import type { LayeredAttention } from './paths';
import type { ExplainableRun } from './run';
import { dot, row } from './scoreSplit';

export interface NearbyRating {
  /** Index into the run's mpEdges. */
  rating: number;
  user: number;
  /** Item index. */
  item: number;
  /** 0: the rating touches the user or the item; 1: it touches one of their neighbours. */
  distance: 0 | 1;
  /** Attention flow through the rating into the two embeddings (see ratingFlow): the order tried. */
  flow: number;
}

export interface Counterfactual extends NearbyRating {
  /** The score without this rating. */
  score: number;
  /** score − baseline */
  delta: number;
}

export interface Counterfactuals {
  /** The score from the same forward pass with nothing removed. */
  baseline: number;
  /** Ratings within distance 1; `tried` holds the first `limit` of them. */
  nearby: number;
  /** By |delta|, largest first. */
  tried: Counterfactual[];
}

/** The graph of `mpEdges` without the ratings `ratings` (indices into mpEdges), in either direction. */
export function graphWithout(numUsers: number, numItems: number, mpEdges: Pairs, ...ratings: number[]): GraphArrays {
  const gone = new Set(ratings);
  const drop = (a: Uint32Array) => a.filter((_, k) => !gone.has(k));
  return fullGraph(numUsers, numItems, { user: drop(mpEdges.user), item: drop(mpEdges.item) }, NO_LABELS);
}

/** The ratings' indices in mpEdges by (user, item) node pair, either way round: all of them where a pair is rated twice. */
export function ratingsBetween(mpEdges: Pairs, numUsers: number, numItems: number): (a: number, b: number) => number[] {
  const byPair = new Map<number, number[]>();
  for (let k = 0; k < mpEdges.user.length; k++) {
    const key = mpEdges.user[k] * numItems + mpEdges.item[k];
    const list = byPair.get(key);
    if (list) list.push(k);
    else byPair.set(key, [k]);
  }
  return (a, b) => {
    const [user, itemNode] = a < numUsers ? [a, b] : [b, a];
    return byPair.get(user * numItems + itemNode - numUsers) ?? [];
  };
}

/** The pair's score from one forward pass on a given graph, with the run's current weights. */
export function pairScorer(run: ExplainableRun, user: number, item: number): (graph: GraphArrays) => Promise<number> {
  const C = run.shape.hidden;
  return async (graph) => {
    const emb = await run.embeddingsFor(graph);
    return dot(row(emb.user, user, C), row(emb.item, item, C));
  };
}

/**
 * How much attention reaches the final embeddings of `targets` through each rating within two
 * hops: the weight of the walks t ← n (α_L[n→t]) and t ← n ← x (α_L[n→t] · α_{L−1}[x→n]) whose
 * last hop is the rating, summed over the targets. With two layers or more, the ratings it
 * lists are exactly those that touch a target or a target's neighbour (a one-layer model sees
 * only the targets' own). Keyed user · numItems + item.
 */
function ratingFlow(g: LayeredAttention, numUsers: number, numItems: number, targets: number[]): Map<number, number> {
  const L = g.alpha.length;
  const flow = new Map<number, number>();
  const add = (a: number, b: number, w: number) => {
    const key = a < numUsers ? a * numItems + (b - numUsers) : b * numItems + (a - numUsers);
    flow.set(key, (flow.get(key) ?? 0) + w);
  };
  for (const t of targets) {
    for (let e = g.dstPtr[t]; e < g.dstPtr[t + 1]; e++) {
      const n = g.edgeSrc[e];
      const w = g.alpha[L - 1][e];
      add(n, t, w);
      if (L < 2) continue;
      for (let e2 = g.dstPtr[n]; e2 < g.dstPtr[n + 1]; e2++) add(g.edgeSrc[e2], n, w * g.alpha[L - 2][e2]);
    }
  }
  return flow;
}

/** The ratings near a (user, item) pair, the most attention flow first. */
export function nearbyRatings(mpEdges: Pairs, g: LayeredAttention, numUsers: number, numItems: number, user: number, item: number): NearbyRating[] {
  const flow = ratingFlow(g, numUsers, numItems, [user, numUsers + item]);
  const out: NearbyRating[] = [];
  for (let k = 0; k < mpEdges.user.length; k++) {
    const u = mpEdges.user[k];
    const i = mpEdges.item[k];
    const f = flow.get(u * numItems + i);
    if (f !== undefined) out.push({ rating: k, user: u, item: i, distance: u === user || i === item ? 0 : 1, flow: f });
  }
  return out.sort((a, b) => b.flow - a.flow);
}

/** Takes each of the first `limit` nearby ratings out in turn and rescores the pair on the GPU. */
export async function counterfactuals(run: ExplainableRun, attention: LayeredAttention, user: number, item: number, limit: number): Promise<Counterfactuals> {
  const { numUsers, numItems, mpEdges } = run.data;
  const scoreOn = pairScorer(run, user, item);
  const baseline = await scoreOn(run.evaluator.graph);
  const nearby = nearbyRatings(mpEdges, attention, numUsers, numItems, user, item);
  const tried: Counterfactual[] = [];
  for (const r of nearby.slice(0, limit)) {
    const score = await scoreOn(graphWithout(numUsers, numItems, mpEdges, r.rating));
    tried.push({ ...r, score, delta: score - baseline });
  }
  tried.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
  return { baseline, nearby: nearby.length, tried };
}
