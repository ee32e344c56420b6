// Item-kNN on the GPU: the neighbourhood baseline of the recall bench (cosine between items over
// the users who rated them in training, a user's score for an item the sum of its similarities to
// the user's training items), and its exact top-K without the excluded items. The WGSL
// (shaders/item_knn.wgsl, with topk.wgsl's list) is a program of its own; src/reference/itemKnn.ts
// is its float64 twin. Users go through in blocks sized so that the block's dense arrays stay
// under BLOCK_FLOATS: the items × items similarity is never formed.
import { readBack, storageBuffer, storageWith, uniformWith } from '../gpu/buffers';
import { bindGroup, bufferLayout, compilePipelines, dispatch } from '../gpu/kernels';
import { ITEM_KNN_PARAMS_FIELDS, MAX_K, record } from '../gpu/layout';
import { KERNEL_SIZES } from '../gpu/kernelSizes';
import { ITEM_KNN_PROGRAM } from '../gpu/shaders';
import type { PairArrays } from '../graph/pairs';
import { excludeLists, ratedLists } from './inputs';
import type { TopK } from './topk';

/**
 * Floats of a block's larger dense array (items or users × block users): 64 MiB, half of WebGPU's
 * default maxStorageBufferBindingSize, so that any adapter binds it.
 */
const BLOCK_FLOATS = 1 << 24;

export interface ItemKnnOptions {
  /** Items per user (1..100). */
  k: number;
  /** [user, item] pairs never recommended; default the training pairs. */
  exclude?: PairArrays;
  /** Users per block; default as many as BLOCK_FLOATS allows (the tests make blocks small). */
  blockUsers?: number;
  /** Also read back every score (numUsers × numItems, row-major): for tests on small data. */
  keepScores?: boolean;
}

const ENTRIES = ['knn_clear', 'knn_mark', 'knn_overlap', 'knn_scores', 'knn_top_k'] as const;
type Entry = (typeof ENTRIES)[number];
interface Pipelines {
  layout: GPUBindGroupLayout;
  entries: Record<Entry, GPUComputePipeline>;
}

const compiled = new WeakMap<GPUDevice, Promise<Pipelines>>();

function pipelinesFor(device: GPUDevice): Promise<Pipelines> {
  let p = compiled.get(device);
  if (!p) {
    const layout = bufferLayout(device, 'itemKnn', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage']);
    p = compilePipelines(device, 'itemKnn', ITEM_KNN_PROGRAM, Object.fromEntries(ENTRIES.map((e) => [e, [layout]])) as Record<Entry, GPUBindGroupLayout[]>, {
      WG: KERNEL_SIZES.workgroup,
    }).then((entries) => ({ layout, entries }));
    compiled.set(device, p);
  }
  return p;
}

/** Each user's k best items by item-kNN over `train`, computed on the GPU; -1 pads. */
export async function itemKnnTopK(device: GPUDevice, numUsers: number, numItems: number, train: PairArrays, options: ItemKnnOptions): Promise<{ topk: TopK; scores?: Float32Array }> {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`item-kNN: k must be an integer in [1, ${MAX_K}], got ${k}`);
  const topk: TopK = { k, numUsers, index: new Int32Array(numUsers * k).fill(-1) };
  if (numUsers === 0 || numItems === 0) return { topk, scores: options.keepScores ? new Float32Array(0) : undefined };
  const B = Math.min(numUsers, options.blockUsers ?? Math.max(1, Math.floor(BLOCK_FLOATS / Math.max(numUsers, numItems))));
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`item-kNN: blockUsers must be a positive integer, got ${options.blockUsers}`);
  const { layout, entries } = await pipelinesFor(device);
  const { byUser, byItem } = ratedLists(numUsers, numItems, train);
  const pairs = byUser.items.length;
  const lists = new Uint32Array(2 * pairs + numUsers + numItems + 2);
  lists.set(byUser.ptr);
  lists.set(byUser.items, numUsers + 1);
  lists.set(byItem.ptr, numUsers + 1 + pairs);
  lists.set(byItem.items, numUsers + numItems + 2 + pairs);
  const ex = excludeLists(numUsers, numItems, options.exclude ?? train);
  const exData = new Uint32Array(ex.ptr.length + ex.items.length);
  exData.set(ex.ptr);
  exData.set(ex.items, ex.ptr.length);

  const listBuffer = storageWith(device, 'itemKnn.lists', lists);
  const exBuffer = storageWith(device, 'itemKnn.exclude', exData);
  const rows = storageBuffer(device, 'itemKnn.rows', numItems * B * 4);
  const overlap = storageBuffer(device, 'itemKnn.overlap', numUsers * B * 4);
  const result = storageBuffer(device, 'itemKnn.result', numUsers * k * 4);
  const scores = options.keepScores ? new Float32Array(numUsers * numItems) : undefined;
  const uniforms: GPUBuffer[] = [];
  try {
    for (let start = 0; start < numUsers; start += B) {
      const blockUsers = Math.min(B, numUsers - start);
      const uniform = uniformWith(device, 'itemKnn.params', record(ITEM_KNN_PARAMS_FIELDS, { numUsers, numItems, pairs, k, blockStart: start, blockUsers, pad0: 0, pad1: 0 }));
      uniforms.push(uniform);
      const group = [bindGroup(device, layout, 'itemKnn', [uniform, listBuffer, exBuffer, rows, overlap, result])];
      const encoder = device.createCommandEncoder({ label: 'itemKnn.block' });
      const pass = encoder.beginComputePass();
      dispatch(pass, entries.knn_clear, group, numItems * blockUsers);
      dispatch(pass, entries.knn_mark, group, byUser.ptr[start + blockUsers] - byUser.ptr[start]);
      dispatch(pass, entries.knn_overlap, group, numUsers * blockUsers);
      dispatch(pass, entries.knn_scores, group, numItems * blockUsers);
      dispatch(pass, entries.knn_top_k, group, blockUsers);
      pass.end();
      device.queue.submit([encoder.finish()]);
      if (scores) {
        // The block's scores are item-major (i · B + b): transposed into the users' rows.
        const block = new Float32Array(await readBack(device, rows, numItems * blockUsers * 4));
        for (let b = 0; b < blockUsers; b++) for (let i = 0; i < numItems; i++) scores[(start + b) * numItems + i] = block[i * blockUsers + b];
      }
    }
    topk.index.set(new Int32Array(await readBack(device, result, numUsers * k * 4)));
  } finally {
    for (const b of [listBuffer, exBuffer, rows, overlap, result, ...uniforms]) b.destroy();
  }
  return { topk, scores };
}
