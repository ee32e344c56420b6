// Exact maximum-inner-product top-K and Recall@K: the yardstick for the GPU top-K kernel and for
// any approximate search over a large catalogue.
import type { PairTuples } from '../graph/pairs';
import type { TopK } from '../search/topk';

/**
 * For every user, the k items with the largest inner product, skipping the [user, item] pairs in
 * `exclude`. Equal scores rank the lower item index first.
 */
export function exactTopK(
  user: ArrayLike<number>,
  item: ArrayLike<number>,
  dim: number,
  k: number,
  exclude: PairTuples = [],
): TopK {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`exactTopK: k must be a positive integer, got ${k}`);
  if (user.length % dim !== 0 || item.length % dim !== 0) throw new RangeError(`exactTopK: embeddings are not rows of ${dim}`);
  const numUsers = user.length / dim;
  const numItems = item.length / dim;
  const excluded = pairSets(exclude, numUsers);
  const index = new Int32Array(numUsers * k).fill(-1);
  const best = new Float64Array(k);
  for (let u = 0; u < numUsers; u++) {
    const row = index.subarray(u * k, (u + 1) * k);
    let filled = 0;
    for (let i = 0; i < numItems; i++) {
      if (excluded[u]?.has(i)) continue;
      let s = 0;
      for (let c = 0; c < dim; c++) s += user[u * dim + c] * item[i * dim + c];
      // Items come in increasing index, so only a strictly larger score passes an equal one.
      if (filled === k && !(s > best[k - 1])) continue;
      let at = Math.min(filled, k - 1);
      while (at > 0 && s > best[at - 1]) {
        best[at] = best[at - 1];
        row[at] = row[at - 1];
        at--;
      }
      best[at] = s;
      row[at] = i;
      if (filled < k) filled++;
    }
  }
  return { k, numUsers, index };
}

/**
 * PyG's LinkPredRecall: per user with at least one target, the hits in its top-k over its number
 * of target pairs (duplicates count, as PyG counts edges), averaged over those users; 0 without targets.
 */
export function recallAtK(topk: TopK, targets: PairTuples): number {
  const wanted = pairSets(targets, topk.numUsers);
  const count = new Map<number, number>();
  for (const [u] of targets) count.set(u, (count.get(u) ?? 0) + 1);
  if (count.size === 0) return 0;
  let sum = 0;
  for (const [u, n] of count) {
    let hits = 0;
    for (let r = 0; r < topk.k; r++) {
      const i = topk.index[u * topk.k + r];
      // A -1 pad never hits (PyG 2.5.3's flattened indices can mistake it for the previous
      // user's largest item; that is an artefact, not a recommendation).
      if (i >= 0 && wanted[u].has(i)) hits++;
    }
    sum += hits / n;
  }
  return sum / count.size;
}

function pairSets(pairs: PairTuples, numUsers: number): Set<number>[] {
  const sets: Set<number>[] = [];
  for (const [u, i] of pairs) {
    if (!(u >= 0 && u < numUsers)) throw new RangeError(`pair [${u}, ${i}] names a user outside 0..${numUsers - 1}`);
    (sets[u] ??= new Set()).add(i);
  }
  return sets;
}
