import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Sampler, planEpoch, type SamplerOptions } from '../src/graph/sampler';
import { selectPairs, type Pairs } from '../src/graph/pairs';
import { parseRatingsCsv } from '../src/graph/csv';
import { splitByTime } from '../src/graph/split';
import { toyRatings } from '../src/graph/toy';
import type { GraphArrays, Ratings } from '../src/graph/types';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { expectValidGraph } from './helpers/graphChecks';
import { ML_SMALL_DIR } from './helpers/paths';
import { randomRatings } from './helpers/randomRatings';

/** Options for training on the first `fraction` of the ratings, messages over training edges. */
function optionsFor(r: Ratings, fraction: number, rest: Partial<SamplerOptions>): SamplerOptions {
  const train = selectPairs(r, splitByTime(r, fraction).train);
  return {
    numUsers: r.userNames.length,
    numItems: r.itemNames.length,
    mpEdges: train,
    supervision: train,
    batchSize: 16,
    neighbors: [3, 2],
    negRatio: 0,
    allEdgesForNegCheck: { user: r.user, item: r.item },
    ...rest,
  };
}

const pairCounts = (p: Pairs, numItems: number) => {
  const m = new Map<number, number>();
  for (let k = 0; k < p.user.length; k++) {
    const key = p.user[k] * numItems + p.item[k];
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
};

/** The batch's edges in dataset terms, as (user, item, direction). */
function globalEdges(g: GraphArrays, numUsers: number) {
  return [...g.edgeSrc].map((s, e) => {
    const src = g.nodeGlobal[s];
    const dst = g.nodeGlobal[g.edgeDst[e]];
    return src < numUsers ? { user: src, item: dst - numUsers, toItem: true } : { user: dst, item: src - numUsers, toItem: false };
  });
}

describe('Sampler', () => {
  const ratings = randomRatings(11, 40, 60, 900);

  it('is deterministic for a given seed and differs across seeds', () => {
    const sampler = new Sampler(optionsFor(ratings, 0.8, { negRatio: 1 }));
    const a = sampler.planEpoch(new Rng(5));
    const b = sampler.planEpoch(new Rng(5));
    const c = new Sampler(optionsFor(ratings, 0.8, { negRatio: 1 })).planEpoch(new Rng(5));
    const d = sampler.planEpoch(new Rng(6));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(d).not.toEqual(a);
  });

  it('cuts the shuffled supervision into batches, each edge once, the last one short', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 50 });
    const batches = planEpoch(opts, new Rng(1));
    const n = opts.supervision.user.length; // 720
    expect(batches.length).toBe(Math.ceil(n / 50));
    expect(batches.map((g) => g.labelUser.length)).toEqual([...Array(14).fill(50), 20]);
    const seen = new Map<number, number>();
    const numUsers = opts.numUsers;
    for (const g of batches) {
      expectValidGraph(g);
      for (let l = 0; l < g.labelUser.length; l++) {
        const u = g.nodeGlobal[g.labelUser[l]];
        const i = g.nodeGlobal[g.labelItem[l]] - numUsers;
        const key = u * opts.numItems + i;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    expect(seen).toEqual(pairCounts(opts.supervision, opts.numItems));
    // Shuffled: the first batch is not simply the first 50 training edges.
    const first = batches[0];
    const firstUsers = [...first.labelUser].map((u) => first.nodeGlobal[u]);
    expect(firstUsers).not.toEqual([...opts.supervision.user.subarray(0, 50)]);
  });

  it('numbers batch nodes users first, then items, by first appearance, seeds before neighbours', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 10 });
    for (const g of planEpoch(opts, new Rng(2))) {
      const users = [...g.nodeGlobal.subarray(0, g.numUsers)];
      const items = [...g.nodeGlobal.subarray(g.numUsers)];
      expect(users.every((u) => u < opts.numUsers)).toBe(true);
      expect(items.every((n) => n >= opts.numUsers)).toBe(true);
      expect(new Set(g.nodeGlobal).size).toBe(g.nodeGlobal.length);
      const labelUsers = [...new Set([...g.labelUser].map((u) => g.nodeGlobal[u]))];
      const labelItems = [...new Set([...g.labelItem].map((i) => g.nodeGlobal[i]))];
      expect(users.slice(0, labelUsers.length)).toEqual(labelUsers);
      expect(items.slice(0, labelItems.length)).toEqual(labelItems);
    }
  });

  it('samples at most k incoming edges per node per hop, all of them when there are fewer', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 8, neighbors: [3, 2] });
    const { numUsers, numItems } = opts;
    const mpDegree = new Uint32Array(numUsers + numItems);
    for (let k = 0; k < opts.mpEdges.user.length; k++) {
      mpDegree[opts.mpEdges.user[k]]++;
      mpDegree[numUsers + opts.mpEdges.item[k]]++;
    }
    for (const g of planEpoch(opts, new Rng(3))) {
      const seeds = new Set([...g.labelUser, ...g.labelItem]);
      const hop1 = new Set<number>();
      for (const s of seeds) for (let e = g.dstPtr[s]; e < g.dstPtr[s + 1]; e++) if (!seeds.has(g.edgeSrc[e])) hop1.add(g.edgeSrc[e]);
      for (let n = 0; n < g.nodeGlobal.length; n++) {
        const inDegree = g.dstPtr[n + 1] - g.dstPtr[n];
        const fanout = seeds.has(n) ? 3 : hop1.has(n) ? 2 : 0;
        expect(inDegree).toBe(Math.min(fanout, mpDegree[g.nodeGlobal[n]]));
      }
    }
  });

  it('samples real message-passing edges, each at most as often as it exists', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 32, neighbors: [4, 4, 4] });
    const mp = pairCounts(opts.mpEdges, opts.numItems);
    for (const g of planEpoch(opts, new Rng(4))) {
      const perDirection = new Map<string, number>();
      for (const e of globalEdges(g, opts.numUsers)) {
        const key = e.user * opts.numItems + e.item;
        expect(mp.has(key)).toBe(true);
        const k = `${key}${e.toItem}`;
        perDirection.set(k, (perDirection.get(k) ?? 0) + 1);
        expect(perDirection.get(k)).toBeLessThanOrEqual(mp.get(key)!);
      }
    }
  });

  it('never samples the test edges for message passing', () => {
    const opts = optionsFor(ratings, 0.5, { batchSize: 64, neighbors: [-1, -1] });
    const mp = pairCounts(opts.mpEdges, opts.numItems);
    const test = selectPairs(ratings, splitByTime(ratings, 0.5).test);
    const onlyTest = [...pairCounts(test, opts.numItems).keys()].filter((k) => !mp.has(k));
    expect(onlyTest.length).toBeGreaterThan(0);
    for (const g of planEpoch(opts, new Rng(8))) {
      for (const e of globalEdges(g, opts.numUsers)) expect(onlyTest).not.toContain(e.user * opts.numItems + e.item);
    }
  });

  it('takes every neighbour with -1 and none without hops', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 4, neighbors: [-1] });
    const { numUsers, numItems } = opts;
    const mpDegree = new Uint32Array(numUsers + numItems);
    for (let k = 0; k < opts.mpEdges.user.length; k++) {
      mpDegree[opts.mpEdges.user[k]]++;
      mpDegree[numUsers + opts.mpEdges.item[k]]++;
    }
    const g = planEpoch(opts, new Rng(9))[0];
    for (const s of new Set([...g.labelUser, ...g.labelItem])) {
      expect(g.dstPtr[s + 1] - g.dstPtr[s]).toBe(mpDegree[g.nodeGlobal[s]]);
    }
    const bare = planEpoch({ ...opts, neighbors: [] }, new Rng(9))[0];
    expect(bare.edgeSrc.length).toBe(0);
    expectValidGraph(bare);
  });

  it('samples neighbours uniformly', () => {
    // One item with 10 raters; each batch asks for 3 of them.
    const user = Uint32Array.from({ length: 10 }, (_, k) => k);
    const item = new Uint32Array(10);
    const mpEdges = { user, item };
    const sampler = new Sampler({
      numUsers: 10,
      numItems: 1,
      mpEdges,
      supervision: { user: user.subarray(0, 1), item: item.subarray(0, 1), value: Float32Array.of(1) },
      batchSize: 1,
      neighbors: [3],
      negRatio: 0,
      allEdgesForNegCheck: mpEdges,
    });
    const counts = new Array(10).fill(0);
    const rng = new Rng(10);
    const trials = 6000;
    for (let t = 0; t < trials; t++) {
      const g = sampler.planEpoch(rng)[0];
      const itemNode = g.numUsers;
      const raters = [...g.edgeSrc.subarray(g.dstPtr[itemNode], g.dstPtr[itemNode + 1])].map((s) => g.nodeGlobal[s]);
      expect(new Set(raters).size).toBe(3);
      for (const u of raters) counts[u]++;
    }
    // Expected 1800 each; 5 standard deviations is about ±180.
    for (const c of counts) expect(Math.abs(c - (trials * 3) / 10)).toBeLessThan(180);
  });

  it('adds round(ratio·B) negatives per batch: non-edges labelled 0', () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 25, negRatio: 0.5 });
    const known = pairCounts(opts.allEdgesForNegCheck, opts.numItems);
    const batches = planEpoch(opts, new Rng(12));
    for (const g of batches) {
      expectValidGraph(g);
      const positives = g.labelValue.indexOf(0);
      const b = positives < 0 ? g.labelValue.length : positives;
      expect(g.labelValue.length - b).toBe(Math.round(0.5 * b));
      for (let l = b; l < g.labelValue.length; l++) {
        expect(g.labelValue[l]).toBe(0);
        const u = g.nodeGlobal[g.labelUser[l]];
        const i = g.nodeGlobal[g.labelItem[l]] - opts.numUsers;
        expect(known.has(u * opts.numItems + i)).toBe(false);
      }
    }
    // 720 supervision edges: 28 batches of 25 (13 negatives each, after rounding 12.5 up) and one of 20.
    expect(batches.reduce((s, g) => s + g.labelValue.length, 0)).toBe(720 + 28 * 13 + 10);
  });

  it('finds the one free toy pair and gives up quietly on a complete graph', () => {
    const toy = toyRatings();
    const opts = optionsFor(toy, 7 / 8, { batchSize: 1, neighbors: [1], negRatio: 1 });
    for (const g of planEpoch(opts, new Rng(123))) {
      expect(g.labelValue.length).toBe(2);
      // The only pair nobody rated: Tim (user 2) and WWII (item 0).
      expect(g.nodeGlobal[g.labelUser[1]]).toBe(2);
      expect(g.nodeGlobal[g.labelItem[1]]).toBe(3 + 0);
    }
    const complete = { user: Uint32Array.of(...toy.user, 2), item: Uint32Array.of(...toy.item, 0) };
    const batches = planEpoch({ ...opts, allEdgesForNegCheck: complete }, new Rng(123));
    expect(batches.map((g) => g.labelValue.length)).toEqual(Array(7).fill(1));
  });

  it("'full' gives one batch with the whole training graph and all supervision", () => {
    const opts = optionsFor(ratings, 0.8, { batchSize: 'full', negRatio: 0.25 });
    const batches = planEpoch(opts, new Rng(13));
    expect(batches.length).toBe(1);
    const g = batches[0];
    expectValidGraph(g);
    const n = opts.supervision.user.length;
    expect(g.numUsers).toBe(opts.numUsers);
    expect(g.numItems).toBe(opts.numItems);
    expect([...g.nodeGlobal]).toEqual([...Array(opts.numUsers + opts.numItems).keys()]);
    expect(g.edgeSrc.length).toBe(2 * opts.mpEdges.user.length);
    expect([...g.labelUser.subarray(0, n)]).toEqual([...opts.supervision.user]);
    expect(g.labelValue.length).toBe(n + 180);
    expect(g.labelValue.subarray(n).every((v) => v === 0)).toBe(true);
  });

  it("'full' without negatives reuses one graph across epochs", () => {
    const sampler = new Sampler(optionsFor(ratings, 0.8, { batchSize: 'full' }));
    const a = sampler.planEpoch(new Rng(1))[0];
    expect(sampler.planEpoch(new Rng(2))[0]).toBe(a);
  });

  it('rejects bad options', () => {
    const ok = optionsFor(ratings, 0.8, {});
    expect(() => new Sampler({ ...ok, batchSize: 0 })).toThrow(InputError);
    expect(() => new Sampler({ ...ok, batchSize: 2.5 })).toThrow(InputError);
    expect(() => new Sampler({ ...ok, neighbors: [-2] })).toThrow(InputError);
    expect(() => new Sampler({ ...ok, negRatio: -1 })).toThrow(InputError);
    expect(() => new Sampler({ ...ok, negRatio: NaN })).toThrow(InputError);
    expect(() => new Sampler({ ...ok, numItems: 3 })).toThrow(InputError);
  });
});

describe('Sampler on MovieLens latest-small', () => {
  it('plans an epoch (batch 1024, neighbours [10, 10], one negative per edge)', () => {
    const r = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv');
    const opts = optionsFor(r, 0.8, { batchSize: 1024, neighbors: [10, 10], negRatio: 1 });
    const batches = new Sampler(opts).planEpoch(new Rng(123));
    expect(opts.supervision.user.length).toBe(80_668);
    expect(batches.length).toBe(79);
    expectValidGraph(batches[0]);
  });
});

describe('Sampler labels per objective', () => {
  const ratings = randomRatings(13, 30, 40, 500);
  const numItems = ratings.itemNames.length;
  const known = new Set(Array.from(ratings.user, (u, k) => u * numItems + ratings.item[k]));

  it('labels ratings 1 and negatives 0 for bce, and refuses bce without negatives', () => {
    for (const batchSize of [16, 'full'] as const) {
      for (const g of planEpoch(optionsFor(ratings, 0.8, { loss: 'bce', negRatio: 2, batchSize }), new Rng(3))) {
        const pos = g.labelValue.filter((v) => v === 1).length;
        expect(g.labelValue.every((v) => v === 0 || v === 1)).toBe(true);
        expect(g.labelValue.length - pos).toBe(2 * pos);
      }
    }
    expect(() => new Sampler(optionsFor(ratings, 0.8, { loss: 'bce', negRatio: 0 }))).toThrow(InputError);
    expect(() => new Sampler(optionsFor(ratings, 0.8, { loss: 'bce', negRatio: 0 }))).toThrow(/bce.*negatives/);
  });

  it('pairs each rating with one unrated item of the same user for bpr: n ratings, then their n negatives', () => {
    for (const batchSize of [16, 'full'] as const) {
      // The negatives setting is not BPR's: it draws exactly one per rating.
      const batches = planEpoch(optionsFor(ratings, 0.8, { loss: 'bpr', negRatio: 3, batchSize }), new Rng(4));
      let labels = 0;
      for (const g of batches) {
        const n = g.labelUser.length / 2;
        expect(Number.isInteger(n) && n > 0).toBe(true);
        labels += n;
        for (let l = 0; l < n; l++) {
          const user = g.nodeGlobal[g.labelUser[l]];
          expect(g.nodeGlobal[g.labelUser[l + n]], 'same user').toBe(user);
          const item = (local: number) => g.nodeGlobal[local] - ratings.userNames.length;
          expect(known.has(user * numItems + item(g.labelItem[l])), 'a rating').toBe(true);
          expect(known.has(user * numItems + item(g.labelItem[l + n])), 'never a known rating').toBe(false);
          expect([g.labelValue[l], g.labelValue[l + n]]).toEqual([1, 0]);
        }
      }
      expect(labels).toBe(Math.round(0.8 * ratings.user.length));
    }
  });

  it('leaves out of bpr a rating whose user has rated every item', () => {
    // Toy: 3 users, 3 items; the user with every movie rated has no negative to pair with.
    const toy = toyRatings();
    const all = { user: toy.user, item: toy.item, value: toy.rating };
    const perUser = new Map<number, Set<number>>();
    toy.user.forEach((u, k) => perUser.set(u, (perUser.get(u) ?? new Set()).add(toy.item[k])));
    const full = [...perUser].filter(([, items]) => items.size === toy.itemNames.length).map(([u]) => u);
    expect(full.length).toBeGreaterThan(0);
    const [g] = planEpoch({ numUsers: 3, numItems: 3, mpEdges: all, supervision: all, batchSize: 'full', neighbors: [-1], negRatio: 0, allEdgesForNegCheck: all, loss: 'bpr' }, new Rng(1));
    const n = g.labelUser.length / 2;
    const kept = Array.from(toy.user).filter((u) => !full.includes(u)).length;
    expect(n).toBe(kept);
    for (let l = 0; l < 2 * n; l++) expect(full).not.toContain(g.nodeGlobal[g.labelUser[l]]);
  });
});
