// KNN-MIPS, the seed's "Learning Stage 5", in float64: the twin of shaders/knn_mips.wgsl and the
// definition of what the GPU search returns.
//
// The item graph: item i's neighbours N(i) are the E other items j with the largest similarity
// <g_i, g_j>, most similar first, ties to the lower index; g_i is item i's embedding ('inner', the
// default: the search's own inner product, so that "a neighbour of my neighbour is likely to be
// my neighbour" holds for the quantity the search maximises) or that row scaled to unit length
// ('cosine'). The search, as the deck's pseudocode: for each of R restarts, x_0 is an item drawn
// uniformly; for t = 1..T the candidates S gain N(x_{t-1}) and x_t is the neighbour in
// N(x_{t-1}) with the largest <q, x> (ties to the lower index). The answer is the K best
// candidates by <q, x> without the user's excluded items, as exactTopK ranks them. As in the deck,
// a start x_0 is not itself a candidate, and the walk moves on even when no neighbour beats x.
// Only items that some item lists as a neighbour can ever be returned; by inner product, items
// of large norm are everyone's neighbours and many items are nobody's (bench/recall.ts counts them).
// The search's inputs (exclusions, graph rows, start items) are the engine's own, from
// src/search/inputs.ts.
import type { PairList } from '../graph/pairs';
import { excludeLists, graphRows, type Similarity } from '../search/inputs';
import type { TopK } from '../search/topk';

export interface SearchOptions {
  /** Random restarts R: walks per user. */
  restarts: number;
  /** Greedy steps T per walk. */
  steps: number;
  /** Items returned per user. */
  k: number;
  /** [user, item] pairs never returned (each user's training items). */
  exclude?: PairList;
}

/** A sorted list (score desc, index asc) of at most `cap` entries. */
class Best {
  readonly score: Float64Array;
  readonly item: Int32Array;
  filled = 0;
  constructor(readonly cap: number) {
    this.score = new Float64Array(cap);
    this.item = new Int32Array(cap).fill(-1);
  }
  offer(s: number, i: number): void {
    const { cap, score, item } = this;
    if (this.filled === cap && !before(s, i, score[cap - 1], item[cap - 1])) return;
    let at = Math.min(this.filled, cap - 1);
    while (at > 0 && before(s, i, score[at - 1], item[at - 1])) {
      score[at] = score[at - 1];
      item[at] = item[at - 1];
      at--;
    }
    score[at] = s;
    item[at] = i;
    if (this.filled < cap) this.filled++;
  }
}

function before(s: number, i: number, t: number, j: number): boolean {
  return s > t || (s === t && i < j);
}

function dot(a: ArrayLike<number>, ra: number, b: ArrayLike<number>, rb: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) s += a[ra * dim + c] * b[rb * dim + c];
  return s;
}

/** numItems × neighbors item indices, most similar first (ties to the lower index), -1 pads. */
export function knnGraph(items: ArrayLike<number>, dim: number, neighbors: number, similarity: Similarity = 'inner'): Int32Array {
  if (!Number.isInteger(neighbors) || neighbors < 1) throw new RangeError(`knnGraph: neighbors must be a positive integer, got ${neighbors}`);
  if (items.length % dim !== 0) throw new RangeError(`knnGraph: items are not rows of ${dim}`);
  const rows = graphRows(items, dim, similarity);
  const numItems = rows.length / dim;
  const graph = new Int32Array(numItems * neighbors);
  for (let i = 0; i < numItems; i++) {
    const best = new Best(neighbors);
    for (let j = 0; j < numItems; j++) if (j !== i) best.offer(dot(rows, i, rows, j, dim), j);
    graph.set(best.item, i * neighbors);
  }
  return graph;
}

export interface SearchResult extends TopK {
  /** Per user, the distinct candidates scored (the size of S, excluded items included). */
  candidates: Uint32Array;
}

/** The deck's KNN-MIPS for every user, from the given start items (numUsers × restarts). */
export function knnMipsSearch(
  user: ArrayLike<number>,
  item: ArrayLike<number>,
  dim: number,
  graph: Int32Array,
  neighbors: number,
  starts: Uint32Array,
  options: SearchOptions,
): SearchResult {
  const { restarts, steps, k } = options;
  for (const [name, v] of [['restarts', restarts], ['steps', steps], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`knnMipsSearch: ${name} must be a positive integer, got ${v}`);
  }
  if (user.length % dim !== 0 || item.length % dim !== 0) throw new RangeError(`knnMipsSearch: embeddings are not rows of ${dim}`);
  const numUsers = user.length / dim;
  const numItems = item.length / dim;
  if (graph.length !== numItems * neighbors) throw new RangeError(`knnMipsSearch: the graph is not ${numItems} × ${neighbors}`);
  if (starts.length !== numUsers * restarts) throw new RangeError(`knnMipsSearch: need ${numUsers * restarts} start items, got ${starts.length}`);
  const ex = excludeLists(numUsers, numItems, options.exclude);
  const index = new Int32Array(numUsers * k);
  const candidates = new Uint32Array(numUsers);
  for (let u = 0; u < numUsers; u++) {
    const excluded = new Set(ex.items.subarray(ex.ptr[u], ex.ptr[u + 1]));
    const scored = new Map<number, number>();
    for (let r = 0; r < restarts; r++) {
      let x = starts[u * restarts + r];
      for (let t = 1; t <= steps; t++) {
        let next = -1;
        let nextScore = 0;
        for (let e = 0; e < neighbors; e++) {
          const j = graph[x * neighbors + e];
          if (j < 0) continue;
          const s = dot(user, u, item, j, dim);
          scored.set(j, s);
          if (next < 0 || before(s, j, nextScore, next)) {
            next = j;
            nextScore = s;
          }
        }
        if (next < 0) break;
        x = next;
      }
    }
    const best = new Best(k);
    for (const [j, s] of scored) if (!excluded.has(j)) best.offer(s, j);
    index.set(best.item, u * k);
    candidates[u] = scored.size;
  }
  return { k, numUsers, index, candidates };
}
