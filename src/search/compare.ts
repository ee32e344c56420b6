// KNN-MIPS beside the exact search on one set of embeddings: both top-K lists, the share of the
// exact list that KNN-MIPS finds, and the wall time of each (the graph build apart, since one
// graph serves many searches). The command line, the page's engine worker and the benchmark all
// compare through here, so their figures mean the same thing.
import type { PairList } from '../graph/pairs';
import { KnnMips } from './knnMips';
import type { SearchSettings } from './settings';
import { overlapRecall } from './topk';

export interface SearchComparison {
  k: number;
  numUsers: number;
  /**
   * numUsers × k, best first, -1 pads: the exact top-K on the GPU, by KNN-MIPS's exact_top_k on
   * the same buffers (ranked as the evaluator ranks, but not the evaluator's lists).
   */
  exact: Int32Array;
  /** numUsers × k, the same from KNN-MIPS. */
  knn: Int32Array;
  /** Per user, the share of the exact list that KNN-MIPS also lists; averaged over users. */
  recall: number;
  /** Wall time of each search for all users: upload, one dispatch, readback. */
  exactMs: number;
  knnMs: number;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

/** The items' neighbour graph for KNN-MIPS (numItems × channels item rows), and its build time (compilation apart). */
export async function buildItemGraph(device: GPUDevice, item: Float32Array, channels: number, expansions: number): Promise<{ graph: KnnMips; buildMs: number }> {
  await KnnMips.compile(device);
  const { value, ms } = await timed(() => KnnMips.create(device, item, channels, { neighbors: expansions }));
  return { graph: value, buildMs: ms };
}

/**
 * Both searches for every user (numUsers × channels rows) over the graph's items, leaving out
 * each user's `exclude` items; `seed` draws the KNN-MIPS start items. The graph's E is used, not
 * `settings.expansions`.
 */
export async function compareSearch(
  graph: KnnMips,
  user: Float32Array,
  options: { k: number; settings: Pick<SearchSettings, 'restarts' | 'steps'>; exclude?: PairList; seed: number },
): Promise<SearchComparison> {
  const { k, exclude, seed } = options;
  const { restarts, steps } = options.settings;
  const numUsers = user.length / graph.dim;
  const exact = await timed(() => graph.exact(user, { k, exclude }));
  const knn = await timed(() => graph.search(user, { restarts, steps, k, exclude, seed }));
  const recall = overlapRecall({ k, numUsers, index: knn.value }, { k, numUsers, index: exact.value });
  return { k, numUsers, exact: exact.value, knn: knn.value, recall, exactMs: exact.ms, knnMs: knn.ms };
}
