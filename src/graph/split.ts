// Train/test splits: by time, as the seed does (the oldest ratings train, the newest test), by time
// within each user (each user's oldest ratings train, so every tested user has a history), or at
// random (a seeded shuffle); and the validation ratings carved from the training side the same ways.
import type { Ratings, Split } from './types';
import type { Rng } from '../util/rng';
import { InputError } from '../util/errors';

/** How a split picks its held-out ratings (settings.splitMode). */
export type SplitMode = 'time' | 'userTime' | 'random';

function checkFraction(fraction: number): void {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InputError(`the train fraction must be in (0, 1], got ${fraction}`);
  }
}

/** floor(fraction·n); the 1e-9 makes 7/8 of 8 give 7 although 7/8·8 may round below 7. */
function trainCount(fraction: number, n: number): number {
  return Math.floor(fraction * n + 1e-9);
}

/**
 * The first floor(fraction·n) ratings by time train, the rest test; both lists are in time order.
 * Equal times keep the file order, so a file without timestamps splits by position.
 */
export function splitByTime(ratings: Ratings, fraction: number): Split {
  checkFraction(fraction);
  const { time } = ratings;
  const n = time.length;
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => time[a] - time[b] || a - b);
  const numTrain = trainCount(fraction, n);
  return {
    train: Uint32Array.from(order.slice(0, numTrain)),
    test: Uint32Array.from(order.slice(numTrain)),
  };
}

/**
 * Each user's oldest max(1, floor(fraction·n_u)) ratings train, the rest of that user's test: the
 * test asks what each user rates next, and no tested user is cold. A user with a single rating
 * trains on it. Equal times keep the file order; both lists are in file order.
 */
export function splitByUserTime(ratings: Ratings, fraction: number): Split {
  checkFraction(fraction);
  const { time, user } = ratings;
  const n = time.length;
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => user[a] - user[b] || time[a] - time[b] || a - b);
  const isTrain = new Uint8Array(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && user[order[end]] === user[order[start]]) end++;
    const keep = Math.max(1, trainCount(fraction, end - start));
    for (let k = start; k < start + keep; k++) isTrain[order[k]] = 1;
    start = end;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < n; k++) (isTrain[k] ? train : test).push(k);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}

/**
 * floor(fraction·n) ratings drawn uniformly at random (one Fisher–Yates shuffle from `rng`, n − 1
 * draws) train, the rest test; both lists are in file order. The same rng state gives the same split.
 */
export function splitRandom(ratings: Ratings, fraction: number, rng: Rng): Split {
  checkFraction(fraction);
  const n = ratings.rating.length;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  rng.shuffle(order);
  const numTrain = trainCount(fraction, n);
  return {
    train: order.slice(0, numTrain).sort(),
    test: order.slice(numTrain).sort(),
  };
}

/**
 * The validation ratings carved from a split's training side (`train`, indices into `ratings`) as
 * the test ratings were carved from all of them: the newest `fraction` of them ('time'), each
 * user's newest ('userTime', a user keeps at least one training rating), or a random draw from
 * `rng` ('random'). Returns the training side without them, and them; `fraction` 0 carves nothing
 * and draws nothing from `rng`, so a run without validation is the run it always was.
 */
export function carveValidation(ratings: Ratings, train: Uint32Array, fraction: number, mode: SplitMode, rng: Rng): { train: Uint32Array; val: Uint32Array } {
  if (!(fraction >= 0 && fraction < 1)) throw new InputError(`the validation fraction must be in [0, 1), got ${fraction}`);
  if (fraction === 0) return { train, val: new Uint32Array(0) };
  const n = train.length;
  const side: Ratings = {
    ...ratings,
    user: new Uint32Array(n).map((_, k) => ratings.user[train[k]]),
    item: new Uint32Array(n).map((_, k) => ratings.item[train[k]]),
    rating: new Float32Array(n).map((_, k) => ratings.rating[train[k]]),
    time: new Float64Array(n).map((_, k) => ratings.time[train[k]]),
  };
  const rest = 1 - fraction;
  const inner = mode === 'random' ? splitRandom(side, rest, rng) : mode === 'userTime' ? splitByUserTime(side, rest) : splitByTime(side, rest);
  const back = (indices: Uint32Array) => indices.map((k) => train[k]);
  return { train: back(inner.train), val: back(inner.test) };
}
