// What the KNN-MIPS kernels (shaders/knn_mips.wgsl) and item-kNN (shaders/item_knn.wgsl) take, made
// on the CPU: each user's excluded items, the rated lists, the rows the item graph compares, and
// the walks' start items. src/search/*.ts upload them; the float64 twins (src/reference/) start
// from the same ones.
import type { PairArrays, PairList } from '../graph/pairs';
import { Rng } from '../util/rng';

export type Similarity = 'inner' | 'cosine';

/** Each user's excluded items as (ptr, items): ascending and without repeats per user. */
export function excludeLists(numUsers: number, numItems: number, pairs: PairList = []): { ptr: Uint32Array; items: Uint32Array } {
  const lists: number[][] = Array.from({ length: numUsers }, () => []);
  forEachPair(pairs, (u, i) => {
    if (!(Number.isInteger(u) && u >= 0 && u < numUsers)) throw new RangeError(`exclude pair [${u}, ${i}] names a user outside 0..${numUsers - 1}`);
    if (!(Number.isInteger(i) && i >= 0 && i < numItems)) throw new RangeError(`exclude pair [${u}, ${i}] names an item outside 0..${numItems - 1}`);
    lists[u].push(i);
  });
  const ptr = new Uint32Array(numUsers + 1);
  const flat: number[] = [];
  lists.forEach((l, u) => {
    l.sort((a, b) => a - b);
    for (let k = 0; k < l.length; k++) if (k === 0 || l[k] !== l[k - 1]) flat.push(l[k]);
    ptr[u + 1] = flat.length;
  });
  return { ptr, items: Uint32Array.from(flat) };
}

/** Each user's distinct items and each item's distinct users (item-kNN's binary ratings), ascending. */
export function ratedLists(numUsers: number, numItems: number, pairs: PairArrays): { byUser: ReturnType<typeof excludeLists>; byItem: ReturnType<typeof excludeLists> } {
  return { byUser: excludeLists(numUsers, numItems, pairs), byItem: excludeLists(numItems, numUsers, { user: pairs.item, item: pairs.user }) };
}

function forEachPair(pairs: PairList, f: (u: number, i: number) => void): void {
  if ('user' in pairs && 'item' in pairs && !Array.isArray(pairs)) {
    const p = pairs as { user: ArrayLike<number>; item: ArrayLike<number> };
    if (p.user.length !== p.item.length) throw new RangeError('exclude: user and item lengths differ');
    for (let k = 0; k < p.user.length; k++) f(p.user[k], p.item[k]);
  } else {
    for (const [u, i] of pairs as ReadonlyArray<readonly [number, number]>) f(u, i);
  }
}

/**
 * The rows the graph compares, in float32 (what the GPU reads): the item rows themselves for
 * 'inner', each scaled to unit length (computed in float64, then rounded) for 'cosine'; a zero
 * row stays zero.
 */
export function graphRows(items: ArrayLike<number>, dim: number, similarity: Similarity): Float32Array {
  const rows = Float32Array.from(items);
  if (similarity === 'inner') return rows;
  for (let i = 0; i < rows.length / dim; i++) {
    let n = 0;
    for (let c = 0; c < dim; c++) n += rows[i * dim + c] ** 2;
    const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let c = 0; c < dim; c++) rows[i * dim + c] *= scale;
  }
  return rows;
}

/** The start items x_0: users × restarts draws, user by user, uniform over the items. */
export function drawStarts(numUsers: number, restarts: number, numItems: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const starts = new Uint32Array(numUsers * restarts);
  for (let k = 0; k < starts.length; k++) starts[k] = rng.int(numItems);
  return starts;
}
