// Input node features, layer 1's X. Kinds differ only in how the matrices are filled, so the
// engine sees the same Features shape whatever the kind.
import type { Features, Ratings } from './types';
import type { Rng } from '../util/rng';
import { InputError } from '../util/errors';

/**
 * 'seed': the case study's features (users one-hot, items random normal of latentDim columns).
 * 'genres': users one-hot, items multi-hot over the dataset's genres (genreVocabulary's order).
 */
export type FeatureKind = 'seed' | 'genres';

/**
 * The features of `kind`. Only 'seed' draws from `rng` (numItems·latentDim normals); 'genres'
 * draws nothing and ignores latentDim (which must still be a positive integer).
 */
export function makeFeatures(ratings: Ratings, kind: FeatureKind, latentDim: number, rng: Rng): Features {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new InputError(`latent dimension must be a positive integer, got ${latentDim}`);
  }
  switch (kind) {
    case 'seed':
      return seedFeatures(ratings.userNames.length, ratings.itemNames.length, latentDim, rng);
    case 'genres':
      return genreFeatures(ratings);
    default:
      throw new InputError(`unknown item features ${JSON.stringify(kind)} (expected "seed" or "genres")`);
  }
}

/** The widths makeFeatures will give, without building the matrices (users one-hot is users² floats). */
export function featureDims(ratings: Ratings, kind: FeatureKind, latentDim: number): { userDim: number; itemDim: number } {
  return { userDim: ratings.userNames.length, itemDim: kind === 'genres' ? usableGenres(ratings).length : latentDim };
}

/** Every genre of the dataset's items, sorted (by UTF-16 code units, the same in every JS engine). */
export function genreVocabulary(ratings: Ratings): string[] {
  const set = new Set<string>();
  for (const gs of ratings.itemGenres ?? []) for (const g of gs) set.add(g);
  return [...set].sort();
}

// The seed gives users an identity matrix and items torch.randn(numItems, LATENT_DIM), drawn once.
// Our draws come from our own generator, so the values differ from PyTorch's but not the law.
function seedFeatures(numUsers: number, numItems: number, latentDim: number, rng: Rng): Features {
  const user = oneHotUsers(numUsers);
  const item = new Float32Array(numItems * latentDim);
  for (let k = 0; k < item.length; k++) item[k] = rng.normal();
  return { userDim: numUsers, itemDim: latentDim, user, item };
}

/** The genre vocabulary, which genre features need at least one word of (an InputError says so, before any size is worked out). */
function usableGenres(ratings: Ratings): string[] {
  const vocabulary = genreVocabulary(ratings);
  if (vocabulary.length === 0) {
    throw new InputError(
      ratings.itemGenres === undefined
        ? 'item features from genres need genres, and this dataset has none (load movies.csv with a genres column, or u.item, with the ratings), or use the seed’s random item features'
        : 'item features from genres need genres, and no item of this dataset has one listed; use the seed’s random item features',
    );
  }
  return vocabulary;
}

// Items: row i has a 1 in the column of each of its genres; an item without genres is all zeros.
function genreFeatures(ratings: Ratings): Features {
  const vocabulary = usableGenres(ratings);
  const numUsers = ratings.userNames.length;
  const numItems = ratings.itemNames.length;
  const column = new Map(vocabulary.map((g, k) => [g, k]));
  const dim = vocabulary.length;
  const item = new Float32Array(numItems * dim);
  for (let i = 0; i < numItems; i++) {
    for (const g of ratings.itemGenres![i] ?? []) item[i * dim + column.get(g)!] = 1;
  }
  return { userDim: numUsers, itemDim: dim, user: oneHotUsers(numUsers), item };
}

function oneHotUsers(numUsers: number): Float32Array {
  const user = new Float32Array(numUsers * numUsers);
  for (let u = 0; u < numUsers; u++) user[u * numUsers + u] = 1;
  return user;
}
