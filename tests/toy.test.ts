import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOY_CSV, TOY_CSV_PATH, toyRatings } from '../src/graph/toy';
import { parseRatingsCsv } from '../src/graph/csv';
import { denseUsers, makeFeatures } from '../src/graph/features';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { REPO_DIR } from './helpers/paths';

describe('toy dataset', () => {
  it('ships in public/ exactly as embedded', () => {
    expect(readFileSync(`${REPO_DIR}public/${TOY_CSV_PATH}`, 'utf8')).toBe(TOY_CSV);
  });

  it('is the seed case study: 3 users, 3 movies, 8 timed ratings', () => {
    const r = toyRatings();
    expect(r.userNames).toEqual(['Bob', 'Steve', 'Tim']);
    expect(r.itemNames).toEqual(['Greatest Events of WWII in Colour', 'The Avengers', 'Guardians of the Galaxy']);
    const rows = [...r.user].map((u, k) => [u, r.item[k], r.rating[k], r.time[k]]);
    expect(rows).toEqual([
      [0, 0, 5, 1],
      [0, 1, 1, 2],
      [0, 2, 1, 3],
      [1, 0, 1, 4],
      [1, 1, 5, 5],
      [1, 2, 5, 6],
      [2, 2, 5, 7],
      [2, 1, 5, 8],
    ]);
  });

  it('parses the same from the file as from the constant', () => {
    const fromFile = parseRatingsCsv(readFileSync(`${REPO_DIR}public/${TOY_CSV_PATH}`, 'utf8'), 'toy.csv');
    expect(fromFile).toEqual(toyRatings());
  });
});

describe('seed features', () => {
  it('are one-hot users (3×3 identity, kept as lookups) and standard normal items (3×12), fixed by the seed', () => {
    const f = makeFeatures(toyRatings(), 'seed', 12, new Rng(123));
    expect(f.userDim).toBe(3);
    expect(f.userKind).toBe('onehot');
    expect([...denseUsers(f)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(f.itemDim).toBe(12);
    expect(f.item.length).toBe(36);
    expect(makeFeatures(toyRatings(), 'seed', 12, new Rng(123))).toEqual(f);
    expect(makeFeatures(toyRatings(), 'seed', 12, new Rng(124)).item).not.toEqual(f.item);
  });

  it('draw items from a standard normal', () => {
    const ratings = { ...toyRatings(), itemNames: Array.from({ length: 1000 }, (_, i) => `${i}`) };
    const { item } = makeFeatures(ratings, 'seed', 20, new Rng(1));
    const mean = item.reduce((s, x) => s + x, 0) / item.length;
    const variance = item.reduce((s, x) => s + (x - mean) ** 2, 0) / item.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it.each([0, -1, 2.5, NaN])('reject latent dimension %s', (d) => {
    expect(() => makeFeatures(toyRatings(), 'seed', d, new Rng(1))).toThrow(InputError);
  });
});
