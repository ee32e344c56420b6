// Which epochs the page keeps for time travel: all of them for the toy, an evenly thinned set that
// fits the memory budget for a large run.
import { describe, expect, it } from 'vitest';
import { keeps, keepStride, MAX_KEPT, SNAPSHOT_BUDGET_BYTES, snapshotBytes } from '../../src/worker/keep';

const toy = { numUsers: 3, numItems: 3, channels: 12, k: 1, layers: 3, edges: 14, heads: 2 };
const movielens = { numUsers: 610, numItems: 9742, channels: 12, k: 10, layers: 3, edges: 176_000, heads: 2 };

describe('snapshots kept for time travel', () => {
  it('keeps every epoch of the toy', () => {
    expect(keepStride(toy, 1500)).toBe(1);
    const keep = keeps(1, 1500);
    expect([0, 1, 2, 777, 1500].every(keep)).toBe(true);
  });

  it('thins a large run evenly, within the budget, always with the first and last epochs', () => {
    const stride = keepStride(movielens, 1500);
    expect(stride).toBeGreaterThan(1);
    const keep = keeps(stride, 1500);
    const kept = Array.from({ length: 1501 }, (_, e) => e).filter(keep);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(1500);
    expect(kept.length * snapshotBytes(movielens)).toBeLessThanOrEqual(SNAPSHOT_BUDGET_BYTES);
    const gaps = kept.slice(1, -1).map((e, k) => e - kept[k]);
    expect(new Set(gaps).size).toBe(1);
  });

  it('bounds the count however small a snapshot is', () => {
    const stride = keepStride(toy, 1_000_000);
    const count = Math.floor(1_000_000 / stride) + 2;
    expect(count).toBeLessThanOrEqual(MAX_KEPT);
  });
});
