// Train/test split by time, as the seed does: the oldest ratings train, the newest test.
import type { Ratings, Split } from './types';
import { InputError } from '../util/errors';

/**
 * The first floor(fraction·n) ratings by time train, the rest test; both lists are in time order.
 * Equal times keep the file order, so a file without timestamps splits by position.
 * (The 1e-9 makes 7/8 of 8 give 7 although 7/8·8 may round below 7.)
 */
export function splitByTime(ratings: Ratings, fraction: number): Split {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InputError(`the train fraction must be in (0, 1], got ${fraction}`);
  }
  const { time } = ratings;
  const n = time.length;
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => time[a] - time[b] || a - b);
  const numTrain = Math.floor(fraction * n + 1e-9);
  return {
    train: Uint32Array.from(order.slice(0, numTrain)),
    test: Uint32Array.from(order.slice(numTrain)),
  };
}
