// From a ratings table and the settings to what a run trains on: the kept ratings, the split, the
// features, the message-passing edges, the supervision and what evaluation excludes and looks for.
import { featureDims, type FeatureDims, makeFeatures } from '../graph/features';
import { filterByRating } from '../graph/filter';
import type { GpuSizeCounts } from '../graph/gpuSize';
import { concatPairs, selectPairs, type LabeledPairs, type Pairs } from '../graph/pairs';
import { carveValidation, splitByTime, splitByUserTime, splitRandom } from '../graph/split';
import type { Features, Ratings, Split } from '../graph/types';
import { InputError } from '../util/errors';
import type { Rng } from '../util/rng';
import type { RunSettings } from './settings';

export interface Prepared {
  /** The ratings the run uses: the loaded ones, less those under settings.minRating (renumbered). */
  ratings: Ratings;
  numUsers: number;
  numItems: number;
  split: Split;
  features: Features;
  /** The ratings trained on: the split's training side less the validation ratings. */
  train: LabeledPairs;
  test: LabeledPairs;
  /** The validation ratings (settings.val): neither trained on nor carrying messages; empty when off. */
  val: LabeledPairs;
  /**
   * Each user's seen items, never recommended back by any ranking of the run (the test ranking,
   * recommendations, KNN-MIPS, the explainer, the baselines): the training and validation
   * ratings. A validation rating is one the user made, held back only to choose the epoch.
   */
  seen: Pairs;
  /** Every rating: never drawn as a negative. */
  all: Pairs;
  /** The edges messages travel along (both directions). */
  mpEdges: Pairs;
}

/**
 * Filter (settings.minRating), then split (by time, or at random from `rng`), then features
 * (from `rng` for the seed's). The seed's default path (all ratings, time split, seed features)
 * draws exactly what it always has: the item features' normals, nothing else. Throws InputError
 * when the filter keeps nothing, the split leaves no training or no test ratings, or the features
 * cannot be made (genres without genres, a features file not loaded or missing an id).
 * `check` sees the run's GPU sizes before the features are built: a dataset too large for the GPU
 * is turned down before anything is drawn or built for it.
 */
export function prepare(loaded: Ratings, settings: RunSettings, rng: Rng, check?: (counts: GpuSizeCounts) => void): Prepared {
  if (settings.patience > 0 && settings.val === 0) {
    throw new InputError(`a patience of ${settings.patience} epochs watches the validation Recall@K, and this run has no validation split: set the validation share (--val) above 0, or the patience to 0`);
  }
  const ratings = settings.minRating === null ? loaded : filterByRating(loaded, settings.minRating);
  const outer =
    settings.splitMode === 'random'
      ? splitRandom(ratings, settings.split, rng)
      : settings.splitMode === 'userTime'
        ? splitByUserTime(ratings, settings.split)
        : splitByTime(ratings, settings.split);
  checkSplit(outer, settings);
  const carved = carveValidation(ratings, outer.train, settings.val, settings.splitMode, rng);
  const split: Split = settings.val > 0 ? { train: carved.train, test: outer.test, val: carved.val } : outer;
  checkValidation(split, outer.train.length, settings);
  const train = selectPairs(ratings, split.train);
  const test = selectPairs(ratings, split.test);
  const val = selectPairs(ratings, carved.val);
  const all = { user: ratings.user, item: ratings.item };
  // With 'all', validation ratings carry messages as test ratings do: the leak the honest default avoids.
  const mpEdges = settings.messagePassing === 'all' ? all : train;
  const numUsers = ratings.userNames.length;
  const numItems = ratings.itemNames.length;
  check?.(gpuCounts({ numUsers, numItems, train, mpEdges, features: featureDims(ratings, settings.features, settings.hidden, settings.userFeatures) }, settings));
  const features = makeFeatures(ratings, settings.features, settings.hidden, rng, settings.userFeatures);
  return {
    ratings,
    numUsers,
    numItems,
    split,
    features,
    train,
    test,
    val,
    seen: val.user.length > 0 ? concatPairs(train, val) : train,
    all,
    mpEdges,
  };
}

/** A run trains on some ratings and tests on others: a split that leaves either side empty is refused, with the counts. */
function checkSplit(split: Split, settings: RunSettings): void {
  const train = split.train.length;
  const test = split.test.length;
  if (train > 0 && test > 0) return;
  const n = train + test;
  const how = `the ${settings.splitMode} split with train fraction ${settings.split}`;
  const fix = n < 2 ? 'a run needs at least two ratings, one to train and one to test' : train === 0 ? 'raise the train fraction' : 'lower the train fraction';
  throw new InputError(`${how} of ${n} rating${n === 1 ? '' : 's'} leaves ${train} to train and ${test} to test: ${fix}`);
}

/** A validation share asked for must hold some ratings out and leave some to train on. */
function checkValidation(split: Split, side: number, settings: RunSettings): void {
  const val = split.val?.length ?? 0;
  if (settings.val === 0 || (val > 0 && split.train.length > 0)) return;
  const fix = val === 0 ? 'raise the validation fraction (or set it to 0)' : 'lower the validation fraction';
  throw new InputError(`the validation fraction ${settings.val} of ${side} training rating${side === 1 ? '' : 's'} holds out ${val} and leaves ${split.train.length} to train: ${fix}`);
}

/** What decides the GPU buffers' sizes for this run (for checkFitsGpu in src/graph/gpuSize.ts). */
export function gpuCounts(
  p: Pick<Prepared, 'numUsers' | 'numItems' | 'train' | 'mpEdges'> & { features: FeatureDims },
  settings: RunSettings,
): GpuSizeCounts {
  const trainCount = p.train.user.length;
  const perStep = settings.batchSize === 'full' ? trainCount : Math.min(settings.batchSize, trainCount);
  return {
    users: p.numUsers,
    items: p.numItems,
    mpPairs: p.mpEdges.user.length,
    // A training step's pairs (BPR: each rating and its negative), or the evaluator's (every training rating, for the full graph's MSE).
    labels: Math.max(trainCount, settings.loss === 'bpr' ? 2 * perStep : Math.ceil(perStep * (1 + settings.negRatio))),
    userDim: p.features.userDim,
    itemDim: p.features.itemDim,
    userKind: p.features.userKind,
    itemKind: p.features.itemKind,
    hidden: settings.hidden,
    heads: settings.heads,
    layers: settings.layers,
    k: Math.min(settings.k, p.numItems),
  };
}
