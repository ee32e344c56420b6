// Item-kNN on WebGPU against its float64 twin: the scores (cosine between items over their raters,
// summed over a user's training items) and the exact top-K without the excluded items, whatever
// the block of users; exact agreement, ties included, where float32 is exact.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../src/gpu/device';
import type { PairArrays } from '../src/graph/pairs';
import { itemKnnScores, itemKnnTopK as referenceTopK } from '../src/reference/itemKnn';
import { itemKnnTopK } from '../src/search/itemKnn';
import { Rng } from '../src/util/rng';

let gpu: Gpu;

beforeAll(async () => {
  gpu = await createGpu();
});

const pairs = (list: [number, number][]): PairArrays => ({ user: list.map((p) => p[0]), item: list.map((p) => p[1]) });

/** Every item rated by exactly 4 distinct users (n_i = 2: every score is exact in float32), some pairs twice, the last item by nobody. */
function fourRaters(rng: Rng, users: number, items: number): PairArrays {
  const list: [number, number][] = [];
  for (let i = 0; i < items - 1; i++) {
    const chosen = new Set<number>();
    while (chosen.size < 4) chosen.add(rng.int(users));
    for (const u of chosen) list.push([u, i]);
  }
  for (let r = 0; r < 6; r++) list.push(list[rng.int(list.length)]);
  return pairs(list);
}

/** Random pairs with ragged counts: a hub user and a hub item among them. */
function ragged(rng: Rng, users: number, items: number): PairArrays {
  const list: [number, number][] = [];
  for (let k = 0; k < users * 5; k++) list.push([rng.int(users), rng.int(items)]);
  for (let i = 0; i < items; i += 2) list.push([1, i]);
  for (let u = 0; u < users; u += 2) list.push([u, 3]);
  return pairs(list);
}

describe('the float64 reference', () => {
  it('computes cosine over raters by hand', () => {
    // u0 {0, 1}, u1 {0, 1, 2}, u2 {2}: sim(i,i) = sim(0,1) = 2/2 = 1, sim(0,2) = sim(1,2) = 1/2.
    const train = pairs([[0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [2, 2], [2, 2]]);
    const s = itemKnnScores(3, 3, train);
    [2, 2, 1, 2.5, 2.5, 2, 0.5, 0.5, 1].forEach((want, j) => expect(s[j]).toBeCloseTo(want, 12));
    const top = referenceTopK(3, 3, train, 2);
    expect(Array.from(top.index)).toEqual([2, -1, -1, -1, 0, 1]);
  });
});

describe('item-kNN on the GPU', () => {
  it.each([
    [40, 30, 3],
    [40, 30, 64],
    [7, 12, 1],
  ])('%i users, %i items, blocks of %i users: exact scores and the same lists, ties to the lower index', async (users, items, block) => {
    const rng = new Rng(users * items);
    const train = fourRaters(rng, users, items);
    const k = 10;
    const got = await itemKnnTopK(gpu.device, users, items, train, { k, blockUsers: block, keepScores: true });
    expect(Array.from(got.scores!)).toEqual(Array.from(itemKnnScores(users, items, train)));
    expect(Array.from(got.topk.index)).toEqual(Array.from(referenceTopK(users, items, train, k).index));
  });

  it('ragged counts: the reference scores within float32, each list a top-K of them, the excluded items left out', async () => {
    const users = 60;
    const items = 45;
    const train = ragged(new Rng(9), users, items);
    const k = 12;
    const got = await itemKnnTopK(gpu.device, users, items, train, { k, blockUsers: 16, keepScores: true });
    const want = itemKnnScores(users, items, train);
    for (let j = 0; j < want.length; j++) expect(got.scores![j]).toBeCloseTo(want[j], 5);
    const ref = referenceTopK(users, items, train, k);
    for (let u = 0; u < users; u++) {
      const row = Array.from(got.topk.index.subarray(u * k, (u + 1) * k));
      const rated = new Set(Array.from(train.item).filter((_, p) => train.user[p] === u));
      for (const i of row) if (i >= 0) expect(rated.has(i), `user ${u} gets training item ${i}`).toBe(false);
      expect(new Set(row).size).toBe(row.length);
      // Equal scores may rank apart by a float32 rounding; the scores along the list may not.
      const refRow = Array.from(ref.index.subarray(u * k, (u + 1) * k));
      for (let r = 0; r < k; r++) expect(want[u * items + row[r]]).toBeCloseTo(want[u * items + refRow[r]], 5);
    }
    // The hub user 1 rated half the items, so fewer than k are left for it only if the catalogue is short.
    expect(got.topk.index.filter((i) => i < 0).length).toBe(ref.index.filter((i) => i < 0).length);
  });

  it('is deterministic and does not depend on the block: the same bits', async () => {
    const users = 50;
    const items = 70;
    const train = ragged(new Rng(4), users, items);
    const a = await itemKnnTopK(gpu.device, users, items, train, { k: 20, keepScores: true });
    const b = await itemKnnTopK(gpu.device, users, items, train, { k: 20, keepScores: true, blockUsers: 7 });
    const c = await itemKnnTopK(gpu.device, users, items, train, { k: 20, keepScores: true });
    expect(Array.from(b.scores!)).toEqual(Array.from(a.scores!));
    expect(Array.from(c.scores!)).toEqual(Array.from(a.scores!));
    expect(Array.from(b.topk.index)).toEqual(Array.from(a.topk.index));
  });

  it('recommends training items when told to exclude none, and pads short catalogues with -1', async () => {
    const train = pairs([[0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [2, 2]]);
    const none = pairs([]);
    const got = await itemKnnTopK(gpu.device, 3, 3, train, { k: 4, exclude: none });
    expect(Array.from(got.topk.index)).toEqual(Array.from(referenceTopK(3, 3, train, 4, none).index));
    expect(Array.from(got.topk.index.subarray(0, 4))).toEqual([0, 1, 2, -1]);
  });

  it('says what is wrong with bad input', async () => {
    await expect(itemKnnTopK(gpu.device, 2, 2, pairs([[0, 5]]), { k: 1 })).rejects.toThrow(/item outside 0..1/);
    await expect(itemKnnTopK(gpu.device, 2, 2, pairs([[0, 1]]), { k: 101 })).rejects.toThrow(/k must be an integer in \[1, 100\]/);
  });
});
