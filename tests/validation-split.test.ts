// The validation split: carved from the training side as the test split is carved from all
// ratings, held out of training and of message passing, and absent (no draws) at fraction 0.
import { describe, expect, it } from 'vitest';
import { carveValidation, splitByTime, splitByUserTime, splitRandom } from '../src/graph/split';
import { parseRatingsCsv } from '../src/graph/csv';
import { toyRatings } from '../src/graph/toy';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS } from '../src/train/settings';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';

// Two users, times out of file order: user 1 rated at 50, 10, 40, 20, 30; user 2 at 15, 5, 25.
const CSV = 'userId,movieId,rating,timestamp\n1,1,5,50\n1,2,4,10\n1,3,3,40\n2,1,5,15\n1,4,2,20\n2,2,1,5\n1,5,1,30\n2,3,4,25\n';
const ratings = () => parseRatingsCsv(CSV, 'r.csv');
const times = (idx: Uint32Array) => [...idx].map((k) => ratings().time[k]);
const sorted = (a: Iterable<number>) => [...a].sort((x, y) => x - y);

describe('carveValidation', () => {
  it('by time: the newest of the training side validate, the rest train, and nothing newer than the test split is touched', () => {
    const r = ratings();
    const outer = splitByTime(r, 0.75); // 6 train (times 5..30), 2 test (40, 50)
    const { train, val } = carveValidation(r, outer.train, 1 / 3, 'time', new Rng(1));
    expect(times(train)).toEqual([5, 10, 15, 20]);
    expect(times(val)).toEqual([25, 30]);
    expect(sorted([...train, ...val])).toEqual(sorted(outer.train));
  });

  it('per user by time: each user’s newest training ratings validate, and each keeps one to train on', () => {
    const r = ratings();
    const outer = splitByUserTime(r, 0.8); // user 1: 4 train (10..40), 1 test; user 2: 2 train (5, 15), 1 test
    const { train, val } = carveValidation(r, outer.train, 0.5, 'userTime', new Rng(1));
    const byUser = (idx: Uint32Array, u: number) => sorted([...idx].filter((k) => r.user[k] === u).map((k) => r.time[k]));
    expect(byUser(train, 0)).toEqual([10, 20]);
    expect(byUser(val, 0)).toEqual([30, 40]);
    expect(byUser(train, 1)).toEqual([5]);
    expect(byUser(val, 1)).toEqual([15]);
  });

  it('at random: a draw from the generator, the same for the same state, disjoint from the rest', () => {
    const r = ratings();
    const outer = splitRandom(r, 0.75, new Rng(5));
    const a = carveValidation(r, outer.train, 0.5, 'random', new Rng(9));
    const b = carveValidation(r, outer.train, 0.5, 'random', new Rng(9));
    expect([...a.val]).toEqual([...b.val]);
    expect(a.val.length).toBe(3);
    expect(sorted([...a.train, ...a.val])).toEqual(sorted(outer.train));
    const draws = new Set(Array.from({ length: 20 }, (_, s) => [...carveValidation(r, outer.train, 0.5, 'random', new Rng(s)).val].join()));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('carves nothing and draws nothing at fraction 0', () => {
    const r = ratings();
    const rng = new Rng(3);
    const before = rng.clone().nextU32();
    const train = Uint32Array.from([0, 1, 2]);
    const out = carveValidation(r, train, 0, 'random', rng);
    expect(out.train).toBe(train);
    expect(out.val.length).toBe(0);
    expect(rng.nextU32()).toBe(before);
  });

  it('refuses a fraction outside [0, 1)', () => {
    expect(() => carveValidation(ratings(), Uint32Array.of(0), 1, 'time', new Rng(1))).toThrow(/validation fraction must be in \[0, 1\), got 1/);
    expect(() => carveValidation(ratings(), Uint32Array.of(0), -0.1, 'time', new Rng(1))).toThrow(InputError);
  });
});

describe('prepare with a validation share', () => {
  const pairs = (p: { user: Uint32Array; item: Uint32Array }) => sorted(Array.from(p.user, (u, k) => u * 1000 + p.item[k]));

  it('trains on the rest, keeps validation edges out of message passing, and keeps the test split', () => {
    const r = ratings();
    const off = prepare(r, { ...SEED_SETTINGS, split: 0.75 }, new Rng(1));
    const on = prepare(r, { ...SEED_SETTINGS, split: 0.75, val: 1 / 3 }, new Rng(1));
    expect(on.val.user.length).toBe(2);
    expect(on.train.user.length).toBe(4);
    expect(pairs(on.test)).toEqual(pairs(off.test));
    expect(sorted([...pairs(on.train), ...pairs(on.val)])).toEqual(pairs(off.train));
    // 'train' message passing: the remaining training edges only.
    expect(pairs(on.mpEdges)).toEqual(pairs(on.train));
    for (const v of pairs(on.val)) expect(pairs(on.mpEdges)).not.toContain(v);
    expect([...(on.split.val ?? [])].map((k) => r.time[k])).toEqual([25, 30]);
  });

  it('with message passing over all ratings, validation edges carry messages as test edges do', () => {
    const on = prepare(ratings(), { ...SEED_SETTINGS, split: 0.75, val: 1 / 3, messagePassing: 'all' }, new Rng(1));
    for (const v of pairs(on.val)) expect(pairs(on.mpEdges)).toContain(v);
    for (const t of pairs(on.test)) expect(pairs(on.mpEdges)).toContain(t);
    expect(pairs(on.train)).not.toEqual(pairs(on.mpEdges));
  });

  it('leaves the seed’s run as it was at val 0: the same split, features and generator', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const seed = prepare(toyRatings(), SEED_SETTINGS, a);
    const again = prepare(toyRatings(), { ...SEED_SETTINGS, val: 0 }, b);
    expect(again.val.user.length).toBe(0);
    expect([...again.split.train]).toEqual([...seed.split.train]);
    expect(again.features.item).toEqual(seed.features.item);
    expect(a.nextU32()).toBe(b.nextU32());
  });

  it('refuses a share that holds out nothing, naming the fraction and the counts', () => {
    // Per user by time, each user keeps one training rating: users with one have none to give.
    const r = parseRatingsCsv('userId,movieId,rating,timestamp\n1,1,5,1\n2,1,5,2\n1,2,4,3\n2,2,3,4\n', 'r.csv');
    expect(() => prepare(r, { ...SEED_SETTINGS, split: 0.5, splitMode: 'userTime', val: 0.5 }, new Rng(1))).toThrow(
      /validation fraction 0.5 of 2 training ratings holds out 0 and leaves 2 to train: raise the validation fraction/,
    );
  });

  it('refuses a patience without a validation split to watch, saying how to fix it', () => {
    expect(() => prepare(toyRatings(), { ...SEED_SETTINGS, patience: 5 }, new Rng(1))).toThrow(
      /a patience of 5 epochs watches the validation Recall@K, and this run has no validation split: set the validation share \(--val\) above 0/,
    );
  });
});
