// KNN-MIPS on the GPU (the seed's "Learning Stage 5"): an item k-nearest-neighbour graph built
// once, then greedy maximum-inner-product walks per user, beside the exact search. Its WGSL
// (shaders/knn_mips.wgsl, with the shared top-K list of shaders/topk.wgsl) is a program of its
// own, compiled here apart from the training program. What it computes is defined by its float64
// twin, src/reference/knnMips.ts (for the tests). It takes plain arrays, so it serves
// any Snapshot: `KnnMips.create(device, snapshot.item, snapshot.channels, { neighbors: 16 })`,
// then `search(snapshot.user, { restarts, steps, k, exclude, seed })`.
import { readBack, storageBuffer, storageWith, uniformWith } from '../gpu/buffers';
import { bindGroup, bufferLayout, compilePipelines, dispatch, submitPass } from '../gpu/kernels';
import { KNN_PARAMS_FIELDS, MAX_K, record } from '../gpu/layout';
import { KERNEL_SIZES } from '../gpu/kernelSizes';
import { KNN_PROGRAM } from '../gpu/shaders';
import type { PairList } from '../graph/pairs';
import { drawStarts, excludeLists, graphRows, type Similarity } from './inputs';
import { KNN_MAX_NEIGHBORS } from './settings';

export interface KnnMipsOptions {
  /** Neighbours per item in the graph: the deck's expansions E (1..64). */
  neighbors: number;
  /** What "near" means in the graph; 'inner' (default) or 'cosine'. */
  similarity?: Similarity;
}

export interface KnnSearchOptions {
  /** Random restarts R per user (≥ 1). */
  restarts: number;
  /** Greedy steps T per restart (≥ 1). */
  steps: number;
  /** Items returned per user (1..100). */
  k: number;
  /** [user, item] pairs never returned: each user's training items. */
  exclude?: PairList;
  /** Seeds the start items (src/util/rng.ts; drawStarts in the reference). Default 0. */
  seed?: number;
}

interface Pipelines {
  buildLayout: GPUBindGroupLayout;
  searchLayout: GPUBindGroupLayout;
  build: GPUComputePipeline;
  search: GPUComputePipeline;
  exact: GPUComputePipeline;
}

const compiled = new WeakMap<GPUDevice, Promise<Pipelines>>();

/** The program and its three pipelines, compiled once per device. */
function pipelinesFor(device: GPUDevice): Promise<Pipelines> {
  let p = compiled.get(device);
  if (!p) {
    p = compile(device);
    compiled.set(device, p);
  }
  return p;
}

async function compile(device: GPUDevice): Promise<Pipelines> {
  const buildLayout = bufferLayout(device, 'knn.build', ['uniform', 'read-only-storage', 'storage']);
  const searchLayout = bufferLayout(device, 'knn.search', [
    'uniform', 'read-only-storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage',
  ]);
  const p = await compilePipelines(device, 'knn', KNN_PROGRAM, {
    build_graph: [buildLayout],
    knn_search: [searchLayout],
    exact_top_k: [searchLayout],
  }, { WG: KERNEL_SIZES.workgroup });
  return { buildLayout, searchLayout, build: p.build_graph, search: p.knn_search, exact: p.exact_top_k };
}

function checkInt(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`KNN-MIPS: ${what} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** The KnnParams uniform (src/gpu/layout.ts). */
function params(numItems: number, dim: number, neighbors: number, k: number, numUsers: number, restarts: number, steps: number): Uint32Array {
  return record(KNN_PARAMS_FIELDS, { numItems, dim, neighbors, k, numUsers, restarts, steps, pad: 0 });
}

export class KnnMips {
  private constructor(
    readonly device: GPUDevice,
    private readonly pipelines: Pipelines,
    readonly numItems: number,
    readonly dim: number,
    readonly neighbors: number,
    readonly similarity: Similarity,
    /** Item embeddings, numItems × dim. */
    private readonly items: GPUBuffer,
    /** The graph, numItems × neighbors. */
    private readonly graph: GPUBuffer,
  ) {}

  /** Compiles the kernels for this device now, so that a timed create() or search() leaves compilation out. */
  static async compile(device: GPUDevice): Promise<void> {
    await pipelinesFor(device);
  }

  /**
   * Uploads the items (numItems × dim, row-major) and builds their neighbour graph on the GPU.
   * Resolves once the graph is built.
   */
  static async create(device: GPUDevice, items: Float32Array, dim: number, options: KnnMipsOptions): Promise<KnnMips> {
    const similarity = options.similarity ?? 'inner';
    if (similarity !== 'inner' && similarity !== 'cosine') throw new RangeError(`KNN-MIPS: similarity must be 'inner' or 'cosine', got ${String(similarity)}`);
    checkInt('the dimension', dim, 1, 1 << 16);
    checkInt('neighbors (E)', options.neighbors, 1, KNN_MAX_NEIGHBORS);
    if (items.length % dim !== 0 || items.length === 0) throw new RangeError(`KNN-MIPS: ${items.length} item values are not rows of ${dim}`);
    const numItems = items.length / dim;
    const E = options.neighbors;
    const pipelines = await pipelinesFor(device);
    const itemBuffer = storageWith(device, 'knn.items', items);
    const graph = storageBuffer(device, 'knn.graph', numItems * E * 4);
    const rows = similarity === 'inner' ? itemBuffer : storageWith(device, 'knn.graphRows', graphRows(items, dim, similarity));
    const uniform = uniformWith(device, 'knn.buildParams', params(numItems, dim, E, 1, 0, 0, 0));
    const group = bindGroup(device, pipelines.buildLayout, 'knn.build', [uniform, rows, graph]);
    submitPass(device, (pass) => dispatch(pass, pipelines.build, [group], numItems), 'knn.build');
    await device.queue.onSubmittedWorkDone();
    uniform.destroy();
    if (rows !== itemBuffer) rows.destroy();
    return new KnnMips(device, pipelines, numItems, dim, E, similarity, itemBuffer, graph);
  }

  /** The neighbour graph: numItems × neighbors item indices, most similar first, -1 pads. */
  async readGraph(): Promise<Int32Array> {
    return new Int32Array(await readBack(this.device, this.graph, this.numItems * this.neighbors * 4));
  }

  /** Greedy KNN-MIPS for every user (numUsers × dim): numUsers × k item indices, best first, -1 pads. */
  async search(users: Float32Array, options: KnnSearchOptions): Promise<Int32Array> {
    const { restarts, steps, k } = options;
    checkInt('restarts (R)', restarts, 1, 1 << 20);
    checkInt('steps (T)', steps, 1, 1 << 20);
    const numUsers = this.usersOf(users);
    const starts = drawStarts(numUsers, restarts, this.numItems, options.seed ?? 0);
    return this.run(this.pipelines.search, users, k, restarts, steps, starts, options.exclude);
  }

  /** The exact top-k on the same buffers (ranked as the evaluator's top-K): numUsers × k, -1 pads. */
  async exact(users: Float32Array, options: { k: number; exclude?: PairList }): Promise<Int32Array> {
    this.usersOf(users);
    return this.run(this.pipelines.exact, users, options.k, 0, 0, new Uint32Array(1), options.exclude);
  }

  private usersOf(users: Float32Array): number {
    if (users.length % this.dim !== 0) throw new RangeError(`KNN-MIPS: ${users.length} user values are not rows of ${this.dim}`);
    return users.length / this.dim;
  }

  private async run(pipeline: GPUComputePipeline, users: Float32Array, k: number, restarts: number, steps: number, starts: Uint32Array, exclude?: PairList): Promise<Int32Array> {
    checkInt('k', k, 1, MAX_K);
    const numUsers = users.length / this.dim;
    if (numUsers === 0) return new Int32Array(0);
    const { device } = this;
    const ex = excludeLists(numUsers, this.numItems, exclude);
    const exData = new Uint32Array(ex.ptr.length + ex.items.length);
    exData.set(ex.ptr);
    exData.set(ex.items, ex.ptr.length);
    const buffers = [
      uniformWith(device, 'knn.params', params(this.numItems, this.dim, this.neighbors, k, numUsers, restarts, steps)),
      this.items,
      this.graph,
      storageWith(device, 'knn.users', users),
      storageWith(device, 'knn.starts', starts),
      storageWith(device, 'knn.exclude', exData),
      storageBuffer(device, 'knn.result', numUsers * k * 4),
    ];
    const group = bindGroup(device, this.pipelines.searchLayout, 'knn.search', buffers);
    submitPass(device, (pass) => dispatch(pass, pipeline, [group], numUsers), 'knn.search');
    const out = new Int32Array(await readBack(device, buffers[6], numUsers * k * 4));
    for (const b of [buffers[0], ...buffers.slice(3)]) b.destroy();
    return out;
  }

  destroy(): void {
    this.items.destroy();
    this.graph.destroy();
  }
}
