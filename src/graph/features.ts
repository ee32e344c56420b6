// Input node features, layer 1's X. Kinds differ only in how the matrices are filled, so the
// engine sees the same Features shape whatever the kind.
import { tableMatrix } from './tableFeatures';
import type { FeatureTable, Features, Ratings } from './types';
import type { Rng } from '../util/rng';
import { InputError } from '../util/errors';

/**
 * The items' features. 'seed': the case study's (random normal of latentDim columns). 'genres':
 * multi-hot over the dataset's genres (genreColumns). 'genresYear': the genres, then the year of
 * the title (titleYear). 'file': the rows of the item-features file. 'onehot': the identity, so
 * that layer 1 learns a vector per item (an ID embedding, as LightGCN's), kept as no matrix.
 */
export type FeatureKind = 'seed' | 'genres' | 'genresYear' | 'file' | 'onehot';

/**
 * The users' features. 'onehot': the seed's identity matrix. 'demographics': MovieLens 100K's
 * u.user as PyG's MovieLens100K encodes it, or MovieLens 1M's users.dat as PyG's MovieLens1M does. 'file': the rows of the user-features file.
 */
export type UserFeatureKind = 'onehot' | 'demographics' | 'file';

/**
 * The features of `kind` (items) and `userKind`. Only 'seed' draws from `rng` (numItems·latentDim
 * normals); the others draw nothing and ignore latentDim (which must still be a positive
 * integer). Throws InputError when the data a kind needs was not loaded, saying which file.
 */
export function makeFeatures(ratings: Ratings, kind: FeatureKind, latentDim: number, rng: Rng, userKind: UserFeatureKind = 'onehot'): Features {
  checkLatentDim(latentDim);
  const users = userKind === 'onehot' ? oneHotUsers(ratings.userNames.length) : fileUsers(ratings, userKind);
  return { ...users, ...items(ratings, kind, latentDim, rng) };
}

function items(ratings: Ratings, kind: FeatureKind, latentDim: number, rng: Rng): Pick<Features, 'itemDim' | 'itemKind' | 'item'> {
  switch (kind) {
    case 'seed':
      return { itemKind: 'dense', ...seedItems(ratings.itemNames.length, latentDim, rng) };
    case 'genres':
      return { itemKind: 'dense', ...genreItems(ratings, false) };
    case 'genresYear':
      return { itemKind: 'dense', ...genreItems(ratings, true) };
    case 'file': {
      const table = itemTable(ratings);
      return { itemKind: 'dense', itemDim: table.columns.length, item: tableMatrix(table, ratings.itemIds ?? ratings.itemNames, 'item') };
    }
    case 'onehot':
      return { itemDim: ratings.itemNames.length, itemKind: 'onehot', item: new Float32Array(0) };
    default:
      throw unknownItemFeatures(kind);
  }
}

function unknownItemFeatures(kind: string): InputError {
  return new InputError(`unknown item features ${JSON.stringify(kind)} (expected "seed", "genres", "genresYear", "file" or "onehot")`);
}

/** The widths makeFeatures will give, and which types are one-hot, without building the matrices. */
export function featureDims(ratings: Ratings, kind: FeatureKind, latentDim: number, userKind: UserFeatureKind = 'onehot'): FeatureDims {
  checkLatentDim(latentDim);
  const userDim = userKind === 'onehot' ? ratings.userNames.length : userTable(ratings, userKind).columns.length;
  return { userDim, userKind: userKind === 'onehot' ? 'onehot' : 'dense', itemKind: kind === 'onehot' ? 'onehot' : 'dense', itemDim: itemWidth(ratings, kind, latentDim) };
}

export type FeatureDims = Pick<Features, 'userDim' | 'itemDim' | 'userKind' | 'itemKind'>;

function itemWidth(ratings: Ratings, kind: FeatureKind, latentDim: number): number {
  switch (kind) {
    case 'seed':
      return latentDim;
    case 'file':
      return itemTable(ratings).columns.length;
    case 'genres':
    case 'genresYear':
      return genreColumns(ratings).length + (kind === 'genresYear' ? 1 : 0);
    case 'onehot':
      return ratings.itemNames.length;
    default:
      throw unknownItemFeatures(kind);
  }
}

/** Users' features from a matrix (numUsers × userDim, row-major): one-hot, kept as no matrix, when it is the identity. */
export function userFeatures(user: Float32Array, numUsers: number, userDim: number): Pick<Features, 'userKind' | 'user'> {
  return isIdentity(user, numUsers, userDim) ? { userKind: 'onehot', user: new Float32Array(0) } : { userKind: 'dense', user };
}

function isIdentity(values: Float32Array, rows: number, cols: number): boolean {
  if (rows !== cols) return false;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (values[r * cols + c] !== (r === c ? 1 : 0)) return false;
  return true;
}

/**
 * The users' input matrix as PyG multiplies it (numUsers × userDim): the identity for one-hot
 * users. For the float64 reference and small exports only: one-hot, it is users² floats.
 */
export function denseUsers(f: Features): Float32Array {
  return f.userKind === 'dense' ? f.user : identity(f.userDim);
}

/** The items' input matrix as PyG multiplies it (numItems × itemDim), as denseUsers. */
export function denseItems(f: Features): Float32Array {
  return f.itemKind === 'dense' ? f.item : identity(f.itemDim);
}

function identity(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let k = 0; k < n; k++) m[k * n + k] = 1;
  return m;
}

/** Every genre of the dataset's items, sorted (by UTF-16 code units, the same in every JS engine). */
export function genreVocabulary(ratings: Ratings): string[] {
  const set = new Set<string>();
  for (const gs of ratings.itemGenres ?? []) for (const g of gs) set.add(g);
  return [...set].sort();
}

/** The year a title ends with, as MovieLens writes it: "Toy Story (1995)", a series' "(2006–2007)" gives its first year. */
export function titleYear(title: string): number | null {
  const m = /\((\d{4})(?:\s*[-–]\s*\d{4})?\)\s*$/.exec(title);
  return m ? Number(m[1]) : null;
}

function checkLatentDim(latentDim: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new InputError(`latent dimension must be a positive integer, got ${latentDim}`);
  }
}

// The seed gives items torch.randn(numItems, LATENT_DIM), drawn once. Our draws come from our own
// generator, so the values differ from PyTorch's but not the law.
function seedItems(numItems: number, latentDim: number, rng: Rng): { itemDim: number; item: Float32Array } {
  const item = new Float32Array(numItems * latentDim);
  for (let k = 0; k < item.length; k++) item[k] = rng.normal();
  return { itemDim: latentDim, item };
}

/**
 * The genre columns: the movies file's own (u.item's 18, as PyG) or the dataset's vocabulary,
 * which needs at least one genre (an InputError says so, before any size is worked out).
 */
function genreColumns(ratings: Ratings): readonly string[] {
  if (ratings.itemGenres === undefined) {
    throw new InputError(
      'item features from genres need genres, and this dataset has none (load movies.csv with a genres column, or u.item, with the ratings), or use the seed’s random item features',
    );
  }
  if (ratings.genreColumns) return ratings.genreColumns;
  const vocabulary = genreVocabulary(ratings);
  if (vocabulary.length === 0) {
    throw new InputError('item features from genres need genres, and no item of this dataset has one listed; use the seed’s random item features');
  }
  return vocabulary;
}

/**
 * Items: row i has a 1 in the column of each of its genres (an item without genres is all zeros)
 * and, with `year`, its title's year in a last column, scaled to [0, 1] between the oldest and
 * newest year of the dataset's titles (0 when they are all one year); a title without a year gets
 * the mean of the others' scaled years, so that it leans neither old nor new.
 */
function genreItems(ratings: Ratings, year: boolean): { itemDim: number; item: Float32Array } {
  const columns = genreColumns(ratings);
  const numItems = ratings.itemNames.length;
  const column = new Map(columns.map((g, k) => [g, k]));
  const dim = columns.length + (year ? 1 : 0);
  const item = new Float32Array(numItems * dim);
  for (let i = 0; i < numItems; i++) {
    for (const g of ratings.itemGenres![i] ?? []) {
      const c = column.get(g);
      if (c !== undefined) item[i * dim + c] = 1;
    }
  }
  if (year) {
    const scaled = scaledYears(ratings.itemNames);
    for (let i = 0; i < numItems; i++) item[i * dim + dim - 1] = scaled[i];
  }
  return { itemDim: dim, item };
}

function scaledYears(titles: readonly string[]): Float64Array {
  const years = titles.map(titleYear);
  const known = years.filter((y): y is number => y !== null);
  if (known.length === 0) {
    throw new InputError('item features from genres and year need years in the titles, like "Toy Story (1995)", and no title of this dataset has one; use genres alone');
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of known) {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  const scale = (y: number) => (hi > lo ? (y - lo) / (hi - lo) : 0);
  let sum = 0;
  for (const y of known) sum += scale(y);
  const missing = sum / known.length;
  return Float64Array.from(years, (y) => (y === null ? missing : scale(y)));
}

function userTable(ratings: Ratings, kind: Exclude<UserFeatureKind, 'onehot'>): FeatureTable {
  const files = ratings.featureFiles;
  if (kind === 'demographics') {
    if (files?.demographics) return files.demographics;
    throw new InputError(
      'user features from demographics need MovieLens 100K’s u.user (user id | age | gender | occupation | zip code) loaded with the ratings (beside u.data, or in ml-100k.zip), or MovieLens 1M’s users.dat (UserID::Gender::Age::Occupation::Zip-code, beside ratings.dat, or in ml-1m.zip); or use one-hot users',
    );
  }
  if (kind === 'file') {
    if (files?.user) return files.user;
    throw new InputError('user features from a file need a user-features CSV (user-features.csv: the user id, then numeric columns) loaded with the ratings; or use one-hot users');
  }
  throw new InputError(`unknown user features ${JSON.stringify(kind)} (expected "onehot", "demographics" or "file")`);
}

function fileUsers(ratings: Ratings, kind: Exclude<UserFeatureKind, 'onehot'>): Pick<Features, 'userDim' | 'userKind' | 'user'> {
  const table = userTable(ratings, kind);
  return { userDim: table.columns.length, userKind: 'dense', user: tableMatrix(table, ratings.userNames, 'user') };
}

function itemTable(ratings: Ratings): FeatureTable {
  const table = ratings.featureFiles?.item;
  if (table) return table;
  throw new InputError('item features from a file need an item-features CSV (item-features.csv: the item id, then numeric columns) loaded with the ratings; or use genres or the seed’s random item features');
}

// The seed's identity matrix, kept as no matrix at all (users² floats): layer 1 reads column u of
// its weights for user u (docs/ENGINE.md).
function oneHotUsers(numUsers: number): Pick<Features, 'userDim' | 'userKind' | 'user'> {
  return { userDim: numUsers, userKind: 'onehot', user: new Float32Array(0) };
}

