// `npm run bench`: what an epoch costs, on whatever WebGPU adapter Node finds (SwiftShader on a
// machine without a GPU). Ratios are against baselines run in the same process: the per-op path
// for the fused one, the float64 CPU reference for the GPU.
//
//   1. The seed's toy run (batch size 1: 7 optimizer steps per epoch): the fuse decision measured
//      on this adapter, then ms per epoch, dispatches and submits per optimizer step, as decided,
//      fused with the widest workgroup, and per op.
//   2. ml-latest-small: the time to parse ratings.csv and movies.csv; then full batch (80,668
//      training ratings, 10,334 nodes), at hidden 12 and 64, 2 heads, 3 layers: median ms per
//      epoch (forward, backward, Adam) split by phase, the evaluation (exact top-20 for 610 users
//      over 9,724 movies), peak GPU memory, and one epoch of the float64 reference.
//   3. KNN-MIPS (the seed's "Learning Stage 5") on the hidden-64 model's embeddings after a few
//      epochs: its recall against the exact top-20 and both searches' times, on the same buffers.
import { readFileSync } from 'node:fs';
import { installNodeWebGPU } from '../src/gpu/node';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { createGpu, type Gpu } from '../src/gpu/device';
import { createKernels, submitPass, type Kernels } from '../src/gpu/kernels';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import type { Ratings } from '../src/graph/types';
import { denseItems, denseUsers } from '../src/graph/features';
import { fullGraph } from '../src/graph/build';
import { toyRatings } from '../src/graph/toy';
import { initParams, namedFromFlat } from '../src/model/params';
import { referenceGradients, type NamedParams } from '../src/reference/model';
import { adamState, adamStep } from '../src/reference/adam';
import { ModelOnGraph, modelShape } from '../src/train/modelOnGraph';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { describeFusion } from '../src/train/fuseDecision';
import { EVALS_TIMED } from '../src/train/evalFusion';
import { buildItemGraph, compareSearch } from '../src/search/compare';
import { SEARCH_DEFAULTS } from '../src/search/settings';
import { Rng } from '../src/util/rng';
import { ML_SMALL_DIR } from '../tests/helpers/paths';

const ML_SMALL = `${ML_SMALL_DIR}ratings.csv`;
const ML_SMALL_MOVIES = `${ML_SMALL_DIR}movies.csv`;
const REPEATS = 5;
/** Epochs trained before KNN-MIPS searches the embeddings: enough to move them off the initial ones. */
const KNN_EPOCHS = 5;

/** Counts dispatches, submits, and live and peak bytes of GPU buffers, by wrapping the API. */
function instrument(gpu: Gpu) {
  const counts = { dispatches: 0, submits: 0, live: 0, peak: 0 };
  const device = gpu.device;
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor) => {
    const b = createBuffer(desc);
    counts.live += desc.size;
    counts.peak = Math.max(counts.peak, counts.live);
    const destroy = b.destroy.bind(b);
    let gone = false;
    b.destroy = () => {
      if (!gone) counts.live -= desc.size;
      gone = true;
      destroy();
    };
    return b;
  };
  const submit = device.queue.submit.bind(device.queue);
  device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    counts.submits++;
    submit(buffers);
  };
  const proto = (globalThis as unknown as { GPUComputePassEncoder: { prototype: GPUComputePassEncoder } }).GPUComputePassEncoder.prototype;
  const dispatchWorkgroups = proto.dispatchWorkgroups;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number) {
    counts.dispatches++;
    dispatchWorkgroups.call(this, x, y, z);
  };
  return counts;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, d = 1) => x.toFixed(d);

async function toyRun(gpu: Gpu, kernels: Kernels, counts: ReturnType<typeof instrument>, fuse: Trainer['fuse']) {
  const trainer = Trainer.create(gpu, kernels, toyRatings(), SEED_SETTINGS);
  trainer.fuse = fuse;
  await trainer.train(64);
  const before = { ...counts };
  const epochs = fuse === 'auto' ? 256 : 64;
  const t0 = performance.now();
  await trainer.train(epochs);
  const ms = (performance.now() - t0) / epochs;
  const steps = epochs * trainer.stepsPerEpoch;
  const result = {
    ms,
    dispatchesPerStep: (counts.dispatches - before.dispatches) / steps,
    submitsPerStep: (counts.submits - before.submits) / steps,
    recall: trainer.history.at(-1)!.recall,
    fusion: trainer.fusion,
    evalFusion: trainer.evalFusion,
  };
  trainer.destroy();
  return result;
}

async function submitAndWait(gpu: Gpu, encode: (pass: GPUComputePassEncoder) => void): Promise<number> {
  const t0 = performance.now();
  submitPass(gpu.device, encode);
  await gpu.device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/** Parses ratings.csv with movies.csv (titles and genres), as `gatlab --data` and the page do: median ms of each over REPEATS. */
function parseMlSmall() {
  const ratingsText = readFileSync(ML_SMALL, 'utf8');
  const moviesText = readFileSync(ML_SMALL_MOVIES, 'utf8');
  const times = { movies: [] as number[], ratings: [] as number[] };
  let ratings: Ratings | null = null;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const movies = parseMovies(moviesText, 'movies.csv');
    const t1 = performance.now();
    ratings = parseRatingsCsv(ratingsText, 'ratings.csv', movies);
    times.movies.push(t1 - t0);
    times.ratings.push(performance.now() - t1);
  }
  return { ratings: ratings!, moviesMs: median(times.movies), ratingsMs: median(times.ratings), bytes: ratingsText.length + moviesText.length };
}

async function fullBatch(gpu: Gpu, kernels: Kernels, counts: ReturnType<typeof instrument>, ratings: Ratings, hidden: number, withReference: boolean) {
  const settings: RunSettings = { ...SEED_SETTINGS, hidden, heads: 2, layers: 3, split: 0.8, batchSize: 'full', k: 20 };
  const rng = new Rng(settings.seed);
  const data = prepare(ratings, settings, rng);
  const shape = modelShape(settings, data.features);
  const params = initParams(shape, rng);
  const graph = fullGraph(data.numUsers, data.numItems, data.mpEdges, data.train);
  counts.live = 0;
  counts.peak = 0;
  const run = new ModelOnGraph(gpu, kernels, shape, params, data.features, graph, 1);
  const { model, counts: c, workspace: ws } = run;
  // Every timed round repeats Adam's first step.
  run.writeGraph(0, settings.lr, 1);

  const phases = { forward: [] as number[], backward: [] as number[], adam: [] as number[] };
  const dispatchesBefore = counts.dispatches;
  for (let r = 0; r <= REPEATS; r++) {
    const f = await submitAndWait(gpu, (p) => {
      ws.encodeForward(p, c);
      ws.encodeLoss(p, c);
    });
    const b = await submitAndWait(gpu, (p) => ws.encodeBackward(p, c));
    const a = await submitAndWait(gpu, (p) => model.encodeAdam(p, ws));
    // The first round compiles and warms caches; it is not counted.
    if (r > 0) {
      phases.forward.push(f);
      phases.backward.push(b);
      phases.adam.push(a);
    }
  }
  const dispatchesPerStep = (counts.dispatches - dispatchesBefore) / (REPEATS + 1);
  const loss = (await ws.readLosses(1))[0];

  // Evaluation as the trainer runs it after each epoch, on its own workspace.
  const trainer = Trainer.create(gpu, kernels, ratings, settings, params);
  await trainer.evaluate();
  const evalMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await trainer.evaluate();
    evalMs.push(performance.now() - t0);
  }
  const peak = counts.peak;
  const evalFusion = trainer.evalFusion;

  let referenceMs = NaN;
  if (withReference) {
    const named = namedFromFlat(shape, params);
    const p64: NamedParams = Object.fromEntries(Object.entries(named).map(([k, v]) => [k, v.data]));
    const pairs = Array.from(data.mpEdges.user, (u, k) => [u, data.mpEdges.item[k]] as const);
    const t0 = performance.now();
    const out = referenceGradients(shape, p64, {
      numUsers: data.numUsers,
      numItems: data.numItems,
      xUser: Float64Array.from(denseUsers(data.features)),
      xItem: Float64Array.from(denseItems(data.features)),
      rates: pairs,
      revRates: pairs.map(([u, i]) => [i, u] as const),
      labelUser: data.train.user,
      labelItem: data.train.item,
      labels: data.train.value,
    });
    for (const [name, g] of Object.entries(out.grads)) adamStep(p64[name], g, adamState(g.length), { lr: settings.lr });
    referenceMs = performance.now() - t0;
  }
  trainer.destroy();
  run.destroy();
  const total = median(phases.forward.map((f, i) => f + phases.backward[i] + phases.adam[i]));
  return {
    nodes: c.nodes,
    edges: c.edges,
    labels: c.labels,
    loss,
    forward: median(phases.forward),
    backward: median(phases.backward),
    adam: median(phases.adam),
    total,
    evalMs: median(evalMs),
    evalFusion,
    peakMiB: peak / 2 ** 20,
    dispatchesPerStep,
    referenceMs,
  };
}

/**
 * Trains the hidden-64 full-batch run for KNN_EPOCHS through the Trainer (as the page and the
 * command line do; one chunk, evaluated after its last epoch only), then KNN-MIPS with the
 * default R, T, E against the exact top-20 on those embeddings: one warm-up comparison, then the
 * median of REPEATS_KNN.
 */
async function knnMipsRow(gpu: Gpu, kernels: Kernels, ratings: Ratings) {
  const REPEATS_KNN = 3;
  const settings: RunSettings = { ...SEED_SETTINGS, hidden: 64, heads: 2, layers: 3, split: 0.8, batchSize: 'full', k: 20, evalEvery: KNN_EPOCHS };
  const trainer = Trainer.create(gpu, kernels, ratings, settings);
  await trainer.train(KNN_EPOCHS);
  const trainMs = trainer.history.at(-1)!.ms;
  const snap = await trainer.snapshot();
  const { graph, buildMs } = await buildItemGraph(gpu.device, snap.item, snap.channels, SEARCH_DEFAULTS.expansions);
  const compare = () => compareSearch(graph, snap.user, { k: snap.k, settings: SEARCH_DEFAULTS, exclude: trainer.data.train, seed: settings.seed });
  const warm = await compare();
  const runs = [];
  for (let r = 0; r < REPEATS_KNN; r++) runs.push(await compare());
  graph.destroy();
  trainer.destroy();
  return {
    users: warm.numUsers,
    items: graph.numItems,
    k: warm.k,
    trainMs,
    buildMs,
    recall: warm.recall,
    sameAsEvaluator: warm.exact.every((x, j) => x === snap.topk[j]),
    knnMs: median(runs.map((r) => r.knnMs)),
    exactMs: median(runs.map((r) => r.exactMs)),
  };
}

const { choice } = takeAdapterFlag(process.argv.slice(2), 'bench');
const adapterWhy = (await installNodeWebGPU(choice))?.why;
const gpu = await createGpu();
const counts = instrument(gpu);
const kernels = await createKernels(gpu.device);
console.log(`GAT Lab benchmark on ${gpu.adapterName} (${adapterWhy})\n`);

console.log('1. The seed\'s toy run: SEED 123, batch size 1 (7 optimizer steps per epoch), hidden 12, 2 heads, 3 layers');
const auto = await toyRun(gpu, kernels, counts, 'auto');
const widest = kernels.fusedSteps.at(-1)!.width;
const fused = await toyRun(gpu, kernels, counts, 'always');
const perOp = await toyRun(gpu, kernels, counts, 'never');
console.log(`   fuse decision (measured on this adapter): ${describeFusion(auto.fusion!)}`);
console.log(`   evaluation's fuse decision: ${describeFusion(auto.evalFusion!, EVALS_TIMED)}`);
for (const [name, r] of [['as decided', auto], [`fused ×${widest}`, fused], ['per op', perOp]] as const) {
  console.log(`   ${name.padEnd(16)} ${fmt(r.ms, 2).padStart(7)} ms/epoch  ${fmt(r.dispatchesPerStep, 2).padStart(6)} dispatches/step  ${fmt(r.submitsPerStep, 4)} submits/step  → 1500 epochs ≈ ${fmt((r.ms * 1500) / 1000)} s`);
}
console.log(`   as decided is ${fmt(perOp.ms / auto.ms, 2)}× per op's speed and ${fmt(fused.ms / auto.ms, 2)}× fused ×${widest}'s (dispatches per step include each epoch's evaluation, shared over its steps)\n`);

console.log('2. ml-latest-small, full batch, split 0.8 by time, 2 heads, 3 layers (median of 5 epochs after one warm-up)');
const parsed = parseMlSmall();
console.log(`   parse (median of ${REPEATS}): movies.csv ${fmt(parsed.moviesMs, 0)} ms + ratings.csv ${fmt(parsed.ratingsMs, 0)} ms = ${fmt(parsed.moviesMs + parsed.ratingsMs, 0)} ms for ${fmt(parsed.bytes / 2 ** 20, 1)} MiB of text, ${parsed.ratings.rating.length} ratings`);
for (const hidden of [12, 64]) {
  const r = await fullBatch(gpu, kernels, counts, parsed.ratings, hidden, true);
  console.log(`   hidden ${hidden}: ${r.nodes} nodes, ${r.edges} edges (both directions), ${r.labels} supervised ratings; first loss ${fmt(r.loss, 3)}`);
  console.log(`     epoch ${fmt(r.total, 0)} ms = forward+loss ${fmt(r.forward, 0)} + backward ${fmt(r.backward, 0)} + Adam ${fmt(r.adam, 1)}; ${r.dispatchesPerStep} dispatches, 3 submits per step as measured (1 in training)`);
  console.log(`     evaluation (forward + exact top-20 + Recall@20) ${fmt(r.evalMs, 0)} ms, ${describeFusion(r.evalFusion!, EVALS_TIMED)}; peak GPU memory ${fmt(r.peakMiB, 1)} MiB`);
  console.log(`     float64 CPU reference, one epoch: ${fmt(r.referenceMs, 0)} ms = ${fmt(r.referenceMs / r.total, 1)}× the GPU epoch`);
}

const { restarts: R, steps: T, expansions: E } = SEARCH_DEFAULTS;
console.log(`\n3. KNN-MIPS (R ${R}, T ${T}, E ${E}) against the exact top-K on ml-latest-small's hidden-64 embeddings after ${KNN_EPOCHS} epochs`);
const knn = await knnMipsRow(gpu, kernels, parsed.ratings);
console.log(`   training through the Trainer: ${fmt(knn.trainMs, 0)} ms per epoch (${KNN_EPOCHS} epochs in one chunk, with one evaluation after the last)`);
console.log(`   item graph of ${knn.items} movies × E ${E} built in ${fmt(knn.buildMs, 0)} ms (once per set of embeddings)`);
console.log(`   recall of KNN-MIPS against the exact top-${knn.k}: ${fmt(knn.recall, 3)} (mean over ${knn.users} users); the exact lists are the evaluator's: ${knn.sameAsEvaluator}`);
console.log(`   search for all ${knn.users} users (median of 3 after one warm-up): KNN-MIPS ${fmt(knn.knnMs, 1)} ms vs exact ${fmt(knn.exactMs, 1)} ms = ${fmt(knn.exactMs / knn.knnMs, 2)}× faster`);
process.exit(0);
