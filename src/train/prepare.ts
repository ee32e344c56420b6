// From a ratings table and the settings to what a run trains on: the split, the features, the
// message-passing edges, the supervision and what evaluation excludes and looks for.
import { makeFeatures } from '../graph/features';
import { selectPairs, type LabeledPairs, type Pairs } from '../graph/pairs';
import { splitByTime } from '../graph/split';
import type { Features, Ratings, Split } from '../graph/types';
import type { Rng } from '../util/rng';
import type { RunSettings } from './settings';

export interface Prepared {
  ratings: Ratings;
  numUsers: number;
  numItems: number;
  split: Split;
  features: Features;
  train: LabeledPairs;
  test: LabeledPairs;
  /** Every rating: never drawn as a negative. */
  all: Pairs;
  /** The edges messages travel along (both directions). */
  mpEdges: Pairs;
}

export function prepare(ratings: Ratings, settings: RunSettings, rng: Rng): Prepared {
  const split = splitByTime(ratings, settings.split);
  const features = makeFeatures(ratings, 'seed', settings.hidden, rng);
  const train = selectPairs(ratings, split.train);
  const test = selectPairs(ratings, split.test);
  const all = { user: ratings.user, item: ratings.item };
  return {
    ratings,
    numUsers: ratings.userNames.length,
    numItems: ratings.itemNames.length,
    split,
    features,
    train,
    test,
    all,
    mpEdges: settings.messagePassing === 'all' ? all : train,
  };
}

/** Features of every node in one row-major matrix (users then items), rows padded to the wider type. */
export function featureRows(f: Features): { data: Float32Array<ArrayBuffer>; stride: number } {
  const stride = Math.max(f.userDim, f.itemDim);
  const numUsers = f.user.length / f.userDim;
  const numItems = f.item.length / f.itemDim;
  const data = new Float32Array((numUsers + numItems) * stride);
  for (let u = 0; u < numUsers; u++) data.set(f.user.subarray(u * f.userDim, (u + 1) * f.userDim), u * stride);
  for (let i = 0; i < numItems; i++) data.set(f.item.subarray(i * f.itemDim, (i + 1) * f.itemDim), (numUsers + i) * stride);
  return { data, stride };
}
