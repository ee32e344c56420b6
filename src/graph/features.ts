// Input node features, layer 1's X. Kinds differ only in how the matrices are filled, so the
// engine sees the same Features shape whatever the kind.
import type { Features, Ratings } from './types';
import type { Rng } from '../util/rng';
import { InputError } from '../util/errors';

/** 'seed': the case study's features (users one-hot, items random normal of latentDim columns). */
export type FeatureKind = 'seed';

export function makeFeatures(ratings: Ratings, kind: FeatureKind, latentDim: number, rng: Rng): Features {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new InputError(`latent dimension must be a positive integer, got ${latentDim}`);
  }
  switch (kind) {
    case 'seed':
      return seedFeatures(ratings.userNames.length, ratings.itemNames.length, latentDim, rng);
  }
}

// The seed gives users an identity matrix and items torch.randn(numItems, LATENT_DIM), drawn once.
// Our draws come from our own generator, so the values differ from PyTorch's but not the law.
function seedFeatures(numUsers: number, numItems: number, latentDim: number, rng: Rng): Features {
  const user = new Float32Array(numUsers * numUsers);
  for (let u = 0; u < numUsers; u++) user[u * numUsers + u] = 1;
  const item = new Float32Array(numItems * latentDim);
  for (let k = 0; k < item.length; k++) item[k] = rng.normal();
  return { userDim: numUsers, itemDim: latentDim, user, item };
}
