// Item-kNN, the neighbourhood baseline a recommender has to beat, in float64: the yardstick of the
// GPU version (src/search/itemKnn.ts, shaders/item_knn.wgsl). Items are compared by the users
// who rated them in training, as binary vectors (a repeated pair counts once):
//   sim(i, j) = |U(i) ∩ U(j)| / (√|U(i)| · √|U(j)|)          (cosine; 0 when either has no user)
//   score(u, i) = Σ_{j ∈ I(u)} sim(i, j)                      (over every training item of u)
// and a user's list is the exact top-K of the scores without the excluded items, ties to the
// lower item index (as every top-K of the engine).
import type { PairArrays } from '../graph/pairs';
import { excludeLists, ratedLists } from '../search/inputs';
import type { TopK } from '../search/topk';

/** numUsers × numItems scores, row-major. */
export function itemKnnScores(numUsers: number, numItems: number, train: PairArrays): Float64Array {
  const { byUser, byItem } = ratedLists(numUsers, numItems, train);
  const norm = Float64Array.from({ length: numItems }, (_, i) => Math.sqrt(byItem.ptr[i + 1] - byItem.ptr[i]));
  const scores = new Float64Array(numUsers * numItems);
  for (let i = 0; i < numItems; i++) {
    if (norm[i] === 0) continue;
    // co[j] = |U(i) ∩ U(j)| for every item j.
    const co = new Float64Array(numItems);
    for (let p = byItem.ptr[i]; p < byItem.ptr[i + 1]; p++) {
      const v = byItem.items[p];
      for (let q = byUser.ptr[v]; q < byUser.ptr[v + 1]; q++) co[byUser.items[q]]++;
    }
    for (let u = 0; u < numUsers; u++) {
      let s = 0;
      for (let q = byUser.ptr[u]; q < byUser.ptr[u + 1]; q++) {
        const j = byUser.items[q];
        if (co[j] > 0) s += co[j] / (norm[i] * norm[j]);
      }
      scores[u * numItems + i] = s;
    }
  }
  return scores;
}

/** Each user's k best items by item-kNN score, without the `exclude` pairs (default: `train`); -1 pads. */
export function itemKnnTopK(numUsers: number, numItems: number, train: PairArrays, k: number, exclude: PairArrays = train): TopK {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`itemKnnTopK: k must be a positive integer, got ${k}`);
  const scores = itemKnnScores(numUsers, numItems, train);
  const ex = excludeLists(numUsers, numItems, exclude);
  const index = new Int32Array(numUsers * k).fill(-1);
  for (let u = 0; u < numUsers; u++) {
    const skip = new Set(ex.items.subarray(ex.ptr[u], ex.ptr[u + 1]));
    const order = Array.from({ length: numItems }, (_, i) => i).filter((i) => !skip.has(i));
    order.sort((a, b) => scores[u * numItems + b] - scores[u * numItems + a] || a - b);
    index.set(order.slice(0, k), u * k);
  }
  return { k, numUsers, index };
}
