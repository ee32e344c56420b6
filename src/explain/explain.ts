// Why the model scores an item as it does for a user: the score and its rank, its split over
// embedding dimensions, the attention paths that feed both embeddings and connect them, what
// taking nearby ratings out does to it, and one sentence that sums these up.
import type { Pairs } from '../graph/pairs';
import type { Ratings } from '../graph/types';
import type { Snapshot } from '../train/types';
import { slotAlpha, type HeadChoice } from './attention';
import { counterfactuals, graphWithout, pairScorer, ratingsBetween, type Counterfactual } from './counterfactuals';
import { namedNode, type NamedNode } from './names';
import { connectingPaths, pathsInto, type AttentionPath, type ConnectingPath, type Hop, type LayeredAttention } from './paths';
import { candidateRank, topCandidates, userScores } from './ranking';
import { checkSnapshot, type ExplainableRun } from './run';
import { row, scoreSplit, type DimensionTerm } from './scoreSplit';
import { sentence } from './sentence';

export interface ExplainOptions {
  /** The attention the paths follow: one head (0-based) or the mean over heads (the default). */
  head?: HeadChoice;
  /** Length of the top list; the run's K when left out. */
  topK?: number;
  /** Paths listed of each kind (default 10); each connecting path costs one forward pass, to measure it. */
  paths?: number;
  /** Walks kept per depth by the path search (default 32). */
  beam?: number;
  /** Most ratings taken out, one forward pass each (default 24). */
  counterfactuals?: number;
}

export interface NamedPath {
  nodes: NamedNode[];
  /** hops[s] joins nodes[s] and nodes[s+1]; `from` → `to` is the message's direction. */
  hops: Hop[];
  /** Product of the hops' α. */
  weight: number;
  /**
   * The weight as a share of the total: of all the walks into the node (whose weights sum to 1)
   * for a walk, of the listed connecting paths for a connecting path.
   */
  share: number;
}

export interface NamedConnectingPath extends NamedPath {
  /** Index in `nodes` of the meeting point: its information reaches both the user and the item. */
  meet: number;
  /** The score with all of the path's ratings taken out at once (one forward pass, as a counterfactual). */
  score: number;
  /** score − baseline: negative when the path's ratings raise the pair's score, positive when they lower it. */
  delta: number;
}

export interface NamedCounterfactual extends Counterfactual {
  userName: string;
  itemName: string;
  /** The rating's value (stars). */
  value: number;
}

export interface Explanation {
  /** Epochs trained when the snapshot was taken. */
  epoch: number;
  user: NamedNode;
  item: NamedNode;
  /** ⟨h_user, h_item⟩ from the snapshot's embeddings (float64 sum of the split's terms). */
  score: number;
  /** The score's terms, one per embedding dimension, in dimension order. */
  split: DimensionTerm[];
  /** 1-based among the user's candidates (every item but the user's seen items: training and validation); null for a seen item. */
  rank: number | null;
  candidates: number;
  trainingItem: boolean;
  /** The user's rating of the item in the data (training or held out), or null. */
  rating: number | null;
  /** The user's best candidates, best first. */
  top: { item: NamedNode; score: number }[];
  layers: number;
  head: HeadChoice;
  /** The strongest walks into the user's final embedding (see paths.ts). */
  pathsToUser: NamedPath[];
  /** The same for the item. */
  pathsToItem: NamedPath[];
  /** The strongest paths from the user to the item through a meeting point (see paths.ts). */
  connecting: NamedConnectingPath[];
  counterfactuals: {
    /** The score of a forward pass on the unchanged graph: the deltas are against it. */
    baseline: number;
    /** Ratings within distance 1 of the pair; the first `opts.counterfactuals` are tried. */
    nearby: number;
    /** By |delta|, largest first. */
    tried: NamedCounterfactual[];
  };
  sentence: string;
}

const DEFAULTS = { paths: 10, beam: 32, counterfactuals: 24 };

function positiveInteger(what: string, x: number): number {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`explain: ${what} must be a positive integer, got ${x}`);
  return x;
}

function itemsOf(pairs: Pairs, user: number): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < pairs.user.length; k++) if (pairs.user[k] === user) out.add(pairs.item[k]);
  return out;
}

/** Looks up a rating by (user, item); a pair rated twice reads as its later rating. */
function ratingTable(ratings: Ratings): (user: number, item: number) => number | null {
  const numItems = ratings.itemNames.length;
  const table = new Map<number, number>();
  for (let k = 0; k < ratings.user.length; k++) table.set(ratings.user[k] * numItems + ratings.item[k], ratings.rating[k]);
  return (user, item) => table.get(user * numItems + item) ?? null;
}

/**
 * The connecting paths, named, each with its share of their total weight and the score without
 * its ratings: one forward pass per path, so that a path is read as a reason for the score or
 * against it by what it does, not by its ratings' stars.
 */
async function measuredPaths(
  run: ExplainableRun,
  paths: ConnectingPath[],
  user: number,
  item: number,
  baseline: number,
  withNames: (p: AttentionPath, total: number) => NamedPath,
): Promise<NamedConnectingPath[]> {
  const { numUsers, numItems, mpEdges } = run.data;
  const between = ratingsBetween(mpEdges, numUsers, numItems);
  const scoreOn = pairScorer(run, user, item);
  const total = paths.reduce((s, p) => s + p.weight, 0);
  const out: NamedConnectingPath[] = [];
  for (const p of paths) {
    const ratings = p.hops.flatMap((h) => between(h.from, h.to));
    const score = await scoreOn(graphWithout(numUsers, numItems, mpEdges, ...new Set(ratings)));
    out.push({ ...withNames(p, total), meet: p.meet, score, delta: score - baseline });
  }
  return out;
}

/**
 * Explains `run`'s score for (user, item) (user and item indices) from `snapshot`, which must be
 * the run's own. GPU work: one forward pass for the baseline and one per rating taken out.
 */
export async function explain(run: ExplainableRun, snapshot: Snapshot, user: number, item: number, opts: ExplainOptions = {}): Promise<Explanation> {
  checkSnapshot(run, snapshot);
  const { ratings, numUsers, numItems, seen } = run.data;
  if (!Number.isInteger(user) || user < 0 || user >= numUsers) throw new RangeError(`explain: user ${user} is not in [0, ${numUsers})`);
  if (!Number.isInteger(item) || item < 0 || item >= numItems) throw new RangeError(`explain: item ${item} is not in [0, ${numItems})`);
  const head = opts.head ?? 'mean';
  const bounds = { top: positiveInteger('paths', opts.paths ?? DEFAULTS.paths), beam: positiveInteger('beam', opts.beam ?? DEFAULTS.beam) };
  const tries = positiveInteger('counterfactuals', opts.counterfactuals ?? DEFAULTS.counterfactuals);
  const topK = positiveInteger('topK', opts.topK ?? snapshot.k);

  const C = snapshot.channels;
  const split = scoreSplit(row(snapshot.user, user, C), row(snapshot.item, item, C));
  const excluded = itemsOf(seen, user);
  const scores = userScores(snapshot.user, snapshot.item, C, user);
  const { rank, candidates } = candidateRank(scores, excluded, item);
  const named = (n: number) => namedNode(ratings, n);
  const top = topCandidates(scores, excluded, topK).map((s) => ({ item: named(numUsers + s.item), score: s.score }));

  const graph = run.evaluator.graph;
  const attention: LayeredAttention = {
    dstPtr: graph.dstPtr,
    edgeSrc: graph.edgeSrc,
    alpha: snapshot.attention.map((a) => slotAlpha(a, run.shape.heads, head)),
  };
  const itemNode = numUsers + item;
  const withNames = (p: AttentionPath, total: number): NamedPath => ({ nodes: p.nodes.map(named), hops: p.hops, weight: p.weight, share: p.weight / total });

  const ratingOf = ratingTable(ratings);
  const rated = (u: number, i: number): number => {
    const r = ratingOf(u, i);
    if (r === null) throw new Error(`explain: user ${u} and item ${i} are linked in the graph but have no rating`);
    return r;
  };
  const cf = await counterfactuals(run, attention, user, item, tries);
  const connecting = await measuredPaths(run, connectingPaths(attention, user, itemNode, bounds), user, item, cf.baseline, withNames);
  const tried = cf.tried.map((c) => ({ ...c, userName: named(c.user).name, itemName: named(numUsers + c.item).name, value: rated(c.user, c.item) }));

  const rating = ratingOf(user, item);
  const seenIn = rank !== null ? null : itemsOf(run.data.val, user).has(item) ? 'validation' : 'training';
  // Consecutive nodes of a path are a user and an item; users come first in the node space.
  const linkRating = (a: NamedNode, b: NamedNode) => (a.type === 'user' ? rated(a.index, b.index) : rated(b.index, a.index));
  const text = sentence({
    user: named(user).name,
    item: named(itemNode).name,
    score: split.score,
    rank,
    candidates,
    rating,
    seenIn,
    paths: connecting.map((p) => ({ names: p.nodes.map((n) => n.name), ratings: p.nodes.slice(1).map((n, s) => linkRating(p.nodes[s], n)), share: p.share, delta: p.delta, score: p.score })),
    layers: attention.alpha.length,
    changes: tried.map((c) => ({ user: c.userName, item: c.itemName, score: c.score, delta: c.delta })),
  });

  return {
    epoch: snapshot.epoch,
    user: named(user),
    item: named(itemNode),
    score: split.score,
    split: split.terms,
    rank,
    candidates,
    trainingItem: rank === null,
    rating,
    top,
    layers: attention.alpha.length,
    head,
    // The weights of all the walks into a node sum to 1 (see paths.ts): each is its own share.
    pathsToUser: pathsInto(attention, user, bounds).map((p) => withNames(p, 1)),
    pathsToItem: pathsInto(attention, itemNode, bounds).map((p) => withNames(p, 1)),
    connecting,
    counterfactuals: { baseline: cf.baseline, nearby: cf.nearby, tried },
    sentence: text,
  };
}
