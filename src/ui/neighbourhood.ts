// Which part of a large graph the view draws around one user or movie (the focus): its strongest
// ratings by attention, then the strongest other ratings of those neighbours, then every rating
// among the chosen nodes that still fits. The work is the size of the neighbourhood's ratings,
// read through the run's index.
import type { RunInfo } from '../worker/protocol';
import { ratingsOf, type GraphIndex } from './graphIndex';

/** The attention α of a rating for the view, or null when it carries no messages (it ranks last). */
export type Strength = (rating: number) => number | null;

export const NEIGHBOURHOOD_LIMITS = {
  /** The focus's strongest ratings drawn. */
  neighbours: 12,
  /** Each neighbour's strongest other ratings, taken in rounds while there is room. */
  perNeighbour: 2,
  /** Nodes added beside the focus through its neighbours. */
  secondHop: 18,
  edges: 160,
};

export interface Neighbourhood {
  /** The focus's column, top to bottom (node ids): the nodes reached through neighbours, the focus in the middle. */
  focusSide: number[];
  /** The other column: the focus's neighbours, strongest first, then the pinned node when it is not one of them. */
  otherSide: number[];
  /** Ratings drawn: the focus's first, then those that brought in its neighbours' neighbours, then the strongest others. */
  edges: number[];
  /** How many of the focus's strongest ratings are drawn, out of how many it has. */
  strongest: number;
  ratings: number;
  /** The pinned node is drawn though it is not among the focus's strongest. */
  pinnedAdded: boolean;
}

/**
 * The neighbourhood of `focus` (a node id). `pinned`, a node of the other type (the explained
 * pair's other end), is always drawn.
 */
export function neighbourhood(info: RunInfo, index: GraphIndex, focus: number, pinned: number | null, strength: Strength): Neighbourhood {
  const limits = NEIGHBOURHOOD_LIMITS;
  const { numUsers } = info;
  const { user, item } = info.ratings;
  const across = (rating: number, node: number) => (node < numUsers ? numUsers + item[rating] : user[rating]);
  const rank = (rating: number) => strength(rating) ?? -1;

  const focusRatings = ratingsOf(index, focus);
  const top = strongest(focusRatings, limits.neighbours, rank, () => true);
  const otherSide = [...new Set(top.map((r) => across(r, focus)))];
  const pinnedAdded = pinned !== null && !otherSide.includes(pinned);
  if (pinnedAdded) otherSide.push(pinned);

  // Round by round, each neighbour brings in its next strongest other rating's node, so that with
  // little room every neighbour still gets one.
  const next = otherSide.map((n) => strongest(ratingsOf(index, n), limits.perNeighbour, rank, (r) => across(r, n) !== focus));
  const anchor = new Map<number, number>();
  const bridges = new Set<number>();
  for (let round = 0; round < limits.perNeighbour; round++) {
    for (let k = 0; k < otherSide.length; k++) {
      const r = next[k][round];
      if (r === undefined) continue;
      const m = across(r, otherSide[k]);
      if (!anchor.has(m)) {
        if (anchor.size >= limits.secondHop) continue;
        anchor.set(m, k);
      }
      bridges.add(r);
    }
  }
  // Beside the neighbour that brought it in, so that its edges run level; the focus in the middle.
  const reached = [...anchor.keys()].sort((p, q) => anchor.get(p)! - anchor.get(q)!);
  const half = Math.floor(reached.length / 2);
  const focusSide = [...reached.slice(0, half), focus, ...reached.slice(half)];

  const edges = ratingsAmong(index, focusSide, otherSide, across);
  const touchesFocus = (r: number) => (focus < numUsers ? user[r] === focus : numUsers + item[r] === focus);
  const priority = (r: number) => (touchesFocus(r) ? 0 : bridges.has(r) ? 1 : 2);
  edges.sort((p, q) => priority(p) - priority(q) || rank(q) - rank(p) || p - q);
  return { focusSide, otherSide, edges: edges.slice(0, limits.edges), strongest: top.length, ratings: focusRatings.length, pinnedAdded };
}

/** Every rating between the two columns, read from whichever column has fewer ratings. */
function ratingsAmong(index: GraphIndex, left: number[], right: number[], across: (rating: number, node: number) => number): number[] {
  const load = (nodes: number[]) => nodes.reduce((s, n) => s + index.ratingPtr[n + 1] - index.ratingPtr[n], 0);
  const [from, to] = load(left) <= load(right) ? [left, new Set(right)] : [right, new Set(left)];
  const found: number[] = [];
  for (const n of from) {
    for (const r of ratingsOf(index, n)) if (to.has(across(r, n))) found.push(r);
  }
  return found;
}

/** The k ratings of `ids` that `keep` accepts with the highest rank, highest first; ties go to the earlier rating. */
function strongest(ids: Uint32Array, k: number, rank: (rating: number) => number, keep: (rating: number) => boolean): number[] {
  const top: number[] = [];
  const score: number[] = [];
  for (const r of ids) {
    if (!keep(r)) continue;
    const s = rank(r);
    if (top.length === k) {
      if (s <= score[k - 1]) continue;
      top.pop();
      score.pop();
    }
    let p = top.length;
    top.push(r);
    score.push(s);
    for (; p > 0 && score[p - 1] < s; p--) {
      top[p] = top[p - 1];
      score[p] = score[p - 1];
    }
    top[p] = r;
    score[p] = s;
  }
  return top;
}
