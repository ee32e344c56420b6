// KNN-MIPS (the seed's "Learning Stage 5") on WebGPU against its float64 twin: the item graph
// and the greedy search agree index for index (ties and exclusions included), the exact search
// on the same buffers matches exactTopK, and the search reaches the exact top-K when it may look
// far enough while short walks miss part of it.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../src/gpu/device';
import { KnnMips } from '../src/search/knnMips';
import { knnGraph, knnMipsSearch } from '../src/reference/knnMips';
import { exactTopK } from '../src/reference/topk';
import { drawStarts, excludeLists } from '../src/search/inputs';
import { overlapRecall } from '../src/search/topk';
import { Rng } from '../src/util/rng';

let gpu: Gpu;

beforeAll(async () => {
  gpu = await createGpu();
});

/** Small whole numbers: every inner product is exact in float32, and equal scores are common. */
function integerRows(rng: Rng, rows: number, dim: number, span = 3): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => rng.int(2 * span + 1) - span);
}

function normalRows(rng: Rng, rows: number, dim: number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => rng.normal());
}

/** Random [user, item] pairs with repeats, plus every item for user 0 but three. */
function exclusions(rng: Rng, users: number, items: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let k = 0; k < users * 6; k++) pairs.push([rng.int(users), rng.int(items)]);
  for (let k = 0; k < 10; k++) pairs.push(pairs[rng.int(pairs.length)]);
  for (let i = 3; i < items; i++) pairs.push([0, i]);
  return pairs;
}

describe('the item graph', () => {
  it.each([
    ['inner', 150, 4, 8],
    ['inner', 90, 3, 64],
    ['inner', 5, 2, 8],
  ] as const)('by %s product, %i items of %i channels, E = %i: as the reference, ties to the lower index, -1 pads', async (similarity, items, dim, E) => {
    const rng = new Rng(items);
    const rows = integerRows(rng, items, dim, 2);
    const knn = await KnnMips.create(gpu.device, rows, dim, { neighbors: E, similarity });
    const got = await knn.readGraph();
    const want = knnGraph(rows, dim, E, similarity);
    expect(Array.from(got)).toEqual(Array.from(want));
    // Item i never lists itself; short catalogues pad.
    for (let i = 0; i < items; i++) expect(Array.from(got.subarray(i * E, (i + 1) * E))).not.toContain(i);
    if (items - 1 < E) expect(got[E - 1]).toBe(-1);
    knn.destroy();
  });

  it('ranks ties to the lower index: three equal rows are everyone’s first neighbours in index order', async () => {
    // Items 2, 5 and 7 are the same long row; the rest are short.
    const rows = Float32Array.from({ length: 10 * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0));
    for (const i of [2, 5, 7]) rows.set([4, 4], i * 2);
    const knn = await KnnMips.create(gpu.device, rows, 2, { neighbors: 3 });
    const got = await knn.readGraph();
    expect(Array.from(got.subarray(0, 3))).toEqual([2, 5, 7]);
    expect(Array.from(got.subarray(5 * 3, 6 * 3))).toEqual([2, 7, 0]);
    expect(Array.from(got)).toEqual(Array.from(knnGraph(rows, 2, 3)));
    knn.destroy();
  });

  it('by cosine: as the reference on random normal rows', async () => {
    const rng = new Rng(5);
    const rows = normalRows(rng, 120, 6);
    // A zero row, and two rows pointing the same way at lengths a power of two apart: their unit
    // rows are the same bits, an exact tie.
    rows.fill(0, 0, 6);
    for (let c = 0; c < 6; c++) rows[7 * 6 + c] = 4 * rows[8 * 6 + c];
    const knn = await KnnMips.create(gpu.device, rows, 6, { neighbors: 12, similarity: 'cosine' });
    const got = await knn.readGraph();
    expect(Array.from(got)).toEqual(Array.from(knnGraph(rows, 6, 12, 'cosine')));
    expect(got[8 * 12], 'item 8’s nearest by angle is its scaled copy').toBe(7);
    knn.destroy();
  });
});

describe('the greedy search', () => {
  const I = 200;
  const U = 40;
  const C = 5;
  const rng = new Rng(17);
  const items = integerRows(rng, I, C);
  const users = integerRows(rng, U, C);
  const exclude = exclusions(rng, U, I);

  it.each([
    [1, 1, 4, 5],
    [2, 3, 8, 10],
    [4, 8, 8, 20],
    [3, 5, 16, 1],
    [8, 16, 12, 100],
  ])('R = %i, T = %i, E = %i, K = %i: as the reference, exclusions and ties included', async (R, T, E, K) => {
    const knn = await KnnMips.create(gpu.device, items, C, { neighbors: E });
    const graph = await knn.readGraph();
    expect(Array.from(graph)).toEqual(Array.from(knnGraph(items, C, E)));
    const got = await knn.search(users, { restarts: R, steps: T, k: K, exclude, seed: 3 });
    const want = knnMipsSearch(users, items, C, graph, E, drawStarts(U, R, I, 3), { restarts: R, steps: T, k: K, exclude });
    expect(Array.from(got)).toEqual(Array.from(want.index));
    // User 0 may see only items 0, 1, 2: at most three results, then -1.
    const row0 = Array.from(got.subarray(0, K));
    expect(row0.filter((i) => i >= 0).every((i) => i < 3)).toBe(true);
    if (K > 3) expect(row0.slice(3).every((i) => i === -1)).toBe(true);
    // No excluded item, no item twice.
    const ex = excludeLists(U, I, exclude);
    for (let u = 0; u < U; u++) {
      const row = Array.from(got.subarray(u * K, (u + 1) * K)).filter((i) => i >= 0);
      expect(new Set(row).size).toBe(row.length);
      const banned = new Set(ex.items.subarray(ex.ptr[u], ex.ptr[u + 1]));
      expect(row.some((i) => banned.has(i))).toBe(false);
    }
    knn.destroy();
  });

  it('takes the engine’s Pairs ({user, item}) as well as tuples, and another seed gives other walks', async () => {
    const knn = await KnnMips.create(gpu.device, items, C, { neighbors: 6 });
    const asPairs = { user: Uint32Array.from(exclude, (p) => p[0]), item: Uint32Array.from(exclude, (p) => p[1]) };
    const a = await knn.search(users, { restarts: 2, steps: 2, k: 10, exclude, seed: 1 });
    const b = await knn.search(users, { restarts: 2, steps: 2, k: 10, exclude: asPairs, seed: 1 });
    const c = await knn.search(users, { restarts: 2, steps: 2, k: 10, exclude, seed: 2 });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    knn.destroy();
  });

  it('exact search on the same buffers: as exactTopK', async () => {
    const knn = await KnnMips.create(gpu.device, items, C, { neighbors: 4 });
    for (const k of [1, 10, 100]) {
      const got = await knn.exact(users, { k, exclude });
      expect(Array.from(got)).toEqual(Array.from(exactTopK(users, items, C, k, exclude).index));
    }
    knn.destroy();
  });

  it('with a complete graph (E = I - 1) two steps see every item: exactly the exact top-K', async () => {
    const small = items.subarray(0, 60 * C);
    const ex = exclude.filter(([, i]) => i < 60);
    const knn = await KnnMips.create(gpu.device, small, C, { neighbors: 59 });
    const got = await knn.search(users, { restarts: 1, steps: 2, k: 20, exclude: ex, seed: 9 });
    expect(Array.from(got)).toEqual(Array.from(exactTopK(users, small, C, 20, ex).index));
    knn.destroy();
  });

  describe('reaching the exact top-K', () => {
    const r = new Rng(23);
    const nItems = 500;
    const cat = integerRows(r, nItems, 8, 4);
    const queries = integerRows(r, 32, 8, 4);
    const k = 10;
    const exact = exactTopK(queries, cat, 8, k);
    const recallOf = async (knn: KnnMips, R: number, T: number) =>
      overlapRecall({ k, numUsers: 32, index: await knn.search(queries, { restarts: R, steps: T, k, seed: 4 }) }, exact);

    it('gets there with enough restarts and steps; short walks miss part of it', async () => {
      const knn = await KnnMips.create(gpu.device, cat, 8, { neighbors: 32 });
      const recall: Record<string, number> = {};
      for (const [R, T] of [
        [1, 1],
        [2, 2],
        [8, 4],
        [32, 8],
      ]) {
        recall[`${R}x${T}`] = await recallOf(knn, R, T);
      }
      expect(recall['1x1']).toBeLessThan(0.5);
      expect(recall['2x2']).toBeLessThan(recall['8x4']);
      expect(recall['8x4']).toBeLessThanOrEqual(recall['32x8']);
      expect(recall['32x8']).toBe(1);
      knn.destroy();
    });

    it('never finds an item that no item lists as a neighbour (inner-product graphs with few neighbours have such items; cosine ones here do not)', async () => {
      const inner = await KnnMips.create(gpu.device, cat, 8, { neighbors: 10 });
      const graph = await inner.readGraph();
      const listed = new Set(graph);
      const got = await inner.search(queries, { restarts: 64, steps: 16, k, seed: 4 });
      // Some of the exact answers are items that no item lists: no walk of any length finds them.
      let unlisted = 0;
      for (let u = 0; u < 32; u++) {
        const row = new Set(got.subarray(u * k, (u + 1) * k));
        for (const i of exact.index.subarray(u * k, (u + 1) * k)) if (!row.has(i) && !listed.has(i)) unlisted++;
      }
      expect(unlisted).toBeGreaterThan(0);
      expect(overlapRecall({ k, numUsers: 32, index: got }, exact)).toBeLessThan(1);
      inner.destroy();
      const cosine = await KnnMips.create(gpu.device, cat, 8, { neighbors: 10, similarity: 'cosine' });
      expect(await recallOf(cosine, 64, 16)).toBe(1);
      cosine.destroy();
    });
  });

  it('rejects settings the kernels cannot hold', async () => {
    await expect(KnnMips.create(gpu.device, items, C, { neighbors: 65 })).rejects.toThrow(/neighbors/);
    await expect(KnnMips.create(gpu.device, items, 7, { neighbors: 4 })).rejects.toThrow(/rows of 7/);
    const knn = await KnnMips.create(gpu.device, items, C, { neighbors: 4 });
    await expect(knn.search(users, { restarts: 1, steps: 1, k: 101 })).rejects.toThrow(/k must/);
    await expect(knn.search(users, { restarts: 0, steps: 1, k: 5 })).rejects.toThrow(/restarts/);
    await expect(knn.search(users, { restarts: 1, steps: 1, k: 5, exclude: [[U, 0]] })).rejects.toThrow(/user outside/);
    knn.destroy();
  });
});
