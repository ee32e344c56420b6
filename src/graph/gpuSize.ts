// Whether a dataset fits the GPU: the engine keeps each big array in one storage buffer, and
// WebGPU caps the size of a buffer (maxBufferSize) and of a storage binding
// (maxStorageBufferBindingSize). The sizes here are the engine's own: the activation arena as
// src/model/arena.ts lays it out, the packed graph as src/gpu/graphBuffer.ts counts it, the input
// features as src/model/inputs.ts lays them out (one-hot users or items take no room), the parameters as
// src/model/params.ts flatLayout (Adam's state is three times that).
import { graphWords } from '../gpu/graphBuffer';
import { arenaLayout, EVAL_SLOTS, topKPartialFloats, topKSegments } from '../model/arena';
import { featureFloats, type OneHotTypes, oneHotTypes } from '../model/inputs';
import { flatLayout } from '../model/params';
import { InputError } from '../util/errors';
import type { InputKind } from './types';

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
  /** A one-hot type has no feature rows, and layer 1's gradient of its W no partial sums. */
  userKind: InputKind;
  itemKind: InputKind;
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
  const N = c.users + c.items;
  const E = 2 * c.mpPairs;
  const L = c.layers;
  const shape = { layers: L, hidden: C, heads: H, userDim: c.userDim, itemDim: c.itemDim };
  const words = graphWords(N, E, c.labels);
  // One capacity that holds both arenas the engine makes: a training chunk's (the largest step's
  // labels, a loss slot per step of a full-batch chunk) and the evaluator's (its Recall@K slots
  // and per-segment top-K lists), so its layout bounds both.
  const oneHot = oneHotTypes(c);
  const arenaFloats = arenaLayout(shape, {
    nodes: N,
    users: c.users,
    items: c.items,
    edges: E,
    labels: c.labels,
    words,
    lossSlots: EVAL_SLOTS,
    recallSlots: EVAL_SLOTS,
    topkPartial: topKPartialFloats(c.users, topKSegments(c.items), c.k),
  }, oneHot).size;
  const paramFloats = flatLayout(shape).size;
  const fmt = (n: number) => n.toLocaleString('en-US');
  const sizes: GpuBufferSize[] = [
    {
      name: 'arena',
      what: `the activations (${L} layers × ${fmt(N)} nodes and ${fmt(E)} edges at hidden ${C}, ${H} heads)`,
      bytes: arenaFloats * 4,
    },
    { name: 'graph', what: `the graph (${fmt(N)} nodes, ${fmt(E)} edges, ${fmt(c.labels)} supervision pairs)`, bytes: words * 4 },
    {
      name: 'features',
      what: featuresWhat(c, oneHot, fmt),
      bytes: featureFloats(c.users, c.items, c) * 4,
    },
    { name: 'adam', what: `Adam's state (3 × ${fmt(paramFloats)} parameters)`, bytes: paramFloats * 12 },
    { name: 'topk', what: `the top-${c.k} lists (${fmt(c.users)} users × ${c.k})`, bytes: c.users * c.k * 4 },
  ];
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

/** The features buffer in words: the rows of each type that is not one-hot. */
function featuresWhat(c: GpuSizeCounts, oneHot: OneHotTypes, fmt: (n: number) => string): string {
  const users = `${fmt(c.users)} users × ${fmt(c.userDim)}`;
  const items = `${fmt(c.items)} items × ${fmt(c.itemDim)}`;
  if (oneHot.user && oneHot.item) return 'the input features (none: users and items are one-hot)';
  if (oneHot.user) return `the item features (${items} columns)`;
  if (oneHot.item) return `the user features (${users} columns)`;
  return `the input features (${users} and ${items} columns)`;
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
        `use a smaller hidden size or fewer heads or layers, keep fewer ratings (a minimum rating), or a smaller dataset` +
        (c.itemKind === 'onehot' && over.some((s) => s.name === 'adam') ? ', or item features other than one-hot (layer 1 holds a column of weights per item)' : ''),
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
