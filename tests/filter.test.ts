// Keeping ratings at or above a threshold, the random split, and how prepare() applies both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { filterByRating } from '../src/graph/filter';
import { makeFeatures } from '../src/graph/features';
import { splitByTime, splitRandom } from '../src/graph/split';
import { toyRatings } from '../src/graph/toy';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS } from '../src/train/settings';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { errorOf } from './helpers/errors';
import { ML_SMALL_DIR } from './helpers/paths';

const HEADER = 'userId,movieId,rating,timestamp\n';

describe('filterByRating', () => {
  it('keeps ratings ≥ the threshold and drops users and items left without one', () => {
    const text = `${HEADER}a,1,5,10\nb,2,2,20\na,3,4,30\nc,1,3.5,40\nb,1,4,50\n`;
    const r = filterByRating(parseRatingsCsv(text, 'r.csv'), 4);
    // User c and item 2 have no rating ≥ 4 left; b is now the second user, 3 the second item.
    expect(r.userNames).toEqual(['a', 'b']);
    expect(r.itemNames).toEqual(['1', '3']);
    expect([...r.user]).toEqual([0, 0, 1]);
    expect([...r.item]).toEqual([0, 1, 0]);
    expect([...r.rating]).toEqual([5, 4, 4]);
    expect([...r.time]).toEqual([10, 30, 50]);
  });

  it('gives what parsing the kept rows alone gives (genres included)', () => {
    const movies = parseMovies('movieId,title,genres\n1,One,Drama|War\n2,Two,Comedy\n3,Three,(no genres listed)\n', 'm.csv');
    const rows = ['u,1,1,1', 'v,2,4.5,2', 'u,3,4,3', 'w,2,3,4', 'w,1,5,5'];
    const all = parseRatingsCsv(HEADER + rows.join('\n'), 'r.csv', movies);
    const kept = parseRatingsCsv(HEADER + rows.filter((l) => Number(l.split(',')[2]) >= 4).join('\n'), 'r.csv', movies);
    expect(filterByRating(all, 4)).toEqual(kept);
    expect(filterByRating(all, 4).itemGenres).toEqual([['Comedy'], [], ['Drama', 'War']]);
  });

  it('keeps everything at a threshold under every rating, and does not touch its input', () => {
    const r = toyRatings();
    const copy = structuredClone(r);
    expect(filterByRating(r, -1)).toEqual(r);
    filterByRating(r, 5);
    expect(r).toEqual(copy);
  });

  it('on ml-latest-small at 4: 48,580 ratings, users and items renumbered densely', () => {
    const r = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv');
    const f = filterByRating(r, 4);
    expect(f.user.length).toBe(r.rating.filter((x) => x >= 4).length);
    expect(f.user.length).toBe(48_580);
    expect(f.userNames.length).toBe(new Set(f.userNames).size);
    expect(Math.max(...f.user)).toBe(f.userNames.length - 1);
    expect(Math.max(...f.item)).toBe(f.itemNames.length - 1);
    expect(f.itemNames.length).toBeLessThan(r.itemNames.length);
    expect(Math.min(...f.rating)).toBe(4);
  });

  it.each([
    [6, /no rating is at or above the minimum rating 6 \(the ratings range from 1 to 5\)/],
    [5.5, /minimum rating 5\.5/],
  ])('says so when nothing is left at %s', (min, message) => {
    expect(errorOf(() => filterByRating(toyRatings(), min)).message).toMatch(message);
  });

  it.each([NaN, Infinity, '4' as unknown as number])('rejects the threshold %s', (min) => {
    expect(() => filterByRating(toyRatings(), min)).toThrow(InputError);
  });
});

describe('splitRandom', () => {
  const r = parseRatingsCsv(HEADER + Array.from({ length: 100 }, (_, k) => `${k % 7},${k % 11},${1 + (k % 5)},${1000 - k}`).join('\n'), 'r.csv');

  it('splits floor(fraction·n) / the rest, each part in file order, together every rating once', () => {
    const s = splitRandom(r, 0.8, new Rng(5));
    expect(s.train.length).toBe(80);
    expect(s.test.length).toBe(20);
    expect([...s.train, ...s.test].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect([...s.train]).toEqual([...s.train].sort((a, b) => a - b));
    expect([...s.test]).toEqual([...s.test].sort((a, b) => a - b));
    expect(splitRandom(toyRatings(), 7 / 8, new Rng(1)).train.length).toBe(7);
  });

  it('is fixed by the seed, differs between seeds and from the time split', () => {
    const a = splitRandom(r, 0.8, new Rng(5));
    expect(splitRandom(r, 0.8, new Rng(5))).toEqual(a);
    expect(splitRandom(r, 0.8, new Rng(6)).test).not.toEqual(a.test);
    // By time the newest (the first rows here) test.
    expect([...splitByTime(r, 0.8).test].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(a.test).not.toEqual(Uint32Array.from({ length: 20 }, (_, k) => k));
  });

  it('draws each rating into test with about the same chance', () => {
    const hits = new Array(100).fill(0);
    const rng = new Rng(9);
    for (let t = 0; t < 2000; t++) for (const k of splitRandom(r, 0.8, rng).test) hits[k]++;
    // Binomial(2000, 0.2): mean 400, sd ≈ 18.
    for (const h of hits) expect(Math.abs(h - 400)).toBeLessThan(100);
  });

  it.each([0, -0.5, 1.5, NaN])('rejects fraction %s', (f) => {
    expect(() => splitRandom(r, f, new Rng(1))).toThrow(InputError);
  });
});

describe('prepare', () => {
  it('draws on the default path exactly what it always has: the seed features, nothing else', () => {
    const rng = new Rng(SEED_SETTINGS.seed);
    const p = prepare(toyRatings(), SEED_SETTINGS, rng);
    const ref = new Rng(SEED_SETTINGS.seed);
    expect(p.features).toEqual(makeFeatures(toyRatings(), 'seed', SEED_SETTINGS.hidden, ref));
    expect(rng.nextU32()).toBe(ref.nextU32());
    expect(p.ratings).toEqual(toyRatings());
    expect([...p.split.test]).toEqual([7]);
  });

  it('filters first, then splits (at random from the run rng), then makes genre features', () => {
    const movies = parseMovies('movieId,title,genres\n1,One,Drama|War\n2,Two,Comedy\n3,Three,Drama\n', 'm.csv');
    const ratings = parseRatingsCsv(`${HEADER}a,1,5,1\na,2,1,2\nb,2,4,3\nb,3,5,4\nc,3,2,5\nc,1,4,6\nd,2,1,7\n`, 'r.csv', movies);
    const settings = { ...SEED_SETTINGS, minRating: 4, splitMode: 'random' as const, features: 'genres' as const, split: 0.5 };
    const rng = new Rng(3);
    const p = prepare(ratings, settings, rng);
    expect(p.ratings.userNames).toEqual(['a', 'b', 'c']);
    expect(p.numUsers).toBe(3);
    expect(p.numItems).toBe(3);
    expect(p.train.user.length + p.test.user.length).toBe(4);
    expect(p.split).toEqual(splitRandom(p.ratings, 0.5, new Rng(3)));
    expect(p.features.itemDim).toBe(3); // Comedy, Drama, War
    expect(p.features.userDim).toBe(3);
    // Genre features draw nothing: the split's shuffle is all the rng gave.
    const ref = new Rng(3);
    splitRandom(p.ratings, 0.5, ref);
    expect(rng.nextU32()).toBe(ref.nextU32());
  });

  it('names the threshold when it keeps nothing, and says genres are missing', () => {
    expect(errorOf(() => prepare(toyRatings(), { ...SEED_SETTINGS, minRating: 9 }, new Rng(1))).message).toMatch(/minimum rating 9/);
    expect(errorOf(() => prepare(toyRatings(), { ...SEED_SETTINGS, features: 'genres' }, new Rng(1))).message).toMatch(/genres/);
  });
});
