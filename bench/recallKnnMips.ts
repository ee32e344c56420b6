// The recall bench's KNN-MIPS part (`bench/recall.ts --knn on`): the seed's greedy search over a
// neighbour graph of one trained model's item embeddings, against the exact top-20, with times.
import { exactTopK } from '../src/reference/topk';
import { knnMipsSearch } from '../src/reference/knnMips';
import { drawStarts, type Similarity } from '../src/search/inputs';
import { KnnMips } from '../src/search/knnMips';
import { overlapRecall, type TopK } from '../src/search/topk';
import type { Trainer } from '../src/train/trainer';
import { recallAtK } from '../src/reference/topk';
import { firstColumns, fmt, timed } from './recallTable';

const K = 20;
const CONFIGS: { similarity: Similarity; E: number; runs: [number, number][] }[] = [
  { similarity: 'inner', E: 8, runs: [[1, 4], [4, 4], [16, 4], [32, 8]] },
  { similarity: 'inner', E: 16, runs: [[1, 4], [4, 4], [8, 8], [16, 8], [32, 8]] },
  { similarity: 'inner', E: 32, runs: [[2, 4], [8, 4], [16, 8]] },
  { similarity: 'cosine', E: 16, runs: [[4, 4], [16, 8], [32, 8]] },
];

export async function knnMipsPart(device: GPUDevice, trainer: Trainer, seed: number): Promise<void> {
  const data = trainer.data;
  const snap = await trainer.snapshot();
  const C = snap.channels;
  const seenPairs = Array.from(data.seen.user, (u, k) => [u, data.seen.item[k]] as [number, number]);
  const testPairs = Array.from(data.test.user, (u, k) => [u, data.test.item[k]] as [number, number]);
  const exclude = data.seen;
  const exactRef = exactTopK(snap.user, snap.item, C, K, seenPairs);
  const evalTime = await timed(() => trainer.evaluate());
  const build = await KnnMips.create(device, snap.item, C, { neighbors: 16 });
  const exactGpu = await timed(() => build.exact(snap.user, { k: K, exclude }));
  build.destroy();
  const exactTop: TopK = { k: K, numUsers: data.numUsers, index: exactGpu.value };
  const sameRows = (a: Int32Array, b: Int32Array) => a.every((x, j) => x === b[j]);
  console.log(`\nKNN-MIPS over the item embeddings of the first configuration's first seed (per-user split)`);
  console.log(`exact search on the GPU: knn_mips.wgsl exact_top_k ${fmt(exactGpu.ms, 1)} ms for ${data.numUsers} users × ${data.numItems} items × ${C} channels (same lists as the evaluator's top-20: ${sameRows(exactGpu.value, snap.topk)}; as float64 exactTopK: ${fmt(overlapRecall(exactTop, exactRef), 4)} overlap); the evaluator (forward + top-20 + Recall) ${fmt(evalTime.ms, 1)} ms`);
  for (const { similarity, E, runs } of CONFIGS) {
    const tb = performance.now();
    const knn = await KnnMips.create(device, snap.item, C, { neighbors: E, similarity });
    const buildMs = performance.now() - tb;
    const graph = await knn.readGraph();
    const listed = new Set(graph).size - (graph.includes(-1) ? 1 : 0);
    console.log(`KNN-MIPS graph by ${similarity === 'inner' ? 'inner product' : 'cosine'}, E = ${E}: built in ${fmt(buildMs, 0)} ms; ${listed} of ${data.numItems} items are someone's neighbour (the rest are never candidates)`);
    for (const [R, T] of runs) {
      const run = await timed(() => knn.search(snap.user, { restarts: R, steps: T, k: K, exclude, seed }));
      const approx: TopK = { k: K, numUsers: data.numUsers, index: run.value };
      // The float64 twin on the same graph and starts: the same lists, and how many items it scored.
      const ref = knnMipsSearch(snap.user, snap.item, C, graph, E, drawStarts(data.numUsers, R, data.numItems, seed), { restarts: R, steps: T, k: K, exclude: seenPairs });
      const scored = ref.candidates.reduce((a, b) => a + b, 0) / data.numUsers;
      const agree = sameRows(ref.index, run.value) ? 'same as float64 twin' : `differs from the float64 twin (overlap ${fmt(overlapRecall(approx, ref), 4)})`;
      console.log(
        `  R = ${String(R).padStart(2)}, T = ${String(T).padStart(2)}, E = ${String(E).padStart(2)}: recall vs exact top-20 ${fmt(overlapRecall(approx, exactTop))}, Recall@10 ${fmt(recallAtK(firstColumns(approx, 10), testPairs))}, Recall@20 ${fmt(recallAtK(approx, testPairs))}; ${fmt(scored, 0)} items scored per user (${fmt((100 * scored) / data.numItems, 1)}%); ${fmt(run.ms, 1)} ms per call vs exact ${fmt(exactGpu.ms, 1)} ms (${fmt(exactGpu.ms / run.ms, 2)}× faster); ${agree}`,
      );
    }
    knn.destroy();
  }
}
