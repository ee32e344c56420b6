// What the graph view draws: which users and movies (all of them for a small dataset, the
// neighbourhood of the focused user or movie for a large one), where, and each rating edge with
// the evaluation-graph slots that carry its attention in either direction.
import { headAlpha, slotHeads } from '../explain/attention';
import { itemLabel, userLabel } from '../explain/names';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import type { AttentionView, Pair } from '../store/shown';
import type { EdgeKind } from './format';
import type { GraphIndex } from './graphIndex';
import { neighbourhood } from './neighbourhood';

/** Beyond this many nodes the view shows the focused node's neighbourhood only (which stays under it). */
export const MAX_DRAWN_NODES = 40;
const MAX_DRAWN_EDGES = 160;

export interface DrawnNode {
  /** Node id in the engine's node space (users first, then items). */
  node: number;
  type: 'user' | 'item';
  index: number;
  name: string;
  x: number;
  y: number;
  /** Training ratings of this node. */
  degree: number;
}

export interface DrawnEdge {
  /** Index of the rating in the dataset. */
  rating: number;
  user: number;
  item: number;
  value: number;
  kind: EdgeKind;
  /** Evaluation-graph slot of user → item (rates), or -1 when this rating carries no messages. */
  toItem: number;
  /** Slot of item → user (rev_rates), or -1. */
  toUser: number;
}

/** What a partial view is centred on. */
export interface GraphFocus {
  node: DrawnNode;
  /** How many of its strongest ratings are drawn, out of how many it has. */
  strongest: number;
  ratings: number;
  /** The explained pair's other end, drawn though it is not among the strongest. */
  pinned: DrawnNode | null;
}

export interface GraphModel {
  width: number;
  height: number;
  users: DrawnNode[];
  items: DrawnNode[];
  edges: DrawnEdge[];
  /** True when only a neighbourhood of a larger graph is drawn. */
  partial: boolean;
  /** The partial view's centre; null when the whole graph is drawn. */
  focus: GraphFocus | null;
  xUser: number;
  xItem: number;
}

const GRAPH_WIDTH = 790;
const X_USER = 175;
const X_ITEM = 500;
const TOP = 40;

/** Rating r's role in the run. */
export function ratingKind(ratings: RunInfo['ratings'], r: number): EdgeKind {
  return ratings.train[r] === 1 ? 'train' : ratings.val[r] === 1 ? 'val' : 'test';
}

/** Too many nodes to draw them all. */
export function isLarge(info: RunInfo): boolean {
  return info.numUsers + info.numItems > MAX_DRAWN_NODES;
}

/**
 * The drawing for the run. A large graph is drawn around the pair's `focus` end, picked by the
 * attention of `view` in `snapshot`; a small one whole, whatever the pair and the view.
 */
export function buildGraphModel(info: RunInfo, index: GraphIndex, pair: Pair | null, focus: 'user' | 'item', view: AttentionView, snapshot: SnapshotData | null): GraphModel {
  const { numUsers, numItems, ratings } = info;
  const edgeOf = (r: number): DrawnEdge => ({
    rating: r,
    user: ratings.user[r],
    item: ratings.item[r],
    value: ratings.rating[r],
    kind: ratingKind(info.ratings, r),
    toItem: index.toItem[r],
    toUser: index.toUser[r],
  });
  if (!isLarge(info)) {
    const userNodes = Array.from({ length: numUsers }, (_, u) => u);
    const itemNodes = Array.from({ length: numItems }, (_, i) => numUsers + i);
    const edges = Array.from({ length: Math.min(ratings.user.length, MAX_DRAWN_EDGES) }, (_, r) => edgeOf(r));
    return layout(info, index, userNodes, itemNodes, edges);
  }

  const user = pair?.user ?? 0;
  const item = numUsers + (pair?.item ?? 0);
  const [centre, pinned] = focus === 'user' ? [user, pair ? item : null] : [item, pair ? user : null];
  const slotOf = view.direction === 'rates' ? index.toItem : index.toUser;
  const strength = (r: number) => alphaOf(snapshot, info.heads, slotOf[r], view.layer, view.head);
  const hood = neighbourhood(info, index, centre, pinned, strength);
  const [userNodes, itemNodes] = focus === 'user' ? [hood.focusSide, hood.otherSide] : [hood.otherSide, hood.focusSide];
  const model = layout(info, index, userNodes, itemNodes, hood.edges.map(edgeOf));
  const drawn = (node: number) => [...model.users, ...model.items].find((n) => n.node === node)!;
  return { ...model, focus: { node: drawn(centre), strongest: hood.strongest, ratings: hood.ratings, pinned: hood.pinnedAdded ? drawn(pinned!) : null } };
}

/** Users left and movies right, each column centred; rows tighten as they grow. */
function layout(info: RunInfo, index: GraphIndex, userNodes: number[], itemNodes: number[], edges: DrawnEdge[]): GraphModel {
  const rows = Math.max(userNodes.length, itemNodes.length, 1);
  const gap = rows <= 4 ? 92 : rows <= 8 ? 64 : rows <= 16 ? 44 : 36;
  const height = TOP + rows * gap + 8;
  const place = (count: number, k: number) => TOP + gap / 2 + (k + (rows - count) / 2) * gap;
  const users = userNodes.map((u, k) => ({ node: u, type: 'user' as const, index: u, name: info.userNames[u], x: X_USER, y: place(userNodes.length, k), degree: index.trainDegree[u] }));
  const items = itemNodes.map((n, k) => ({
    node: n,
    type: 'item' as const,
    index: n - info.numUsers,
    name: info.itemNames[n - info.numUsers],
    x: X_ITEM,
    y: place(itemNodes.length, k),
    degree: index.trainDegree[n],
  }));
  return { width: GRAPH_WIDTH, height, users, items, edges, partial: isLarge(info), focus: null, xUser: X_USER, xItem: X_ITEM };
}

/** The partial view in words: "The 12 strongest of user 414’s 230 ratings by conv3 attention (…), …". */
export function describeFocus(focus: GraphFocus, info: RunInfo, view: AttentionView): string {
  const name = (n: DrawnNode) => (n.type === 'user' ? userLabel(info, n.index) : itemLabel(info, n.index));
  const { node, strongest, ratings } = focus;
  if (ratings === 0) return `${name(node)} has no ratings in this run.`;
  const head = view.head === 'mean' ? 'mean of the heads' : `head ${view.head + 1}`;
  const by = `by conv${view.layer} attention (${head}, ${view.direction === 'rates' ? 'users → movies' : 'movies → users'})`;
  const others = `${node.type === 'user' ? 'each movie’s' : 'each user’s'} strongest other ratings`;
  const count = ratings.toLocaleString('en-US');
  const shown =
    strongest < ratings
      ? `The ${strongest} strongest of ${name(node)}’s ${count} ratings ${by}, with ${others}.`
      : `${ratings === 1 ? `The one rating of ${name(node)}` : `All ${count} of ${name(node)}’s ratings`}, with ${others} ${by}.`;
  const pinned = focus.pinned ? ` The explained ${focus.pinned.type === 'user' ? 'user' : 'movie'}, ${name(focus.pinned)}, is drawn too.` : '';
  return shown + pinned;
}

/** The edge's slot for the view's direction. */
export function slotFor(edge: DrawnEdge, view: AttentionView): number {
  return view.direction === 'rates' ? edge.toItem : edge.toUser;
}

/** α of one slot for the view (one head or the mean over heads); null when the edge carries no messages. */
export function alphaOf(snapshot: SnapshotData | null, heads: number, slot: number, layer: number, head: number | 'mean'): number | null {
  if (!snapshot || slot < 0) return null;
  const a = snapshot.attention[layer - 1];
  return a ? headAlpha(a, heads, slot, head) : null;
}

/** Every head's α of one slot in one layer. */
export function headsOf(snapshot: SnapshotData | null, heads: number, slot: number, layer: number): number[] {
  if (!snapshot || slot < 0) return [];
  const a = snapshot.attention[layer - 1];
  return a ? slotHeads(a, heads, slot) : [];
}

/** A node's final embedding row from a snapshot. */
export function embeddingOf(snapshot: SnapshotData | null, node: DrawnNode): Float32Array | null {
  if (!snapshot) return null;
  const C = snapshot.channels;
  const m = node.type === 'user' ? snapshot.user : snapshot.item;
  return m.subarray(node.index * C, (node.index + 1) * C);
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < v.length; c++) s += v[c] * v[c];
  return Math.sqrt(s);
}
