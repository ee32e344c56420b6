// The most-popular-items baseline: every user gets the items with the most training ratings, in
// the same order, less the items that user rated in training. Ranked like the exact search:
// more ratings first, ties to the lower item index. What a model's Recall@K has to beat.
import type { PairArrays } from '../graph/pairs';
import type { TopK } from '../search/topk';


/** Training ratings per item (a repeated pair counts each time). */
export function itemCounts(numItems: number, train: PairArrays): Uint32Array {
  const counts = new Uint32Array(numItems);
  for (let k = 0; k < train.item.length; k++) {
    const i = train.item[k];
    if (!(Number.isInteger(i) && i >= 0 && i < numItems)) throw new RangeError(`popularity: item ${i} outside 0..${numItems - 1}`);
    counts[i]++;
  }
  return counts;
}

/** Every item, most training ratings first, ties to the lower index. */
export function popularityOrder(numItems: number, train: PairArrays): Int32Array {
  const counts = itemCounts(numItems, train);
  const order = Int32Array.from({ length: numItems }, (_, i) => i);
  return order.sort((a, b) => counts[b] - counts[a] || a - b);
}

/**
 * Each user's k most popular items (popularity counted over `train`) without the items `exclude`
 * pairs with that user (by default, its training items); -1 pads a user with fewer left.
 */
export function popularityTopK(numUsers: number, numItems: number, train: PairArrays, k: number, exclude: PairArrays = train): TopK {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`popularity: k must be a positive integer, got ${k}`);
  const order = popularityOrder(numItems, train);
  const seen: Set<number>[] = Array.from({ length: numUsers }, () => new Set());
  for (let p = 0; p < exclude.user.length; p++) {
    const u = exclude.user[p];
    if (!(Number.isInteger(u) && u >= 0 && u < numUsers)) throw new RangeError(`popularity: user ${u} outside 0..${numUsers - 1}`);
    seen[u].add(exclude.item[p]);
  }
  const index = new Int32Array(numUsers * k).fill(-1);
  for (let u = 0; u < numUsers; u++) {
    let filled = 0;
    for (let r = 0; r < order.length && filled < k; r++) {
      if (!seen[u].has(order[r])) index[u * k + filled++] = order[r];
    }
  }
  return { k, numUsers, index };
}
