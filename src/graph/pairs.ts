// User–item pair lists: the currency between ratings, splits, the sampler and the graph builder.
// Users are user indices, items are item indices (not node ids); the builder maps them to nodes.
import type { Ratings } from './types';
import { InputError } from '../util/errors';

export interface Pairs {
  user: Uint32Array;
  item: Uint32Array;
}

/** User–item pairs as two parallel arrays of any kind: the engine's Pairs, or plain arrays. */
export interface PairArrays {
  readonly user: ArrayLike<number>;
  readonly item: ArrayLike<number>;
}

/** Pairs as [a, b] tuples (the reference model's edge lists: [user, item] or [item, user]). */
export type PairTuples = ReadonlyArray<readonly [number, number]>;

/** [user, item] pairs in either form. */
export type PairList = PairTuples | PairArrays;

/** Supervision pairs: the rating to predict, or 0 for a sampled negative. */
export interface LabeledPairs extends Pairs {
  value: Float32Array;
}

/** No supervision: a graph for forward passes only (evaluation, explanations). */
export const NO_LABELS: LabeledPairs = { user: new Uint32Array(0), item: new Uint32Array(0), value: new Float32Array(0) };

/** The ratings at `indices` (e.g. a split's train part), in that order. */
export function selectPairs(ratings: Ratings, indices: Uint32Array): LabeledPairs {
  const n = indices.length;
  const out = { user: new Uint32Array(n), item: new Uint32Array(n), value: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    const r = indices[k];
    out.user[k] = ratings.user[r];
    out.item[k] = ratings.item[r];
    out.value[k] = ratings.rating[r];
  }
  return out;
}

/** The pairs of `a`, then those of `b`. */
export function concatPairs(a: Pairs, b: Pairs): Pairs {
  const join = (x: Uint32Array, y: Uint32Array) => {
    const out = new Uint32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { user: join(a.user, b.user), item: join(a.item, b.item) };
}

/** Throws InputError unless the two lists have one length and every pair is in range. */
export function checkPairs(what: string, pairs: Pairs, numUsers: number, numItems: number): void {
  if (pairs.user.length !== pairs.item.length) throw new InputError(`${what}: user and item lengths differ`);
  for (let k = 0; k < pairs.user.length; k++) {
    if (pairs.user[k] >= numUsers || pairs.item[k] >= numItems) {
      throw new InputError(
        `${what}[${k}] = (user ${pairs.user[k]}, item ${pairs.item[k]}) is outside ${numUsers} users × ${numItems} items`,
      );
    }
  }
}
