// What the graph view draws: which users and movies (all of them for a small dataset, the
// neighbourhood of the explained pair for a large one), where, and each rating edge with the
// evaluation-graph slots that carry its attention in either direction.
import type { RunInfo, SnapshotData } from '../worker/protocol';
import type { AttentionView, Pair } from '../store/runStore';

/** Beyond this many nodes the view shows the explained pair's neighbourhood only. */
export const MAX_DRAWN_NODES = 40;
const NEIGHBOURS_SHOWN = 9;
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
  train: boolean;
  /** Evaluation-graph slot of user → item (rates), or -1 when this rating carries no messages. */
  toItem: number;
  /** Slot of item → user (rev_rates), or -1. */
  toUser: number;
}

export interface GraphModel {
  width: number;
  height: number;
  users: DrawnNode[];
  items: DrawnNode[];
  edges: DrawnEdge[];
  /** True when only a neighbourhood of a larger graph is drawn. */
  partial: boolean;
  xUser: number;
  xItem: number;
}

export const GRAPH_WIDTH = 790;
const X_USER = 175;
const X_ITEM = 500;
const TOP = 40;

export function buildGraphModel(info: RunInfo, pair: Pair | null): GraphModel {
  const { numUsers, numItems, ratings } = info;
  const partial = numUsers + numItems > MAX_DRAWN_NODES;
  let userSet: number[];
  let itemSet: number[];
  if (!partial) {
    userSet = Array.from({ length: numUsers }, (_, u) => u);
    itemSet = Array.from({ length: numItems }, (_, i) => i);
  } else {
    const u0 = pair?.user ?? 0;
    const i0 = pair?.item ?? 0;
    const users = new Set([u0]);
    const items = new Set([i0]);
    for (let r = 0; r < ratings.user.length; r++) {
      if (ratings.user[r] === u0 && items.size < NEIGHBOURS_SHOWN + 1) items.add(ratings.item[r]);
      if (ratings.item[r] === i0 && users.size < NEIGHBOURS_SHOWN + 1) users.add(ratings.user[r]);
    }
    userSet = [...users];
    itemSet = [...items];
  }
  const userPos = new Map(userSet.map((u, k) => [u, k]));
  const itemPos = new Map(itemSet.map((i, k) => [i, k]));

  // Slots of each (src, dst) pair, in slot order, handed out to ratings in order.
  const slots = new Map<string, number[]>();
  const { edgeSrc, edgeDst } = info.graph;
  for (let e = 0; e < edgeSrc.length; e++) {
    const key = `${edgeSrc[e]}>${edgeDst[e]}`;
    const list = slots.get(key);
    if (list) list.push(e);
    else slots.set(key, [e]);
  }
  const take = (src: number, dst: number) => slots.get(`${src}>${dst}`)?.shift() ?? -1;

  const degree = new Map<number, number>();
  const edges: DrawnEdge[] = [];
  for (let r = 0; r < ratings.user.length; r++) {
    const u = ratings.user[r];
    const i = ratings.item[r];
    const train = ratings.train[r] === 1;
    const carries = train || info.settings.messagePassing === 'all';
    const toItem = carries ? take(u, numUsers + i) : -1;
    const toUser = carries ? take(numUsers + i, u) : -1;
    if (train) {
      degree.set(u, (degree.get(u) ?? 0) + 1);
      degree.set(numUsers + i, (degree.get(numUsers + i) ?? 0) + 1);
    }
    if (!userPos.has(u) || !itemPos.has(i) || edges.length >= MAX_DRAWN_EDGES) continue;
    edges.push({ rating: r, user: u, item: i, value: ratings.rating[r], train, toItem, toUser });
  }

  const rows = Math.max(userSet.length, itemSet.length, 1);
  const gap = rows <= 4 ? 92 : rows <= 8 ? 64 : 44;
  const height = TOP + rows * gap + 8;
  const place = (count: number, k: number) => TOP + gap / 2 + (k + (rows - count) / 2) * gap;
  const users = userSet.map((u, k) => ({ node: u, type: 'user' as const, index: u, name: info.userNames[u], x: X_USER, y: place(userSet.length, k), degree: degree.get(u) ?? 0 }));
  const items = itemSet.map((i, k) => ({
    node: numUsers + i,
    type: 'item' as const,
    index: i,
    name: info.itemNames[i],
    x: X_ITEM,
    y: place(itemSet.length, k),
    degree: degree.get(numUsers + i) ?? 0,
  }));
  return { width: GRAPH_WIDTH, height, users, items, edges, partial, xUser: X_USER, xItem: X_ITEM };
}

/** The edge's slot for the view's direction. */
export function slotFor(edge: DrawnEdge, view: AttentionView): number {
  return view.direction === 'rates' ? edge.toItem : edge.toUser;
}

/** α of one slot for the view (one head or the mean over heads); null when the edge carries no messages. */
export function alphaOf(snapshot: SnapshotData | null, heads: number, slot: number, layer: number, head: number | 'mean'): number | null {
  if (!snapshot || slot < 0) return null;
  const a = snapshot.attention[layer - 1];
  if (!a) return null;
  if (head !== 'mean') return a[slot * heads + head];
  let s = 0;
  for (let h = 0; h < heads; h++) s += a[slot * heads + h];
  return s / heads;
}

/** Every head's α of one slot in one layer. */
export function headsOf(snapshot: SnapshotData | null, heads: number, slot: number, layer: number): number[] {
  if (!snapshot || slot < 0) return [];
  const a = snapshot.attention[layer - 1];
  return a ? Array.from(a.subarray(slot * heads, (slot + 1) * heads)) : [];
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
