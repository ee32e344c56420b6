// Exact top-K (ties, exclusions, padding) and Recall@K as PyG's LinkPredRecall defines it.
import { describe, expect, it } from 'vitest';
import { exactTopK, recallAtK } from '../src/reference/topk';

// Two users, one dimension: user 0 likes large item values, user 1 small ones.
const user = [1, -1];
const item = [0.5, 2, 2, -1, 3];

describe('exactTopK', () => {
  it('ranks by inner product, ties to the lower item index', () => {
    expect(Array.from(exactTopK(user, item, 1, 3).index)).toEqual([4, 1, 2, 3, 0, 1]);
  });

  it('skips excluded pairs and pads with -1', () => {
    const topk = exactTopK(user, item, 1, 4, [[0, 4], [0, 1], [0, 0], [1, 3], [1, 3]]);
    expect(Array.from(topk.index)).toEqual([2, 3, -1, -1, 0, 1, 2, 4]);
  });

  it('handles more dimensions', () => {
    const topk = exactTopK([1, 0, 0, 1], [1, 2, 3, -1, 0, 0], 2, 1);
    expect(Array.from(topk.index)).toEqual([1, 0]);
  });
});

describe('recallAtK', () => {
  const topk = { k: 2, numUsers: 3, index: Int32Array.from([4, 1, 3, 0, 2, -1]) };

  it('averages hits / targets over the users that have targets', () => {
    // User 0: 1 of 2; user 1: 1 of 1; user 2: no targets, left out.
    expect(recallAtK(topk, [[0, 1], [0, 2], [1, 0]])).toBeCloseTo(0.75, 15);
  });

  it('counts duplicate targets, as PyG counts edges', () => {
    expect(recallAtK(topk, [[1, 0], [1, 0]])).toBeCloseTo(0.5, 15);
  });

  it('never counts a -1 pad as a hit, and is 0 without targets', () => {
    expect(recallAtK(topk, [[2, 4], [1, 4]])).toBe(0);
    expect(recallAtK(topk, [])).toBe(0);
  });
});
