// A random ratings table shaped like a loaded one: every user and item rated at least once,
// ratings 1..5, timestamps in row order (so a time split takes the first rows).
import type { Ratings } from '../../src/graph/types';
import { Rng } from '../../src/util/rng';

export function randomRatings(seed: number, numUsers: number, numItems: number, n: number): Ratings {
  const rng = new Rng(seed);
  const user = new Uint32Array(n);
  const item = new Uint32Array(n);
  const rating = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = k < numUsers ? k : rng.int(numUsers);
    item[k] = k < numItems ? k : rng.int(numItems);
    rating[k] = 1 + rng.int(5);
  }
  return {
    userNames: Array.from({ length: numUsers }, (_, u) => `u${u}`),
    itemNames: Array.from({ length: numItems }, (_, i) => `i${i}`),
    user,
    item,
    rating,
    time: Float64Array.from(user, (_, k) => k),
  };
}
