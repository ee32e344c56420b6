// Top-K lists as the engine hands them out (the evaluator's, KNN-MIPS's, the popularity
// baseline's), and how much of one list another finds.

/** numUsers rows of k item indices, best first; -1 pads a row when fewer than k items are left. */
export interface TopK {
  k: number;
  numUsers: number;
  index: Int32Array;
}

/** Per user, the share of its exact top-k list (-1 pads left out) that `approx` also lists; averaged. */
export function overlapRecall(approx: TopK, exact: TopK): number {
  if (approx.numUsers !== exact.numUsers) throw new RangeError('overlapRecall: different numbers of users');
  let sum = 0;
  let users = 0;
  for (let u = 0; u < exact.numUsers; u++) {
    const want = new Set<number>();
    for (let r = 0; r < exact.k; r++) {
      const i = exact.index[u * exact.k + r];
      if (i >= 0) want.add(i);
    }
    if (want.size === 0) continue;
    let hits = 0;
    for (let r = 0; r < approx.k; r++) if (want.has(approx.index[u * approx.k + r])) hits++;
    sum += hits / want.size;
    users++;
  }
  return users > 0 ? sum / users : 1;
}
