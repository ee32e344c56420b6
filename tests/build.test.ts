import { describe, expect, it } from 'vitest';
import { buildGraph, fullGraph } from '../src/graph/build';
import type { LabeledPairs, Pairs } from '../src/graph/pairs';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { expectValidGraph } from './helpers/graphChecks';

const u32 = (...a: number[]) => Uint32Array.from(a);
const labels = (user: number[], item: number[], value: number[]): LabeledPairs => ({
  user: Uint32Array.from(user),
  item: Uint32Array.from(item),
  value: Float32Array.from(value),
});
const noLabels = labels([], [], []);

function randomPairs(rng: Rng, n: number, numUsers: number, numItems: number): Pairs {
  const user = new Uint32Array(n);
  const item = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = rng.int(numUsers);
    item[k] = rng.int(numItems);
  }
  return { user, item };
}

describe('buildGraph', () => {
  it('lays out a small graph exactly as docs/ENGINE.md says', () => {
    // 2 users (nodes 0, 1), 3 items (nodes 2, 3, 4); item 2 (node 4) has no edge at all.
    const g = buildGraph({
      numUsers: 2,
      numItems: 3,
      rates: { user: u32(1, 0, 0, 1), item: u32(0, 1, 0, 0) },
      revRates: { user: u32(0, 1), item: u32(1, 0) },
      labels: labels([1, 0], [2, 0], [4, 0]),
    });
    expect([...g.nodeGlobal]).toEqual([0, 1, 2, 3, 4]);
    // Destination 0 (user 0) gets rev edge item 1; user 1 gets item 0; item 0 gets users 1, 0, 1
    // in input order (the duplicate kept); item 1 gets user 0; item 2 nothing.
    expect([...g.dstPtr]).toEqual([0, 1, 2, 5, 6, 6]);
    expect([...g.edgeSrc]).toEqual([3, 2, 1, 0, 1, 0]);
    expect([...g.edgeDst]).toEqual([0, 1, 2, 2, 2, 3]);
    expect([...g.srcPtr]).toEqual([0, 2, 4, 5, 6, 6]);
    expect([...g.srcEdge]).toEqual([3, 5, 2, 4, 1, 0]);
    expect([...g.labelUser]).toEqual([1, 0]);
    expect([...g.labelItem]).toEqual([4, 2]);
    expect([...g.labelValue]).toEqual([4, 0]);
    expect([...g.labPtr]).toEqual([0, 1, 2, 3, 3, 4]);
    expect([...g.labEdge]).toEqual([1, 0, 1, 0]);
    expectValidGraph(g);
  });

  it('keeps the input order within each destination (stable), duplicates included', () => {
    const rng = new Rng(7);
    const numUsers = 13;
    const numItems = 17;
    const rates = randomPairs(rng, 300, numUsers, numItems);
    const revRates = randomPairs(rng, 250, numUsers, numItems);
    const lab = randomPairs(rng, 90, numUsers, numItems);
    const g = buildGraph({
      numUsers,
      numItems,
      rates,
      revRates,
      labels: { ...lab, value: Float32Array.from(lab.user, (_, k) => k) },
    });
    expectValidGraph(g);
    for (let i = 0; i < numItems; i++) {
      const expected = [...rates.user].filter((_, k) => rates.item[k] === i);
      const node = numUsers + i;
      expect([...g.edgeSrc.subarray(g.dstPtr[node], g.dstPtr[node + 1])]).toEqual(expected);
    }
    for (let u = 0; u < numUsers; u++) {
      const expected = [...revRates.item].filter((_, k) => revRates.user[k] === u).map((i) => numUsers + i);
      expect([...g.edgeSrc.subarray(g.dstPtr[u], g.dstPtr[u + 1])]).toEqual(expected);
    }
    // Labels keep their order and values.
    expect([...g.labelValue]).toEqual([...Array(90).keys()]);
  });

  it('handles empty graphs and nodes without edges or labels', () => {
    const g = buildGraph({ numUsers: 3, numItems: 2, rates: randomPairs(new Rng(1), 0, 1, 1), revRates: { user: u32(), item: u32() }, labels: noLabels });
    expectValidGraph(g);
    expect([...g.dstPtr]).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = buildGraph({ numUsers: 0, numItems: 0, rates: { user: u32(), item: u32() }, revRates: { user: u32(), item: u32() }, labels: noLabels });
    expectValidGraph(empty);
  });

  it('takes a batch nodeGlobal as given', () => {
    const g = buildGraph({
      numUsers: 1,
      numItems: 1,
      nodeGlobal: u32(5, 20),
      rates: { user: u32(0), item: u32(0) },
      revRates: { user: u32(0), item: u32(0) },
      labels: noLabels,
    });
    expect([...g.nodeGlobal]).toEqual([5, 20]);
  });

  it('rejects out-of-range ids, ragged lists and a wrong nodeGlobal', () => {
    const base = { numUsers: 2, numItems: 2, rates: { user: u32(0), item: u32(1) }, revRates: { user: u32(), item: u32() }, labels: noLabels };
    expect(() => buildGraph({ ...base, rates: { user: u32(2), item: u32(0) } })).toThrow(InputError);
    expect(() => buildGraph({ ...base, revRates: { user: u32(0), item: u32(2) } })).toThrow(InputError);
    expect(() => buildGraph({ ...base, rates: { user: u32(0, 1), item: u32(0) } })).toThrow(InputError);
    expect(() => buildGraph({ ...base, labels: labels([0], [0], []) })).toThrow(InputError);
    expect(() => buildGraph({ ...base, nodeGlobal: u32(0, 1, 2) })).toThrow(InputError);
  });
});

describe('fullGraph', () => {
  it('uses every message-passing edge in both directions', () => {
    const rng = new Rng(3);
    const mp = randomPairs(rng, 200, 9, 11);
    const g = fullGraph(9, 11, mp, labels([0, 8], [10, 0], [5, 1]));
    expectValidGraph(g);
    expect(g.edgeSrc.length).toBe(400);
    const key = (s: number, d: number) => `${s}>${d}`;
    const got = [...g.edgeSrc].map((s, e) => key(s, g.edgeDst[e])).sort();
    const want = [...mp.user].flatMap((u, k) => [key(u, 9 + mp.item[k]), key(9 + mp.item[k], u)]).sort();
    expect(got).toEqual(want);
    expect([...g.nodeGlobal]).toEqual([...Array(20).keys()]);
  });
});
