// `npm run bench:onehot`: what one-hot users cost now that layer 1 reads them as columns of its
// weights (issue 8), and with --features onehot one-hot items beside them (issue 10). Prints, on whatever adapter Node finds (SwiftShader without a GPU):
//   1. a dataset of 10,000 users and 10,000 ratings (one each, over 2,000 items, popular items
//      more often), hidden 12: the buffers, then ms per epoch at full batch (the real-data
//      default) and, with --mini-batch, at the seed's default batch size 1 (8,000 steps an epoch);
//   2. the seed's toy run at its defaults: ms per epoch, as `npm run bench` times it.
// Training epochs and the evaluation (forward, exact top-K over every item, Recall@K) are timed
// apart: the evaluation of 10,000 users × 2,000 items is not part of a training step.
//
//   node --import ./bin/register.mjs bench/onehot.ts [--users 10000] [--epochs 3] [--mini-batch] [--features seed|onehot]
import { parseFlags } from '../src/cli/args';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { createGpu, type Gpu } from '../src/gpu/device';
import { createKernels, type Kernels } from '../src/gpu/kernels';
import { installNodeWebGPU } from '../src/gpu/node';
import { parseRatingsCsv } from '../src/graph/csv';
import { formatBytes, gpuBufferSizes } from '../src/graph/gpuSize';
import { toyRatings } from '../src/graph/toy';
import type { Ratings } from '../src/graph/types';
import { gpuCounts } from '../src/train/prepare';
import { REAL_DATA_SETTINGS, SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { Rng } from '../src/util/rng';

const { choice, rest } = takeAdapterFlag(process.argv.slice(2), 'bench:onehot');
const spec = { value: true, help: '' };
const { flags } = parseFlags(rest, { users: spec, epochs: spec, features: spec, 'mini-batch': { value: false, help: '' } }, 'bench:onehot');
const USERS = Number(flags.users ?? 10_000);
const EPOCHS = Number(flags.epochs ?? 3);
const ITEMS = 2_000;

/** One rating per user, items drawn with a skew toward the first (as a sample of Netflix's rows). */
function manyUsers(users: number): Ratings {
  const rng = new Rng(1);
  const rows = ['userId,movieId,rating,timestamp'];
  for (let u = 0; u < users; u++) rows.push(`${u},${Math.floor(ITEMS * rng.float() ** 2)},${1 + rng.int(5)},${u}`);
  return parseRatingsCsv(rows.join('\n'), 'many-users.csv');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median wall ms of a training epoch and of an evaluation (forward, exact top-K, Recall@K), after
 * one untimed epoch (pipelines, the fuse decision), and the process's CPU ms (SwiftShader's threads
 * included) per training epoch: on a shared machine the wall time counts other processes' load, the
 * CPU time much less. The epochs are trained with no evaluation but the one train() always runs at
 * its end, so a training epoch is (train(epochs) − one evaluation) / epochs, the evaluation timed
 * alone `epochs` times (its CPU time taken out of the epochs' too).
 */
async function msPerEpoch(gpu: Gpu, kernels: Kernels, ratings: Ratings, settings: RunSettings, epochs: number) {
  const t0 = performance.now();
  const trainer = Trainer.create(gpu, kernels, ratings, { ...settings, evalEvery: Number.MAX_SAFE_INTEGER });
  const createMs = performance.now() - t0;
  await trainer.train(1);
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const evalMs: number[] = [];
  const evalCpu0 = cpuNow();
  for (let e = 0; e < epochs; e++) {
    const t = performance.now();
    await trainer.evaluate();
    evalMs.push(performance.now() - t);
  }
  const evaluation = median(evalMs);
  const evalCpuMs = (cpuNow() - evalCpu0) / epochs;
  const cpu0 = cpuNow();
  const t = performance.now();
  await trainer.train(epochs);
  const ms = (performance.now() - t - evaluation) / epochs;
  const cpuMs = (cpuNow() - cpu0 - evalCpuMs) / epochs;
  const result = { ms, evalMs: evaluation, evalCpuMs, cpuMs, createMs, steps: trainer.stepsPerEpoch, loss: trainer.history.at(-1)!.loss, data: trainer.data };
  trainer.destroy();
  return result;
}

await installNodeWebGPU(choice);
const gpu = await createGpu();
const kernels = await createKernels(gpu.device);
console.log(`adapter: ${gpu.adapterName}`);

const ratings = manyUsers(USERS);
const features = flags.features === 'onehot' ? 'onehot' : 'seed';
const full: RunSettings = { ...SEED_SETTINGS, ...REAL_DATA_SETTINGS, hidden: 12, features };
const run = await msPerEpoch(gpu, kernels, ratings, full, EPOCHS);
const { numUsers, numItems } = run.data;
console.log(`\n1. ${numUsers.toLocaleString('en-US')} users, ${numItems.toLocaleString('en-US')} items (features ${features}), ${ratings.user.length.toLocaleString('en-US')} ratings, hidden 12, ${full.heads} heads, ${full.layers} layers`);
for (const b of gpuBufferSizes(gpuCounts(run.data, full))) console.log(`   ${b.name.padEnd(9)} ${formatBytes(b.bytes).padStart(10)}  ${b.what}`);
console.log(`   (users one-hot as rows, padded to the wider type, the features would be ${formatBytes((numUsers + numItems) * numUsers * 4)})`);
console.log(`   full batch (${run.steps} step an epoch): training ${run.ms.toFixed(0)} ms per epoch (mean of ${EPOCHS}), ${run.cpuMs.toFixed(0)} ms of CPU; evaluation (Recall@${full.k} over every user and item) ${run.evalMs.toFixed(0)} ms (median of ${EPOCHS}), ${run.evalCpuMs.toFixed(0)} ms of CPU; set-up ${run.createMs.toFixed(0)} ms; loss ${run.loss.toFixed(4)}`);
if (flags['mini-batch'] === true) {
  const mini: RunSettings = { ...full, batchSize: SEED_SETTINGS.batchSize, neighbors: SEED_SETTINGS.neighbors };
  const m = await msPerEpoch(gpu, kernels, ratings, mini, 1);
  console.log(`   mini-batch, the seed's batch size ${mini.batchSize} (${m.steps} steps an epoch): training ${m.ms.toFixed(0)} ms per epoch, ${m.cpuMs.toFixed(0)} ms of CPU, evaluation ${m.evalMs.toFixed(0)} ms; loss ${m.loss.toFixed(4)}`);
}

const toy = await msPerEpoch(gpu, kernels, toyRatings(), SEED_SETTINGS, 256);
console.log(`\n2. the toy at the seed's defaults (${toy.steps} steps an epoch): training ${toy.ms.toFixed(3)} ms per epoch (mean of 256), ${toy.cpuMs.toFixed(3)} ms of CPU; evaluation ${toy.evalMs.toFixed(3)} ms`);
