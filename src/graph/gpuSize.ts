// Whether a dataset fits the GPU: the engine keeps each big array in one storage buffer, and
// WebGPU caps the size of a buffer (maxBufferSize) and of a storage binding
// (maxStorageBufferBindingSize). The sizes here follow the engine's allocations: the activation
// arena as src/model/gpuModel.ts arenaLayout lays it out, the packed graph as
// src/gpu/graphBuffer.ts countsOf counts it, the input features as prepare.ts featureRows pads
// them, the parameters as src/model/params.ts flatLayout (Adam's state is three times that).
import { scratchSizes } from '../gpu/kernelSizes';
import { InputError } from '../util/errors';

/** What decides the buffer sizes: the full graph (evaluation runs on it) and the model's shape. */
export interface GpuSizeCounts {
  users: number;
  items: number;
  /** User–item pairs messages travel along; each is two edges (rates and rev_rates). */
  mpPairs: number;
  /** Supervision pairs of the largest step (full batch: the training ratings × (1 + negRatio)). */
  labels: number;
  /** Input feature widths (users one-hot: the number of users). */
  userDim: number;
  itemDim: number;
  hidden: number;
  heads: number;
  layers: number;
  /** K of the top-K lists. */
  k: number;
}

export interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface GpuBufferSize {
  name: string;
  /** In words, for the message. */
  what: string;
  bytes: number;
}

/** The engine's largest buffers for these counts, largest first. */
export function gpuBufferSizes(c: GpuSizeCounts): GpuBufferSize[] {
  const H = c.heads;
  const C = c.hidden;
  const R = 2 * H * C + C;
  const N = c.users + c.items;
  const E = 2 * c.mpPairs;
  const L = c.layers;
  const at1 = (n: number) => Math.max(1, n);
  // Per layer: Y (N·R), scores (N·2H), alpha (E·H), out (N·C); then the two gPre arrays, dY,
  // ds, dScores, the predictions (one per label), a few loss/recall slots, and the evaluation's
  // per-segment top-K lists (src/train/evaluator.ts: users × segments × (1 + 2K), segments of
  // 256 items, at most 64). Training and evaluation have separate arenas; this bounds both.
  const segments = Math.min(64, Math.max(1, Math.ceil(c.items / 256)));
  const arenaFloats =
    L * (at1(N * R) + at1(N * 2 * H) + at1(E * H) + at1(N * C)) + 2 * at1(N * C) + at1(N * R) + at1(E * H) + at1(N * 2 * H) +
    at1(c.labels) + 64 + c.users * segments * (1 + 2 * c.k) +
    Object.values(scratchSizes({ layers: L, hidden: C, heads: H, userDim: c.userDim, itemDim: c.itemDim }, { nodes: N, edges: E, labels: c.labels })).reduce((a, b) => a + at1(b), 0);
  const graphWords = 20 + 3 * (N + 1) + N + 3 * E + 5 * c.labels;
  const featureFloats = N * Math.max(c.userDim, c.itemDim);
  let paramFloats = 0;
  for (let l = 1; l <= L; l++) {
    for (const inDim of l === 1 ? [c.userDim, c.itemDim] : [C, C]) paramFloats += R * inDim + 2 * H * C + 2 * C;
  }
  const fmt = (n: number) => n.toLocaleString('en-US');
  const sizes: GpuBufferSize[] = [
    {
      name: 'arena',
      what: `the activations (${L} layers × ${fmt(N)} nodes and ${fmt(E)} edges at hidden ${C}, ${H} heads)`,
      bytes: arenaFloats * 4,
    },
    { name: 'graph', what: `the graph (${fmt(N)} nodes, ${fmt(E)} edges, ${fmt(c.labels)} supervision pairs)`, bytes: graphWords * 4 },
    {
      name: 'features',
      what: `the input features (${fmt(N)} nodes × ${fmt(Math.max(c.userDim, c.itemDim))} columns${c.userDim >= c.itemDim ? ', one per user' : ''})`,
      bytes: featureFloats * 4,
    },
    { name: 'adam', what: `Adam's state (3 × ${fmt(paramFloats)} parameters)`, bytes: paramFloats * 12 },
    { name: 'topk', what: `the top-${c.k} lists (${fmt(c.users)} users × ${c.k})`, bytes: c.users * c.k * 4 },
  ];
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Throws InputError, naming the buffer, its size and the limit, when one of the engine's buffers
 * would exceed the GPU's limits; else returns the sizes (largest first). Pure: no GPU needed.
 */
export function checkFitsGpu(c: GpuSizeCounts, limits: GpuLimits): GpuBufferSize[] {
  const sizes = gpuBufferSizes(c);
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  const limit = Math.min(binding, buffer);
  const limitName = binding <= buffer ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
  const over = sizes.filter((s) => s.bytes > limit);
  if (over.length > 0) {
    const worst = over[0];
    const others = over.length > 1 ? ` (and ${over.slice(1).map((s) => `${s.name} ${formatBytes(s.bytes)}`).join(', ')})` : '';
    throw new InputError(
      `the dataset is too large for this GPU: ${worst.what} would be one buffer of ${formatBytes(worst.bytes)}, and this GPU allows at most ${formatBytes(limit)} (${limitName})${others}; ` +
        `use a smaller hidden size or fewer heads or layers, keep fewer ratings (a minimum rating), or a smaller dataset`,
    );
  }
  return sizes;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = bytes;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${x} bytes` : `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} ${units[u]}`;
}
