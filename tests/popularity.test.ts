// The most-popular-items baseline: counts, order (ties to the lower index), per-user exclusion
// and padding, and its Recall@K through the same recallAtK as the model's.
import { describe, expect, it } from 'vitest';
import { itemCounts, popularityOrder, popularityTopK } from '../src/train/popularity';
import { recallAtK } from '../src/reference/topk';

// Three users, five items. Item 2 has 3 ratings, items 0 and 4 have 2 each (0 first), item 1 one,
// item 3 none. User 0 rated item 2 twice (a repeat counts twice).
const train = {
  user: Uint32Array.from([0, 0, 1, 1, 2, 0, 1]),
  item: Uint32Array.from([2, 2, 2, 0, 4, 0, 4]),
};
const withOne = { user: Uint32Array.from([...train.user, 2]), item: Uint32Array.from([...train.item, 1]) };

describe('popularity', () => {
  it('counts training ratings per item, repeats included', () => {
    expect(Array.from(itemCounts(5, withOne))).toEqual([2, 1, 3, 0, 2]);
  });

  it('orders items by count, ties to the lower index', () => {
    expect(Array.from(popularityOrder(5, withOne))).toEqual([2, 0, 4, 1, 3]);
  });

  it('gives every user the most popular items it has not rated in training, -1 pads', () => {
    const top = popularityTopK(4, 5, withOne, 3);
    expect(top.k).toBe(3);
    expect(top.numUsers).toBe(4);
    // User 0 rated 2 and 0; user 1 rated 2, 0 and 4 (two left); user 2 rated 4 and 1; user 3 nothing.
    expect(Array.from(top.index)).toEqual([4, 1, 3, 1, 3, -1, 2, 0, 3, 2, 0, 4]);
  });

  it('takes another exclusion list, and K larger than the catalogue', () => {
    const top = popularityTopK(2, 5, withOne, 6, { user: [1], item: [0] });
    expect(Array.from(top.index)).toEqual([2, 0, 4, 1, 3, -1, 2, 4, 1, 3, -1, -1]);
  });

  it('scores with recallAtK as the model does', () => {
    const top = popularityTopK(3, 5, train, 2);
    // User 0 gets [4, 1]: 1 of its 2 targets; user 1 gets [1, 3]: its one target; user 2 has none.
    expect(recallAtK(top, [[0, 4], [0, 3], [1, 3]])).toBeCloseTo((0.5 + 1) / 2, 15);
  });

  it('rejects pairs outside the catalogue', () => {
    expect(() => popularityTopK(1, 2, { user: [0], item: [2] }, 1)).toThrow(/item 2/);
    expect(() => popularityTopK(1, 3, { user: [1], item: [2] }, 1)).toThrow(/user 1/);
    expect(() => popularityTopK(1, 3, { user: [0], item: [2] }, 0)).toThrow(/k must/);
  });
});
