// Why the model scores an item as it does for a user: the score and its rank, its split over
// embedding dimensions, the attention paths that feed both embeddings and connect them, what
// taking nearby ratings out does to it, and one sentence that sums these up.
import type { Pairs } from '../graph/pairs';
import type { Ratings } from '../graph/types';
import type { Snapshot } from '../train/types';
import { slotAlpha, type HeadChoice } from './attention';
import { counterfactuals, type Counterfactual } from './counterfactuals';
import { namedNode, type NamedNode } from './names';
import { connectingPaths, pathsInto, type AttentionPath, type Hop, type LayeredAttention } from './paths';
import { candidateRank, topCandidates, userScores } from './ranking';
import { checkSnapshot, type ExplainableRun } from './run';
import { row, scoreSplit, type DimensionTerm } from './scoreSplit';
import { sentence } from './sentence';

export interface ExplainOptions {
  /** The attention the paths follow: one head (0-based) or the mean over heads (the default). */
  head?: HeadChoice;
  /** Length of the top list; the run's K when left out. */
  topK?: number;
  /** Paths listed of each kind (default 10). */
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
}

export interface NamedConnectingPath extends NamedPath {
  /** Index in `nodes` of the meeting point: its information reaches both the user and the item. */
  meet: number;
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
  /** 1-based among the user's candidates (every item but the user's training items); null for a training item. */
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
 * Explains `run`'s score for (user, item) (user and item indices) from `snapshot`, which must be
 * the run's own. GPU work: one forward pass for the baseline and one per rating taken out.
 */
export async function explain(run: ExplainableRun, snapshot: Snapshot, user: number, item: number, opts: ExplainOptions = {}): Promise<Explanation> {
  checkSnapshot(run, snapshot);
  const { ratings, numUsers, numItems, train } = run.data;
  if (!Number.isInteger(user) || user < 0 || user >= numUsers) throw new RangeError(`explain: user ${user} is not in [0, ${numUsers})`);
  if (!Number.isInteger(item) || item < 0 || item >= numItems) throw new RangeError(`explain: item ${item} is not in [0, ${numItems})`);
  const head = opts.head ?? 'mean';
  const bounds = { top: positiveInteger('paths', opts.paths ?? DEFAULTS.paths), beam: positiveInteger('beam', opts.beam ?? DEFAULTS.beam) };
  const tries = positiveInteger('counterfactuals', opts.counterfactuals ?? DEFAULTS.counterfactuals);
  const topK = positiveInteger('topK', opts.topK ?? snapshot.k);

  const C = snapshot.channels;
  const split = scoreSplit(row(snapshot.user, user, C), row(snapshot.item, item, C));
  const excluded = itemsOf(train, user);
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
  const withNames = (p: AttentionPath): NamedPath => ({ nodes: p.nodes.map(named), hops: p.hops, weight: p.weight });
  const connecting = connectingPaths(attention, user, itemNode, bounds).map((p) => ({ ...withNames(p), meet: p.meet }));

  const ratingOf = ratingTable(ratings);
  const rated = (u: number, i: number): number => {
    const r = ratingOf(u, i);
    if (r === null) throw new Error(`explain: user ${u} and item ${i} are linked in the graph but have no rating`);
    return r;
  };
  const cf = await counterfactuals(run, attention, user, item, tries);
  const tried = cf.tried.map((c) => ({ ...c, userName: named(c.user).name, itemName: named(numUsers + c.item).name, value: rated(c.user, c.item) }));

  const rating = ratingOf(user, item);
  const strongest = connecting[0];
  // Consecutive nodes of a path are a user and an item; users come first in the node space.
  const linkRating = (a: NamedNode, b: NamedNode) => (a.type === 'user' ? rated(a.index, b.index) : rated(b.index, a.index));
  const biggest = tried[0];
  const text = sentence({
    user: named(user).name,
    item: named(itemNode).name,
    score: split.score,
    rank,
    candidates,
    rating,
    path: strongest ? { names: strongest.nodes.map((n) => n.name), ratings: strongest.nodes.slice(1).map((n, s) => linkRating(strongest.nodes[s], n)) } : null,
    layers: attention.alpha.length,
    tried: tried.length,
    change: biggest ? { user: biggest.userName, item: biggest.itemName, score: biggest.score, delta: biggest.delta } : null,
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
    pathsToUser: pathsInto(attention, user, bounds).map(withNames),
    pathsToItem: pathsInto(attention, itemNode, bounds).map(withNames),
    connecting,
    counterfactuals: { baseline: cf.baseline, nearby: cf.nearby, tried },
    sentence: text,
  };
}
