// Item features from genres (multi-hot over the sorted genre vocabulary), beside the seed's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { denseItems, denseUsers, featureDims, genreVocabulary, makeFeatures, userFeatures } from '../src/graph/features';
import { parseU100kData, parseU100kItems } from '../src/graph/movielens100k';
import { toyRatings } from '../src/graph/toy';
import { featureBuffer } from '../src/model/inputs';
import { Rng } from '../src/util/rng';
import { errorOf } from './helpers/errors';
import { ML_SMALL_DIR, REPO_DIR } from './helpers/paths';

const MOVIES = 'movieId,title,genres\n1,One,Drama|War\n2,Two,Comedy\n3,Three,(no genres listed)\n4,Four,Action|Drama\n';
const RATINGS = 'userId,movieId,rating\na,2,5\nb,1,4\na,3,1\nc,4,2\nc,9,3\n';

describe('genre features', () => {
  const ratings = parseRatingsCsv(RATINGS, 'r.csv', parseMovies(MOVIES, 'm.csv'));

  it('make items multi-hot over the sorted genres and users one-hot', () => {
    expect(genreVocabulary(ratings)).toEqual(['Action', 'Comedy', 'Drama', 'War']);
    const f = makeFeatures(ratings, 'genres', 12, new Rng(1));
    expect(f.userDim).toBe(3);
    // One-hot users are kept as no matrix; PyG's view of them is the identity.
    expect(f.userKind).toBe('onehot');
    expect(f.user.length).toBe(0);
    expect([...denseUsers(f)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(f.itemDim).toBe(4);
    // Items by first appearance: 2 (Comedy), 1 (Drama, War), 3 (none), 4 (Action, Drama), 9 (not in movies.csv).
    expect([...f.item]).toEqual([
      0, 1, 0, 0,
      0, 0, 1, 1,
      0, 0, 0, 0,
      1, 0, 1, 0,
      0, 0, 0, 0,
    ]);
  });

  it('draw nothing from the rng and ignore the latent dimension', () => {
    const rng = new Rng(5);
    expect(makeFeatures(ratings, 'genres', 3, rng)).toEqual(makeFeatures(ratings, 'genres', 64, new Rng(6)));
    expect(rng.nextU32()).toBe(new Rng(5).nextU32());
  });

  it('take no room for one-hot users and no padding in the features buffer', () => {
    const f = makeFeatures(ratings, 'genres', 12, new Rng(1));
    const { data, layout } = featureBuffer(f);
    expect(layout).toEqual({ oneHot: { user: true, item: false }, datasetUsers: 3, xUser: 0, xItem: 0 });
    expect([...data]).toEqual([...f.item]);
    // Dense users: their rows at their own width, then the items' at theirs.
    const user = Float32Array.from({ length: 3 * 2 }, (_, k) => k + 1);
    const dense = featureBuffer({ ...f, userKind: 'dense', userDim: 2, user });
    expect(dense.layout).toEqual({ oneHot: { user: false, item: false }, datasetUsers: 3, xUser: 0, xItem: 6 });
    expect([...dense.data]).toEqual([...user, ...f.item]);
    // One-hot items: no item rows; dense users keep theirs.
    const items = featureBuffer({ ...makeFeatures(ratings, 'onehot', 12, new Rng(1)), userKind: 'dense', userDim: 2, user });
    expect(items.layout).toEqual({ oneHot: { user: false, item: true }, datasetUsers: 3, xUser: 0, xItem: 6 });
    expect([...items.data]).toEqual([...user]);
    expect(featureBuffer(makeFeatures(ratings, 'onehot', 12, new Rng(1))).data.length).toBe(0);
  });

  it('make items one-hot as no matrix (PyG’s view: the identity), drawing nothing', () => {
    const rng = new Rng(5);
    const f = makeFeatures(ratings, 'onehot', 12, rng);
    expect(rng.nextU32()).toBe(new Rng(5).nextU32());
    expect([f.itemKind, f.itemDim, f.item.length]).toEqual(['onehot', 5, 0]);
    expect([...denseItems(f)]).toEqual(Array.from({ length: 25 }, (_, k) => (k % 6 === 0 ? 1 : 0)));
    expect(featureDims(ratings, 'onehot', 12)).toEqual({ userDim: 3, userKind: 'onehot', itemDim: 5, itemKind: 'onehot' });
    // Every other item kind is a matrix.
    expect(makeFeatures(ratings, 'genres', 12, new Rng(1)).itemKind).toBe('dense');
    expect(featureDims(ratings, 'seed', 12).itemKind).toBe('dense');
    // Dense items are their own PyG matrix.
    const g = makeFeatures(ratings, 'genres', 12, new Rng(1));
    expect(denseItems(g)).toBe(g.item);
  });

  it('take an identity user matrix (a PyG fixture’s) as one-hot, and any other as dense', () => {
    expect(userFeatures(denseUsers(makeFeatures(ratings, 'genres', 12, new Rng(1))), 3, 3)).toEqual({ userKind: 'onehot', user: new Float32Array(0) });
    const other = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(userFeatures(other, 3, 3)).toEqual({ userKind: 'dense', user: other });
    expect(userFeatures(new Float32Array(6), 3, 2).userKind).toBe('dense');
  });

  it('say clearly when the dataset has no genres', () => {
    expect(errorOf(() => makeFeatures(toyRatings(), 'genres', 12, new Rng(1))).message).toMatch(/item features from genres need genres, and this dataset has none/);
    const titlesOnly = parseRatingsCsv(RATINGS, 'r.csv', parseMovies('movieId,title\n1,One\n', 'm.csv'));
    expect(errorOf(() => makeFeatures(titlesOnly, 'genres', 12, new Rng(1))).message).toMatch(/no item of this dataset has one listed/);
    // The GPU size check reads the widths before the features are built: it gets the same message.
    expect(errorOf(() => featureDims(toyRatings(), 'genres', 12)).message).toMatch(/item features from genres need genres, and this dataset has none/);
  });

  it('rejects an unknown kind and keeps the latent dimension check', () => {
    expect(errorOf(() => makeFeatures(ratings, 'tags' as 'seed', 12, new Rng(1))).message).toBe('unknown item features "tags" (expected "seed", "genres", "genresYear", "file" or "onehot")');
    expect(errorOf(() => featureDims(ratings, 'tags' as 'seed', 12)).message).toMatch(/unknown item features "tags"/);
    expect(() => makeFeatures(ratings, 'genres', 0, new Rng(1))).toThrow(/latent dimension/);
  });

  it('on ml-latest-small: 19 genres, Toy Story has 5 of them', () => {
    const r = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv', parseMovies(readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8'), 'movies.csv'));
    const f = makeFeatures(r, 'genres', 12, new Rng(1));
    expect(f.itemDim).toBe(19);
    expect(f.item.length).toBe(9_724 * 19);
    expect(f.item.subarray(0, 19).reduce((a, b) => a + b, 0)).toBe(5);
    expect(genreVocabulary(r)).toContain('IMAX');
  });

  it('on the MovieLens 100K sample', () => {
    const dir = `${REPO_DIR}tests/data/ml-100k/`;
    const r = parseU100kData(readFileSync(`${dir}u.data`, 'utf8'), 'u.data', parseU100kItems(readFileSync(`${dir}u.item`, 'latin1'), 'u.item'));
    const f = makeFeatures(r, 'genres', 12, new Rng(1));
    expect(f.itemDim).toBe(genreVocabulary(r).length);
    expect(genreVocabulary(r)).not.toContain('unknown');
  });
});
