// Recall@10 and Recall@20 on ml-latest-small (ratings ≥ 4, each user's oldest 80% train) of the
// GAT model, of the most-popular-items baseline on the same split, and of KNN-MIPS (the seed's
// "Learning Stage 5") against the exact top-K, with search times, on whatever WebGPU adapter Node
// finds (SwiftShader on a machine without a GPU).
//
//   node --import ./bin/register.mjs bench/recall.ts [--split-mode time --features seed --hidden 8 ...]
//
// Flags set the run as `gatlab train` spells them (seed, split, split-mode, batch-size, neighbors,
// neg-ratio, epochs, lr, hidden, heads, layers, message-passing, features, min-rating, eval-every);
// K is fixed at 20. `--knn off` skips the KNN-MIPS part and exits 1 when the model does not beat
// the most-popular baseline.
import { readFileSync } from 'node:fs';
import { installNodeWebGPU } from '../src/gpu/node';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { createGpu } from '../src/gpu/device';
import { createKernels } from '../src/gpu/kernels';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { KnnMips } from '../src/search/knnMips';
import { exactTopK, recallAtK } from '../src/reference/topk';
import { knnMipsSearch } from '../src/reference/knnMips';
import { drawStarts, type Similarity } from '../src/search/inputs';
import { overlapRecall, type TopK } from '../src/search/topk';
import { popularityTopK } from '../src/train/popularity';
import { SEED_SETTINGS, SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { parseFlags } from '../src/cli/args';
import { SETTING_FLAGS, settingsAsFlags, settingsFromFlags } from '../src/cli/runFlags';
import { ML_SMALL_DIR } from '../tests/helpers/paths';

const RATINGS = `${ML_SMALL_DIR}ratings.csv`;
const MOVIES = `${ML_SMALL_DIR}movies.csv`;
/** The run that beats the most-popular baseline here (README, Benchmarks); flags override each. */
const DEFAULTS: Partial<RunSettings> = {
  minRating: 4,
  split: 0.8,
  splitMode: 'userTime',
  features: 'genres',
  batchSize: 'full',
  negRatio: 4,
  epochs: 200,
  lr: 0.02,
  hidden: 16,
  heads: 2,
  layers: 3,
  k: 20,
  evalEvery: 50,
};

// K is the bench's own (20), so it takes every setting's flag but --k; `--knn off` stops after the
// model-vs-popularity table (the KNN-MIPS part takes minutes here).
const benchFlags = Object.fromEntries(Object.entries(SETTING_FLAGS).filter(([flag]) => flag !== SETTINGS.k.flag));
const { choice, rest: args } = takeAdapterFlag(process.argv.slice(2), 'recall bench');
const { flags } = parseFlags(args, { ...benchFlags, knn: { value: true, help: 'off skips the KNN-MIPS part' } }, 'train');
const knnOff = flags.knn === 'off';
const settings: RunSettings = { ...settingsFromFlags(flags, { ...SEED_SETTINGS, ...DEFAULTS }), k: 20 };

const fmt = (x: number | null, d = 4) => (x === null ? '—' : x.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const columns = (t: TopK, k: number): TopK => ({
  k,
  numUsers: t.numUsers,
  index: Int32Array.from({ length: t.numUsers * k }, (_, j) => t.index[Math.floor(j / k) * t.k + (j % k)]),
});
async function timed<T>(f: () => Promise<T>, repeats = 3): Promise<{ value: T; ms: number }> {
  let value = await f(); // warm-up: pipelines, caches
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    value = await f();
    ms.push(performance.now() - t0);
  }
  return { value, ms: median(ms) };
}

const adapterWhy = (await installNodeWebGPU(choice))?.why;
const gpu = await createGpu();
const kernels = await createKernels(gpu.device);
// movies.csv gives the genres that `--features genres` makes the items' input of.
const loaded = parseRatingsCsv(readFileSync(RATINGS, 'utf8'), 'ratings.csv', parseMovies(readFileSync(MOVIES, 'utf8'), 'movies.csv'));

const trainer = Trainer.create(gpu, kernels, loaded, settings);
const data = trainer.data;
const tuples = (p: { user: Uint32Array; item: Uint32Array }) => Array.from(p.user, (u, k) => [u, p.item[k]] as [number, number]);
const trainPairs = tuples(data.train);
const testPairs = tuples(data.test);
const warm = new Set(data.train.user);
const testUsers = new Set(data.test.user);
const coldTest = [...testUsers].filter((u) => !warm.has(u)).length;

console.log(`GAT Lab Recall@K on ml-latest-small, ${gpu.adapterName} (${adapterWhy})`);
console.log(`data: ${data.ratings.rating.length} of ${loaded.rating.length} ratings have rating >= ${settings.minRating}; ${data.numUsers} users, ${data.numItems} movies; oldest ${settings.split} by time train: ${data.train.user.length} train, ${data.test.user.length} test ratings`);
console.log(`test: ${testUsers.size} users with a test rating, ${coldTest} of them with no training rating (cold)`);
const s = settings;
console.log(`model: ${s.layers} GAT blocks, hidden ${s.hidden}, ${s.heads} heads, batch ${s.batchSize}${s.batchSize === 'full' ? '' : `, neighbours ${s.neighbors.join(',')}`}, negatives ${s.negRatio} per rating, lr ${s.lr}, ${s.epochs} epochs, message passing over ${s.messagePassing === 'train' ? 'training edges only' : 'all edges'}, ${s.features} features, seed ${s.seed}`);

const t0 = performance.now();
let lastLog = t0;
await trainer.train(s.epochs, (metrics) => {
  const m = metrics.at(-1)!;
  if (performance.now() - lastLog > 20_000 || m.epoch === s.epochs) {
    console.error(`  epoch ${m.epoch}: loss ${fmt(m.loss)}, Recall@20 ${fmt(m.recall)}, ${fmt(m.ms, 0)} ms/epoch`);
    lastLog = performance.now();
  }
});
const trainSeconds = (performance.now() - t0) / 1000;
const history = trainer.history;
const bestEpoch = history.reduce((b, m) => ((m.recall ?? -1) > (b.recall ?? -1) ? m : b), history[0]);
const every = Math.max(1, Math.round(s.epochs / 12));
console.log(`Recall@20 after epoch: ${history.filter((m) => m.epoch % every === 0).map((m) => `${m.epoch}: ${fmt(m.recall, 3)}`).join(', ')}`);
console.log(`training: ${fmt(trainSeconds, 1)} s (${fmt((trainSeconds * 1000) / s.epochs, 0)} ms/epoch incl. the per-epoch evaluation); final loss ${fmt(history.at(-1)!.loss)}; Recall@20 after each epoch peaked at ${fmt(bestEpoch.recall)} (epoch ${bestEpoch.epoch}), ended at ${fmt(history.at(-1)!.recall)}`);

// The model: exact top-20 on the GPU (the evaluator's), training items excluded.
const snap = await trainer.snapshot();
const model20: TopK = { k: snap.k, numUsers: data.numUsers, index: snap.topk };
const model10 = columns(model20, 10);
const pop20 = popularityTopK(data.numUsers, data.numItems, data.train, 20);
const pop10 = columns(pop20, 10);
const recall = (t: TopK, pairs: [number, number][]) => recallAtK(t, pairs);
const coldPairs = testPairs.filter(([u]) => !warm.has(u));
const warmPairs = testPairs.filter(([u]) => warm.has(u));
const rows: [string, TopK, TopK][] = [
  ['model (GAT, exact top-K)', model10, model20],
  ['most popular items', pop10, pop20],
];
for (const [name, t10, t20] of rows) {
  console.log(`${name.padEnd(26)} Recall@10 ${fmt(recall(t10, testPairs))}  Recall@20 ${fmt(recall(t20, testPairs))}   (warm users: @10 ${fmt(recall(t10, warmPairs))} @20 ${fmt(recall(t20, warmPairs))}; cold users: @10 ${fmt(recall(t10, coldPairs))} @20 ${fmt(recall(t20, coldPairs))})`);
}
const m20 = recall(model20, testPairs);
const p20 = recall(pop20, testPairs);
const m10 = recall(model10, testPairs);
const p10 = recall(pop10, testPairs);
const beats = m10 > p10 && m20 > p20;
console.log(`model vs most popular: Recall@10 ${fmt(m10)} vs ${fmt(p10)} (${m10 > p10 ? 'beats' : 'does not beat'}), Recall@20 ${fmt(m20)} vs ${fmt(p20)} (${m20 > p20 ? 'beats' : 'does not beat'})`);
console.log(`check: GPU evaluator's Recall@20 ${fmt(history.at(-1)!.recall)} (float32 on the GPU) vs recallAtK of its top-20 ${fmt(m20)}`);
console.log(`reproduce: node --import ./bin/register.mjs bench/recall.ts ${settingsAsFlags(s, ['k'])}`);
if (knnOff) process.exit(beats ? 0 : 1);

// KNN-MIPS over the model's item embeddings, against the exact search.
const C = snap.channels;
const exclude = data.train;
const K = 20;
const exactRef = exactTopK(snap.user, snap.item, C, K, trainPairs);
const evalTime = await timed(() => trainer.evaluate());
const build = await KnnMips.create(gpu.device, snap.item, C, { neighbors: 16 });
const exactGpu = await timed(() => build.exact(snap.user, { k: K, exclude }));
build.destroy();
const exactTop: TopK = { k: K, numUsers: data.numUsers, index: exactGpu.value };
const sameRows = (a: Int32Array, b: Int32Array) => a.every((x, j) => x === b[j]);
console.log(`exact search on the GPU: knn_mips.wgsl exact_top_k ${fmt(exactGpu.ms, 1)} ms for ${data.numUsers} users × ${data.numItems} items × ${C} channels (same lists as the evaluator's top-20: ${sameRows(exactGpu.value, snap.topk)}; as float64 exactTopK: ${fmt(overlapRecall({ k: K, numUsers: data.numUsers, index: exactGpu.value }, exactRef), 4)} overlap); the evaluator (forward + top-20 + Recall) ${fmt(evalTime.ms, 1)} ms`);

const configs: { similarity: Similarity; E: number; runs: [number, number][] }[] = [
  { similarity: 'inner', E: 8, runs: [[1, 4], [4, 4], [16, 4], [32, 8]] },
  { similarity: 'inner', E: 16, runs: [[1, 4], [4, 4], [8, 8], [16, 8], [32, 8]] },
  { similarity: 'inner', E: 32, runs: [[2, 4], [8, 4], [16, 8]] },
  { similarity: 'cosine', E: 16, runs: [[4, 4], [16, 8], [32, 8]] },
];
for (const { similarity, E, runs } of configs) {
  const tb = performance.now();
  const knn = await KnnMips.create(gpu.device, snap.item, C, { neighbors: E, similarity });
  const buildMs = performance.now() - tb;
  const graph = await knn.readGraph();
  const listed = new Set(graph).size - (graph.includes(-1) ? 1 : 0);
  console.log(`KNN-MIPS graph by ${similarity === 'inner' ? 'inner product' : 'cosine'}, E = ${E}: built in ${fmt(buildMs, 0)} ms; ${listed} of ${data.numItems} items are someone's neighbour (the rest are never candidates)`);
  for (const [R, T] of runs) {
    const run = await timed(() => knn.search(snap.user, { restarts: R, steps: T, k: K, exclude, seed: s.seed }));
    const approx: TopK = { k: K, numUsers: data.numUsers, index: run.value };
    // The float64 twin on the same graph and starts: the same lists, and how many items it scored.
    const ref = knnMipsSearch(snap.user, snap.item, C, graph, E, drawStarts(data.numUsers, R, data.numItems, s.seed), { restarts: R, steps: T, k: K, exclude: trainPairs });
    const scored = ref.candidates.reduce((a, b) => a + b, 0) / data.numUsers;
    const agree = sameRows(ref.index, run.value) ? 'same as float64 twin' : `differs from the float64 twin (overlap ${fmt(overlapRecall(approx, ref), 4)})`;
    console.log(
      `  R = ${String(R).padStart(2)}, T = ${String(T).padStart(2)}, E = ${String(E).padStart(2)}: recall vs exact top-20 ${fmt(overlapRecall(approx, exactTop))}, Recall@10 ${fmt(recall(columns(approx, 10), testPairs))}, Recall@20 ${fmt(recall(approx, testPairs))}; ${fmt(scored, 0)} items scored per user (${fmt((100 * scored) / data.numItems, 1)}%); ${fmt(run.ms, 1)} ms per call vs exact ${fmt(exactGpu.ms, 1)} ms (${fmt(exactGpu.ms / run.ms, 2)}× faster); ${agree}`,
    );
  }
  knn.destroy();
}

console.log(`verdict: the model ${beats ? 'beats' : 'does NOT beat'} the most-popular baseline at both K`);
trainer.destroy();
process.exit(0);
