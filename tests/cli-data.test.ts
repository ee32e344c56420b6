// `gatlab train` with the data options: --min-rating, --split-mode, --features, and --data on
// MovieLens files (ml-latest-small's ratings.csv with movies.csv, a 100K u.data with u.item).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { genreVocabulary } from '../src/graph/features';
import { filterByRating } from '../src/graph/filter';
import { gatlab, inputError, ok } from './helpers/gatlab';
import { ML_SMALL_DIR, REPO_DIR } from './helpers/paths';

interface Final {
  final: true;
  epochs: number;
  loss: number;
  recall: number;
  k: number;
  data: { users: number; items: number; ratings: number; loaded: number; train: number; test: number; userFeatures: number; itemFeatures: number };
  recommendations: { user: string; items: { item: string; index: number; score: number }[] }[];
}

const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Final;

describe('gatlab train on ml-latest-small with --min-rating 4 --features genres', () => {
  let out: Final;
  let lines: Record<string, unknown>[];
  beforeAll(() => {
    const stdout = ok(
      'train', '--data', `${ML_SMALL_DIR}ratings.csv`, '--min-rating', '4', '--split', '0.8', '--features', 'genres',
      '--batch-size', 'full', '--epochs', '1', '--k', '10', '--hidden', '12', '--json',
    );
    lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    out = lastLine(stdout);
  }, 600_000);

  it('runs one epoch and reports a finite loss and a Recall@10', () => {
    expect(lines).toHaveLength(2);
    expect(lines[0].epoch).toBe(1);
    expect(out.final).toBe(true);
    expect(out.epochs).toBe(1);
    expect(Number.isFinite(out.loss)).toBe(true);
    expect(out.recall).toBeGreaterThanOrEqual(0);
    expect(out.recall).toBeLessThanOrEqual(1);
    expect(out.k).toBe(10);
  });

  it('reports the kept ratings, users and items, the 80/20 split and 19 genre columns', () => {
    const movies = parseMovies(readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8'), 'movies.csv');
    const all = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv', movies);
    const kept = filterByRating(all, 4);
    expect(out.data).toEqual({
      users: kept.userNames.length,
      items: kept.itemNames.length,
      ratings: 48_580,
      loaded: 100_836,
      train: Math.floor(0.8 * 48_580),
      test: 48_580 - Math.floor(0.8 * 48_580),
      userFeatures: kept.userNames.length,
      itemFeatures: genreVocabulary(kept).length,
    });
    expect(out.data.itemFeatures).toBe(19);
    expect(out.data.items).toBeLessThan(9_724);
  });

  it('recommends titles (from movies.csv) to the test users, by their MovieLens ids', () => {
    expect(out.recommendations.length).toBeGreaterThan(10);
    const ids = new Set(Array.from({ length: 610 }, (_, k) => String(k + 1)));
    for (const r of out.recommendations) {
      expect(ids.has(r.user)).toBe(true);
      expect(r.items).toHaveLength(10);
      for (const i of r.items) {
        expect(i.item).toMatch(/\(\d{4}\)\s*$|[A-Za-z]/);
        expect(Number.isFinite(i.score)).toBe(true);
      }
    }
    // Items are named by title, not by movieId.
    expect(out.recommendations.flatMap((r) => r.items).some((i) => /\(\d{4}\)/.test(i.item))).toBe(true);
  });
});

describe('gatlab train on MovieLens 100K u.data', () => {
  it('reads u.data with u.item beside it, keeps ratings ≥ 3, splits at random and uses genres', () => {
    const uData = `${REPO_DIR}tests/data/ml-100k/u.data`;
    const r = gatlab('train', '--data', uData, '--min-rating', '3', '--split-mode', 'random', '--split', '0.75', '--features', 'genres', '--epochs', '2', '--batch-size', 'full', '--k', '2');
    expect(r.status, r.stderr).toBe(0);
    // 8 of the 12 ratings are ≥ 3, by 4 users of 6 items.
    expect(r.stderr).toMatch(/: 4 users, 6 items, 8 ratings at or above 3 of 12 \(6 train, 2 test\)/);
    expect(r.stderr).toMatch(/epoch 2\/2/);
    // Items are named by u.item's titles (9999 is not in it and keeps its id).
    const names = ['Kolya (1996)', 'L.A. Confidential (1997)', 'Toy Story (1995)', 'Four Rooms (1995)', 'Misérables, Les (1995)', '9999'];
    const listed = r.stdout.trim().split('\n');
    expect(listed.length).toBeGreaterThanOrEqual(1);
    for (const line of listed) {
      expect(line).toMatch(/^(196|186|244|22): /);
      expect(names.some((n) => line.includes(n))).toBe(true);
    }
  });
});

describe('gatlab train on MovieLens 100K with u.user and a features file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatlab-100k-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const genres = (g: number) => Array.from({ length: 19 }, (_, k) => (k === g ? 1 : 0)).join('|');
  writeFileSync(join(dir, 'u.data'), '1\t10\t5\t1\n2\t20\t4\t2\n3\t10\t4\t3\n1\t20\t2\t4\n2\t30\t5\t5\n3\t30\t1\t6\n1\t30\t4\t7\n3\t20\t5\t8\n');
  writeFileSync(join(dir, 'u.item'), ['10|Ten (1990)|', '20|Twenty (2000)|', '30|Thirty (2010)|'].map((t, k) => `${t}||x|${genres(k + 1)}`).join('\n'));
  writeFileSync(join(dir, 'u.user'), '1|20|M|writer|1\n2|40|F|artist|2\n3|30|M|artist|3\n');
  const data = join(dir, 'u.data');
  const weights = join(dir, 'w.json');

  it('trains on the demographics and u.item’s 18 genre columns, and says so', () => {
    const out = lastLine(ok('train', '--data', data, '--user-features', 'demographics', '--features', 'genres', '--batch-size', 'full', '--epochs', '2', '--k', '1', '--json', '--save', weights));
    // age, gender F and M, occupations artist and writer.
    expect([out.data.users, out.data.userFeatures, out.data.itemFeatures]).toEqual([3, 5, 18]);
    expect(Number.isFinite(out.loss)).toBe(true);
  });

  it('refuses the weights with other user features, and a choice whose file is missing', () => {
    expect(inputError('recommend', '--weights', weights, '--data', data, '--features', 'genres', '--user', '1')).toMatch(
      /lin1\.user\.weight reads 5 user features .* set --data \(and --min-rating, --user-features\) as in training$/,
    );
    expect(inputError('train', '--data', `${ML_SMALL_DIR}ratings.csv`, '--user-features', 'demographics', '--epochs', '1')).toMatch(/user features from demographics need MovieLens 100K’s u\.user/);
  });
});

describe('gatlab train --features onehot: a learned vector per item', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatlab-itemoh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 4 users, 6 items, every item rated; and the same with a seventh item.
  const rows = ['user,item,rating,timestamp', 'a,m1,5,1', 'b,m2,4,2', 'c,m3,3,3', 'd,m4,5,4', 'a,m5,2,5', 'b,m6,4,6', 'c,m1,4,7', 'd,m2,1,8', 'a,m3,5,9', 'b,m4,3,10'];
  const data = join(dir, 'small.csv');
  const more = join(dir, 'more.csv');
  writeFileSync(data, rows.join('\n'));
  writeFileSync(more, [...rows, 'c,m7,4,11'].join('\n'));
  const weights = join(dir, 'w.json');

  it('trains with one input per item, and the weights recommend for the same data', () => {
    const out = lastLine(ok('train', '--data', data, '--features', 'onehot', '--batch-size', 'full', '--epochs', '3', '--k', '2', '--split', '0.8', '--json', '--save', weights));
    expect([out.data.users, out.data.items, out.data.userFeatures, out.data.itemFeatures]).toEqual([4, 6, 4, 6]);
    expect(Number.isFinite(out.loss)).toBe(true);
    const saved = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, { shape?: number[] } | unknown>;
    expect(JSON.stringify(saved)).toContain('"lin1.item.weight"');
    // Recommending checks the run's fingerprint: the same data, split and features.
    const listed = ok('recommend', '--weights', weights, '--data', data, '--features', 'onehot', '--split', '0.8', '--user', 'a', '--k', '2').trim();
    expect(listed).toMatch(/m\d/);
  }, 600_000);

  it('refuses its weights for other item features or other items, saying what to set', () => {
    expect(inputError('recommend', '--weights', weights, '--data', data, '--features', 'seed', '--user', 'a')).toMatch(
      /lin1\.item\.weight reads 6 item features, but .* gives 12 with --features seed: set --features as in training$/,
    );
    expect(inputError('recommend', '--weights', weights, '--data', more, '--features', 'onehot', '--user', 'a')).toMatch(
      /lin1\.item\.weight reads 6 item features \(one per item of the training data, if they were one-hot\), but .*more\.csv has 7 items with these settings: set --data \(and --min-rating, --features\) as in training$/,
    );
  }, 600_000);
});

describe('gatlab train with bad data options', () => {
  it.each([
    [['--split-mode', 'sideways'], /--split-mode: the split must be "time", "userTime" or "random", got "sideways"$/],
    [['--features', 'tags'], /--features: the item features must be "seed", "genres", "genresYear", "file" or "onehot", got "tags"$/],
    [['--min-rating', 'high'], /--min-rating: the minimum rating must be a number/],
    // (The toy data has no genres for --features genres: tests/features.test.ts.)
    [['--min-rating', '9'], /no rating is at or above the minimum rating 9 \(the ratings range from 1 to 5\)/],
  ])('train %j exits with 2 and one line', (args, message) => {
    expect(inputError('train', ...args)).toMatch(message);
  });

  it('lists the new options in --help', () => {
    const text = ok('train', '--help');
    for (const f of ['--min-rating', '--split-mode', '--features', '--user-features', 'u.data']) expect(text).toContain(f);
  });
});
