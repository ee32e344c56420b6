import { describe, expect, it } from 'vitest';
import { splitByTime, splitByUserTime } from '../src/graph/split';
import { selectPairs } from '../src/graph/pairs';
import { toyRatings } from '../src/graph/toy';
import { parseRatingsCsv } from '../src/graph/csv';
import { InputError } from '../src/util/errors';

describe('splitByTime', () => {
  it('keeps Tim → The Avengers as the toy test edge at 7/8', () => {
    const r = toyRatings();
    const s = splitByTime(r, 7 / 8);
    expect(s.train.length).toBe(7);
    expect(s.test.length).toBe(1);
    const t = s.test[0];
    expect(r.userNames[r.user[t]]).toBe('Tim');
    expect(r.itemNames[r.item[t]]).toBe('The Avengers');
    expect([...s.train]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('sorts by time, ties in input order, and lists both parts in time order', () => {
    const r = parseRatingsCsv('userId,movieId,rating,timestamp\n1,1,1,30\n1,2,1,10\n2,1,1,30\n2,2,1,20\n3,1,1,10\n', 'r.csv');
    const s = splitByTime(r, 0.6);
    expect([...s.train]).toEqual([1, 4, 3]);
    expect([...s.test]).toEqual([0, 2]);
  });

  it('puts everything in train at fraction 1, and floors small fractions to no train at all', () => {
    const r = toyRatings();
    expect(splitByTime(r, 1).train.length).toBe(8);
    expect(splitByTime(r, 1).test.length).toBe(0);
    expect(splitByTime(r, 0.1).train.length).toBe(0);
  });

  it.each([0, -0.5, 1.5, NaN, Infinity])('rejects fraction %s', (f) => {
    expect(() => splitByTime(toyRatings(), f)).toThrow(InputError);
  });

  it('selects the chosen ratings as labelled pairs', () => {
    const r = toyRatings();
    const p = selectPairs(r, splitByTime(r, 7 / 8).test);
    expect([...p.user, ...p.item, ...p.value]).toEqual([2, 1, 5]);
  });
});

describe('splitByUserTime', () => {
  // user 1: times 30, 10, 20, 40, 50 → oldest 4 of 5 train at 0.8 (rows 1, 2, 0, 3); user 2: one rating trains;
  // user 3: times 5, 5 (a tie: file order) → 1 of 2 trains (row 6).
  const csv = 'userId,movieId,rating,timestamp\n1,1,1,30\n1,2,1,10\n1,3,1,20\n1,4,1,40\n1,5,1,50\n2,1,1,99\n3,1,1,5\n3,2,1,5\n';

  it("trains on each user's oldest ratings and tests on their newest, both lists in file order", () => {
    const s = splitByUserTime(parseRatingsCsv(csv, 'r.csv'), 0.8);
    expect([...s.train]).toEqual([0, 1, 2, 3, 5, 6]);
    expect([...s.test]).toEqual([4, 7]);
  });

  it('leaves no tested user without a training rating, unlike the global time split', () => {
    const r = parseRatingsCsv(csv, 'r.csv');
    const trained = (s: { train: Uint32Array }) => new Set([...s.train].map((k) => r.user[k]));
    const perUser = splitByUserTime(r, 0.5);
    expect([...perUser.test].every((k) => trained(perUser).has(r.user[k]))).toBe(true);
    const global = splitByTime(r, 0.5);
    expect([...global.test].some((k) => !trained(global).has(r.user[k]))).toBe(true);
  });

  it.each([0, 1.5, NaN])('rejects fraction %s', (f) => {
    expect(() => splitByUserTime(toyRatings(), f)).toThrow(InputError);
  });
});
