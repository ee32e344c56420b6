// The size check that turns "this dataset does not fit the GPU's buffers" into a clear message
// before anything is allocated, checked against the engine's own allocations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockGradItems, KERNEL_SIZES, scratchSizes } from '../src/gpu/kernelSizes';
import { parseRatingsCsv } from '../src/graph/csv';
import { checkFitsGpu, formatBytes, gpuBufferSizes, type GpuSizeCounts } from '../src/graph/gpuSize';
import { parseU100kData, parseU100kItems } from '../src/graph/movielens100k';
import { toyRatings } from '../src/graph/toy';
import { flatLayout } from '../src/model/params';
import { gpuCounts, prepare } from '../src/train/prepare';
import { SEED_SETTINGS } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { Rng } from '../src/util/rng';
import { errorOf } from './helpers/errors';
import { openGpu } from './helpers/gpu';
import { ML_SMALL_DIR, REPO_DIR } from './helpers/paths';

const MiB = 1024 * 1024;
/** WebGPU's default limits. */
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 256 * MiB };

const { gpu, kernels } = await openGpu();

/** `n` users with one rating each, of 50 movies. */
function manyUsers(n: number) {
  const csv = ['userId,movieId,rating,timestamp', ...Array.from({ length: n }, (_, u) => `${u},${u % 50},4,${u}`)].join('\n');
  return parseRatingsCsv(csv, 'many-users.csv');
}

const DENSE = { user: false, item: false };

/** `n` movies with one rating each, from 50 users. */
function manyItems(n: number) {
  const csv = ['userId,movieId,rating,timestamp', ...Array.from({ length: n }, (_, i) => `${i % 50},${i},4,${i}`)].join('\n');
  return parseRatingsCsv(csv, 'many-items.csv');
}

describe('gpuBufferSizes', () => {
  const counts: GpuSizeCounts = { users: 3, items: 4, mpPairs: 5, labels: 6, userDim: 3, itemDim: 12, userKind: 'onehot', itemKind: 'dense', hidden: 12, heads: 2, layers: 3, k: 1 };

  it('sizes the arena as arenaLayout lays it out (per layer N·R + N·2H + E·H + N·C, then the gradients, labels, top-K lists and the two-stage sums)', () => {
    const N = 7;
    const E = 10;
    const H = 2;
    const C = 12;
    const R = 2 * H * C + C;
    // Then the 6 labels' predictions and their dLoss/dpred, 64 loss slots, 64 Recall@K slots, and 3 users' top-1 list of one segment.
    const { segment, lossChunk } = KERNEL_SIZES;
    // The two-stage sums' scratch: per (node, head) sums, per piece two partials of 8 per head and tile of 4 channels (or two of 4 per tile over 2 × 6 label slots),
    // partial losses, and 4 partials per entry and node chunk of the layer that needs most (layer 2 or 3: both blocks F = 12, one chunk each).
    const scratch = N * H + Math.max(Math.ceil(E / segment) * H * 16, Math.ceil(12 / segment) * 8) * Math.ceil(C / 4) + Math.ceil(6 / lossChunk) + 4 * 2 * (R * 3 + 2 * C + 2 * H * C);
    const floats = 3 * (N * R + N * 2 * H + E * H + N * C) + 2 * N * C + N * R + E * H + N * 2 * H + 6 + 6 + 64 + 64 + 3 * 1 * (1 + 2 * 1) + scratch;
    expect(gpuBufferSizes(counts).find((b) => b.name === 'arena')!.bytes).toBe(floats * 4);
  });

  it('sizes the parameter gradients’ partials per block: a wide dense first-layer user block counts its users’ chunks, not every node’s', () => {
    // ml-latest-small at hidden 64 with 610 dense user columns (as wide as one-hot ones): the first layer's user block is 25 times an item block.
    const shape = { layers: 3, hidden: 64, heads: 2, userDim: 610, itemDim: 20 };
    const c = { nodes: 10334, users: 610, items: 9724, edges: 161336, labels: 403340 };
    const chunks = (n: number) => Math.ceil(n / KERNEL_SIZES.gradChunk);
    const need = (l: number) => 4 * (blockGradItems(shape, l, 'user', DENSE) * chunks(610) + blockGradItems(shape, l, 'item', DENSE) * chunks(9724));
    expect(scratchSizes(shape, c, DENSE).gradPart).toBe(Math.max(need(1), need(2), need(3)));
    // Sized from the widest block over every node's chunks, it was 32 MiB.
    expect(scratchSizes(shape, c, DENSE).gradPart * 4).toBeLessThan(4 * MiB);
    // Without the types' counts, the nodes bound each: never less than a graph of these nodes needs.
    const { users: _u, items: _i, ...nodesOnly } = c;
    expect(scratchSizes(shape, nodesOnly, DENSE).gradPart).toBe(4 * Math.max(...[1, 2, 3].map((l) => (blockGradItems(shape, l, 'user', DENSE) + blockGradItems(shape, l, 'item', DENSE)) * chunks(10334))));
  });

  it('sizes Adam’s state as three copies of flatLayout', () => {
    const params = flatLayout({ layers: 3, hidden: 12, heads: 2, userDim: 3, itemDim: 12 }).size;
    expect(gpuBufferSizes(counts).find((b) => b.name === 'adam')!.bytes).toBe(params * 12);
    const wide = flatLayout({ layers: 2, hidden: 5, heads: 3, userDim: 40, itemDim: 19 }).size;
    expect(gpuBufferSizes({ ...counts, layers: 2, hidden: 5, heads: 3, userDim: 40, itemDim: 19 }).find((b) => b.name === 'adam')!.bytes).toBe(wide * 12);
  });

  it('lists the largest first', () => {
    const sizes = gpuBufferSizes(counts).map((b) => b.bytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });
});

describe('checkFitsGpu', () => {
  const ratings = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv');
  const counts = (hidden: number, heads: number) => {
    const settings = { ...SEED_SETTINGS, hidden, heads, split: 0.8, batchSize: 'full' as const, k: 20 };
    return gpuCounts(prepare(ratings, settings, new Rng(1)), settings);
  };

  it('passes ml-latest-small at hidden 64 within the default limits', () => {
    const sizes = checkFitsGpu(counts(64, 2), DEFAULT_LIMITS);
    expect(sizes[0].name).toBe('arena');
    expect(sizes[0].bytes).toBeLessThan(128 * MiB);
  });

  it('names the buffer, its size and the limit when the activations do not fit', () => {
    const message = errorOf(() => checkFitsGpu(counts(256, 8), DEFAULT_LIMITS)).message;
    expect(message).toMatch(/^the dataset is too large for this GPU: the activations \(3 layers × 10,334 nodes and 161,336 edges at hidden 256, 8 heads\) would be one buffer of [\d.]+ [MG]iB, and this GPU allows at most 128 MiB \(maxStorageBufferBindingSize\)/);
    expect(message).toMatch(/smaller hidden size/);
    // The same counts fit a GPU that allows more.
    expect(() => checkFitsGpu(counts(256, 8), { maxStorageBufferBindingSize: 8192 * MiB, maxBufferSize: 8192 * MiB })).not.toThrow();
  });

  it('names maxBufferSize when that is the lower limit, and the dense user features of a big dataset', () => {
    const big: GpuSizeCounts = { users: 162_541, items: 59_047, mpPairs: 20_000_000, labels: 20_000_000, userDim: 162_541, itemDim: 12, userKind: 'dense', itemKind: 'dense', hidden: 12, heads: 2, layers: 3, k: 20 };
    const message = errorOf(() => checkFitsGpu(big, { maxStorageBufferBindingSize: 4096 * MiB, maxBufferSize: 1024 * MiB })).message;
    expect(message).toMatch(/the input features \(162,541 users × 162,541 and 59,047 items × 12 columns\) would be one buffer of 98.4 GiB, and this GPU allows at most 1.00 GiB \(maxBufferSize\) \(and arena/);
    // One-hot, the same users take no room in the features, only their columns of layer 1's weights.
    const features = gpuBufferSizes({ ...big, userKind: 'onehot' }).find((b) => b.name === 'features')!;
    expect(features).toEqual({ name: 'features', what: 'the item features (59,047 items × 12 columns)', bytes: 59_047 * 12 * 4 });
  });

  it('fits 100,000 one-hot users in 256 MiB buffers (their features would have been 100,000² floats, 37 GiB)', () => {
    const limits = { maxStorageBufferBindingSize: 256 * MiB, maxBufferSize: 256 * MiB };
    let seen: GpuSizeCounts | undefined;
    const p = prepare(manyUsers(100_000), SEED_SETTINGS, new Rng(1), (c) => {
      seen = c;
      checkFitsGpu(c, limits);
    });
    expect(seen?.userKind).toBe('onehot');
    expect(p.features.user.length).toBe(0);
    const sizes = checkFitsGpu(gpuCounts(p, SEED_SETTINGS), limits);
    expect(sizes.find((b) => b.name === 'features')!.bytes).toBe(50 * SEED_SETTINGS.hidden * 4);
    // The activations of 100,050 nodes are the largest buffer, then Adam's state with layer 1's user weights (R × 100,000).
    expect(sizes.map((b) => b.name).slice(0, 2)).toEqual(['arena', 'adam']);
    expect(sizes[0].bytes).toBeLessThan(256 * MiB);
  });

  it('fits 10,000 one-hot items: no item rows, a column each of layer 1’s item weights', () => {
    const settings = { ...SEED_SETTINGS, features: 'onehot' as const, hidden: 64, heads: 2 };
    let seen: GpuSizeCounts | undefined;
    const p = prepare(manyItems(10_000), settings, new Rng(1), (c) => {
      seen = c;
      checkFitsGpu(c, DEFAULT_LIMITS);
    });
    expect([seen?.itemKind, seen?.itemDim, seen?.userKind]).toEqual(['onehot', 10_000, 'onehot']);
    expect([p.features.itemDim, p.features.item.length]).toEqual([10_000, 0]);
    const sizes = checkFitsGpu(gpuCounts(p, settings), DEFAULT_LIMITS);
    expect(sizes.find((b) => b.name === 'features')).toEqual({ name: 'features', what: 'the input features (none: users and items are one-hot)', bytes: 0 });
    // Adam's state holds layer 1's item weights, R = 2HC + C rows of 10,000 columns: 11.7 MiB of its 12.
    const R = 2 * 2 * 64 + 64;
    const adam = sizes.find((b) => b.name === 'adam')!.bytes;
    expect(adam).toBe(flatLayout({ layers: 3, hidden: 64, heads: 2, userDim: 50, itemDim: 10_000 }).size * 12);
    expect(adam).toBeGreaterThan(R * 10_000 * 12);
    // Layer 1's item W gradient is scattered, not summed in chunks: only its vectors have partials.
    const oneHot = { user: true, item: true };
    const shape = { layers: 3, hidden: 64, heads: 2, userDim: 50, itemDim: 10_000 };
    expect(blockGradItems(shape, 1, 'item', oneHot)).toBe(2 * 64 + 2 * 2 * 64);
    expect(blockGradItems(shape, 1, 'item', DENSE)).toBe(R * Math.ceil(10_000 / 4) + 2 * 64 + 2 * 2 * 64);
    expect(blockGradItems(shape, 2, 'item', oneHot)).toBe(blockGradItems(shape, 2, 'item', DENSE));
    // With dense users, the features hold the users' rows only.
    const users = gpuBufferSizes({ ...seen!, userKind: 'dense', userDim: 24 }).find((b) => b.name === 'features')!;
    expect(users).toEqual({ name: 'features', what: 'the user features (50 users × 24 columns)', bytes: 50 * 24 * 4 });
  });

  it('says when one-hot items make the weights too large, and that other item features would not', () => {
    const counts: GpuSizeCounts = { users: 1000, items: 1_000_000, mpPairs: 1_000_000, labels: 1_000_000, userDim: 1000, itemDim: 1_000_000, userKind: 'onehot', itemKind: 'onehot', hidden: 64, heads: 2, layers: 3, k: 20 };
    const message = errorOf(() => checkFitsGpu(counts, DEFAULT_LIMITS)).message;
    // The activations of a million nodes are over the limit first, Adam's state too.
    expect(message).toMatch(/^the dataset is too large for this GPU: the activations .* \(and adam [\d.]+ GiB/);
    expect(message).toMatch(/, or item features other than one-hot \(layer 1 holds a column of weights per item\)$/);
    expect(errorOf(() => checkFitsGpu({ ...counts, itemKind: 'dense', itemDim: 19 }, DEFAULT_LIMITS)).message).not.toMatch(/one-hot/);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(128 * MiB)).toBe('128 MiB');
  });
});

describe('against the engine’s allocations (WebGPU)', () => {
  it('bounds the evaluation arena and the features the trainer allocates, and passes the device’s limits', async () => {
    const dir = `${REPO_DIR}tests/data/ml-100k/`;
    const u100k = parseU100kData(readFileSync(`${dir}u.data`, 'utf8'), 'u.data', parseU100kItems(readFileSync(`${dir}u.item`, 'latin1'), 'u.item'));
    for (const [ratings, extra] of [
      [toyRatings(), {}],
      [u100k, { features: 'genres' as const, minRating: 2, splitMode: 'random' as const }],
    ] as const) {
      const settings = { ...SEED_SETTINGS, ...extra, batchSize: 'full' as const, k: 2 };
      const t = Trainer.create(gpu, kernels, ratings, settings);
      const sizes = gpuBufferSizes(gpuCounts(t.data, settings));
      const arena = sizes.find((b) => b.name === 'arena')!.bytes;
      const actual = t.evaluator.workspace.layout.size * 4;
      expect(arena).toBeGreaterThanOrEqual(actual);
      // Only the labels and a few slots are extra.
      expect(arena - actual).toBeLessThanOrEqual((t.data.train.user.length + 64) * 4);
      expect(t.evaluator.workspace.graph.size).toBeLessThanOrEqual(sizes.find((b) => b.name === 'graph')!.bytes);
      expect(checkFitsGpu(gpuCounts(t.data, settings), gpu.device.limits)).toEqual(sizes);
      // Genre features (item width ≠ hidden) train.
      const m = await t.train(3);
      expect(m.every((e) => Number.isFinite(e.loss))).toBe(true);
      t.destroy();
    }
  });

  it('allocates and trains an epoch of 10,000 one-hot items', async () => {
    const settings = { ...SEED_SETTINGS, features: 'onehot' as const, batchSize: 'full' as const, split: 0.9 };
    const t = Trainer.create(gpu, kernels, manyItems(10_000), settings);
    expect([t.data.numItems, t.model.shape.itemDim]).toEqual([10_000, 10_000]);
    const [m] = await t.train(1);
    expect(Number.isFinite(m.loss)).toBe(true);
    t.destroy();
  });

  it('allocates and trains an epoch of 100,000 one-hot users', async () => {
    const settings = { ...SEED_SETTINGS, batchSize: 'full' as const, split: 0.9 };
    const t = Trainer.create(gpu, kernels, manyUsers(100_000), settings);
    expect(t.data.numUsers).toBe(100_000);
    const [m] = await t.train(1);
    expect(Number.isFinite(m.loss)).toBe(true);
    t.destroy();
  });
});
