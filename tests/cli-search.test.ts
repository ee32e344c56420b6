// `gatlab recommend --search knn-mips` as a user runs it (a child process on WebGPU): the list
// comes from KNN-MIPS, the line beside it gives its recall against the exact top-K and both
// times, a complete item graph gives exactly the exact list, a graph too small to reach K items
// cannot, and every bad knob gets one line naming the flag.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/util/rng';
import { inputError, ok } from './helpers/gatlab';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-search-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// 40 users and 65 movies: E = 64 is then every other movie (the largest graph the kernel holds).
const USERS = 40;
const ITEMS = 65;
const K = 10;
const csv = join(DIR, 'ratings.csv');
const weights = join(DIR, 'weights.json');
const run = ['--weights', weights, '--data', csv, '--k', String(K)];

interface Recommended {
  user: string;
  k: number;
  recommendations: { item: string; index: number; score: number }[];
  search?: { method: string; restarts: number; steps: number; expansions: number; users: number; recall: number; userFound: number; userExact: number; knnMs: number; exactMs: number; buildMs: number };
}
const recommend = (...args: string[]) => JSON.parse(ok('recommend', ...run, '--json', ...args)) as Recommended;

beforeAll(() => {
  const rng = new Rng(11);
  const lines = ['userId,movieId,rating,timestamp'];
  for (let r = 0; r < 900; r++) {
    // Every user and movie rated at least once; then at random.
    const u = r < USERS ? r : rng.int(USERS);
    const i = r < ITEMS ? r : rng.int(ITEMS);
    lines.push(`${u + 1},${i + 1},${1 + rng.int(5)},${r}`);
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  ok('train', '--data', csv, '--k', String(K), '--epochs', '3', '--batch-size', 'full', '--hidden', '8', '--save', weights);
});

describe('gatlab recommend --search knn-mips', () => {
  let exact: Recommended;
  beforeAll(() => {
    exact = recommend('--user', '7');
  });

  it('prints the KNN-MIPS list, then its recall against the exact top-K and both times; --json says the same', () => {
    const text = ok('recommend', ...run, '--user', '7', '--search', 'knn-mips');
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^7: top 10 of 65 items by KNN-MIPS \(R 8, T 8, E 16\), leaving out the \d+ 7 rated in training$/);
    const listed = lines.slice(1, -1).map((l) => /^ {2}\d+\. (.*) \(score -?\d+\.\d{3}\)$/.exec(l)?.[1]);
    expect(lines.at(-1)).toMatch(
      /^KNN-MIPS recall@10 against the exact top-10: [01]\.\d{3} over 40 users \(7: \d+ of \d+\); search \d+\.\d ms, exact \d+\.\d ms \(\d+\.\d\d× (faster|slower) than exact\); item graph \(65 items × E 16\) built in \d+\.\d ms$/,
    );
    // Another process, the same start items (from --seed): the same list and recall.
    const json = recommend('--user', '7', '--search', 'knn-mips');
    expect(listed).toEqual(json.recommendations.map((r) => r.item));
    expect(lines.at(-1)).toContain(`: ${json.search!.recall.toFixed(3)} over 40 users (7: ${json.search!.userFound} of ${json.search!.userExact})`);
    expect(json.search).toMatchObject({ method: 'knn-mips', restarts: 8, steps: 8, expansions: 16, users: USERS });
  });

  it('with a complete graph (E = 64 here) two steps score every movie: the exact list, recall 1', () => {
    const knn = recommend('--user', '7', '--search', 'knn-mips', '--restarts', '1', '--steps', '2', '--expansions', '64');
    expect(knn.recommendations.map((r) => r.index)).toEqual(exact.recommendations.map((r) => r.index));
    knn.recommendations.forEach((r, j) => expect(r.score).toBeCloseTo(exact.recommendations[j].score, 6));
    expect(knn.search).toMatchObject({ method: 'knn-mips', restarts: 1, steps: 2, expansions: 64, users: USERS, recall: 1 });
    expect(knn.search!.userFound).toBe(exact.recommendations.length);
    expect(knn.search!.userExact).toBe(exact.recommendations.length);
    for (const ms of [knn.search!.knnMs, knn.search!.exactMs, knn.search!.buildMs]) expect(ms).toBeGreaterThan(0);
  });

  it('one step over two neighbours scores at most two movies per user: at most 2 of the exact 10 found', () => {
    const knn = recommend('--user', '7', '--search', 'knn-mips', '--restarts', '1', '--steps', '1', '--expansions', '2');
    const s = knn.search!;
    expect(s.recall).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(s.recall).toBeGreaterThanOrEqual(0);
    expect(knn.recommendations.length).toBeLessThanOrEqual(2);
    // What it did find, it ranks by the same scores as the exact search, and the count agrees with the exact list.
    const exactIndex = new Set(exact.recommendations.map((r) => r.index));
    expect(s.userFound).toBe(knn.recommendations.filter((r) => exactIndex.has(r.index)).length);
    expect(s.userExact).toBe(exact.recommendations.length);
    const scores = knn.recommendations.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('the plain recommend is unchanged: no search report', () => {
    expect(exact.search).toBeUndefined();
    expect(exact.recommendations).toHaveLength(K);
  });
});

describe('gatlab recommend --search on bad input', () => {
  it.each([
    [['--search', 'fuzzy'], /--search must be exact or knn-mips, got "fuzzy"/],
    [['--search', 'knn-mips', '--restarts', '0'], /--restarts: the random restarts R must be in \[1, 1024\], got 0/],
    [['--search', 'knn-mips', '--steps', 'many'], /--steps: the greedy steps T must be a whole number, got "many"/],
    [['--search', 'knn-mips', '--expansions', '65'], /--expansions: the expansions E .*must be in \[1, 64\], got 65/],
    [['--search', 'knn-mips', '--restarts', '2.5'], /--restarts: .*whole number, got "2.5"/],
    [['--restarts', '4'], /--restarts sets KNN-MIPS: add --search knn-mips/],
    [['--search', 'exact', '--expansions', '4'], /--expansions sets KNN-MIPS: add --search knn-mips/],
  ])('recommend %j exits with 2 and one line', (args, message) => {
    expect(inputError('recommend', ...run, '--user', '7', ...args)).toMatch(message);
  });

  it('recommend --help lists the search options with their defaults', () => {
    const help = ok('recommend', '--help');
    expect(help).toMatch(/--search .*exact .*knn-mips/);
    expect(help).toMatch(/--restarts .*default 8/);
    expect(help).toMatch(/--steps .*default 8/);
    expect(help).toMatch(/--expansions .*default 16/);
  });
});
