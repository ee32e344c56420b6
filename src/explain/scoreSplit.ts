// The decoder's score is an inner product, so it splits exactly over embedding dimensions:
// score = Σ_c h_user[c] · h_item[c]. Sums run in float64 over the float32 embeddings, in
// dimension order, so the score is exactly the sum of the terms as listed.

export interface DimensionTerm {
  dim: number;
  user: number;
  item: number;
  /** user · item */
  term: number;
}

export interface ScoreSplit {
  score: number;
  /** In dimension order. */
  terms: DimensionTerm[];
}

/** Row `row` of a row-major matrix with `width` columns. */
export function row(matrix: Float32Array, row: number, width: number): Float32Array {
  return matrix.subarray(row * width, (row + 1) * width);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += a[c] * b[c];
  return s;
}

export function scoreSplit(user: ArrayLike<number>, item: ArrayLike<number>): ScoreSplit {
  if (user.length !== item.length) throw new RangeError(`scoreSplit: embeddings of ${user.length} and ${item.length} dimensions`);
  const terms = Array.from({ length: user.length }, (_, dim) => ({ dim, user: user[dim], item: item[dim], term: user[dim] * item[dim] }));
  return { score: dot(user, item), terms };
}
