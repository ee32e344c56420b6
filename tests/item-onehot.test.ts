// One-hot items (--features onehot, a learned vector per item): layer 1 reads W's column for an
// item and scatters its gradient into that column. On the GPU: the gradient of layer 1's item
// weights against central differences of the float64 reference's dense product (the identity as
// PyG multiplies it), and the fused and per-op paths giving the same bits.
import { describe, expect, it } from 'vitest';
import { submitPass } from '../src/gpu/kernels';
import { buildGraph } from '../src/graph/build';
import { denseItems, denseUsers } from '../src/graph/features';
import { toyRatings } from '../src/graph/toy';
import type { FeatureTable, Features, InputKind, Ratings } from '../src/graph/types';
import { blockOf, flatLayout, initParams, type ModelShape, namedFromFlat } from '../src/model/params';
import { type NamedParams, type ReferenceInput, referenceForward, referenceGradients } from '../src/reference/model';
import { ModelOnGraph } from '../src/train/modelOnGraph';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { Rng } from '../src/util/rng';
import { openGpu } from './helpers/gpu';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();

const named64 = (shape: ModelShape, flat: ArrayLike<number>): NamedParams =>
  Object.fromEntries(Object.entries(namedFromFlat(shape, flat)).map(([name, t]) => [name, t.data]));

/** Worst |got − want| over the largest |want| (or `floor`, when larger). */
function relError(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-12): number {
  let worst = 0;
  let scale = floor;
  for (let k = 0; k < want.length; k++) {
    worst = Math.max(worst, Math.abs(got[k] - want[k]));
    scale = Math.max(scale, Math.abs(want[k]));
  }
  return worst / scale;
}

describe('one-hot items: layer 1’s gradient on the GPU', () => {
  it.each<InputKind>(['dense', 'onehot'])('matches central differences of the dense float64 model (users %s)', async (userKind) => {
    const rng = new Rng(userKind === 'dense' ? 29 : 31);
    const numUsers = 5;
    const numItems = 7;
    const userDim = userKind === 'dense' ? 4 : numUsers;
    const shape: ModelShape = { layers: 2, hidden: 3, heads: 2, userDim, itemDim: numItems };
    // Item 6 has no edges: its column's gradient comes through its labels alone.
    const rated: [number, number][] = Array.from({ length: 14 }, (_, k) => [k % numUsers, rng.int(numItems - 1)]);
    const labelled: [number, number][] = [[0, 6], [3, 6], ...rated.slice(0, 8)];
    const pairs = (t: [number, number][]) => ({ user: Uint32Array.from(t, (p) => p[0]), item: Uint32Array.from(t, (p) => p[1]) });
    const labels = { ...pairs(labelled), value: Float32Array.from(labelled, () => 1 + rng.int(5)) };
    const graph = buildGraph({ numUsers, numItems, rates: pairs(rated), revRates: pairs(rated), labels });
    const features: Features = {
      userDim,
      itemDim: numItems,
      userKind,
      itemKind: 'onehot',
      user: new Float32Array(userKind === 'dense' ? numUsers * userDim : 0).map(() => rng.normal()),
      item: new Float32Array(0),
    };
    // Larger than PyG's init so that the ReLUs and the LeakyReLU see both signs; layer 1's item
    // skip bias leans positive so that its ReLU lets the edgeless item's gradient through.
    const params = initParams(shape, rng).map((v) => v * 3 + 0.05 * rng.normal());
    const first = blockOf(flatLayout(shape), 1, 'item');
    for (let c = 0; c < shape.hidden; c++) params[first.skipBias + c] += 1;

    const run = new ModelOnGraph(gpu, kernels, shape, params, features, graph, 1);
    const { workspace: ws, counts, model } = run;
    // Stale gradients first: the scatter must overwrite every column, not add to it.
    gpu.device.queue.writeBuffer(model.opt, 0, new Float32Array(model.size).fill(7));
    run.writeGraph(0, 0, 0);
    submitPass(gpu.device, (pass) => {
      ws.encodeForward(pass, counts);
      ws.encodeLoss(pass, counts);
      ws.encodeBackward(pass, counts);
    });
    const [loss] = await ws.readLosses(1);
    const grads = await model.readGrads();
    run.destroy();

    const input: ReferenceInput = {
      numUsers,
      numItems,
      xUser: Float64Array.from(denseUsers(features)),
      xItem: Float64Array.from(denseItems(features)),
      rates: rated,
      revRates: rated.map(([u, i]) => [i, u] as const),
      labelUser: labels.user,
      labelItem: labels.item,
      labels: labels.value,
    };
    const p64 = Float64Array.from(params);
    const want = referenceGradients(shape, named64(shape, p64), input);
    expect(Math.abs(loss - want.loss) / want.loss, 'loss').toBeLessThan(1e-5);
    // Every parameter against the reference's analytic gradient. Some are sums that cancel to
    // nearly 0 (a dst path's, where a destination's edges all pass the LeakyReLU): measured against
    // 1e-3 of the largest gradient, as tests/helpers/gradcheck.ts does.
    const gotNamed = named64(shape, grads);
    const overall = Math.max(...Object.values(want.grads).flatMap((g) => Array.from(g, Math.abs)));
    for (const [name, g] of Object.entries(want.grads)) {
      expect(relError(gotNamed[name], g, 1e-3 * overall), name).toBeLessThan(2e-5);
    }

    // Layer 1's item W (lin_src, lin_dst and the skip Linear's rows, a column per item) against central differences.
    const b = first;
    const step = 1e-6;
    const lossAt = (k: number, x: number) => {
      const keep = p64[k];
      p64[k] = x;
      const l = referenceForward(shape, named64(shape, p64), input).loss;
      p64[k] = keep;
      return l;
    };
    const w = Array.from({ length: b.rows * b.inDim }, (_, k) => b.w + k);
    const fd = w.map((k) => (lossAt(k, p64[k] + step) - lossAt(k, p64[k] - step)) / (2 * step));
    expect(Math.max(...fd.map(Math.abs)), 'some item column has a gradient').toBeGreaterThan(1e-3);
    const column6 = w.filter((_, k) => k % numItems === 6).map((k) => grads[k]);
    expect(column6.some((g) => g !== 0), 'the edgeless item’s column').toBe(true);
    expect(relError(w.map((k) => grads[k]), fd), 'lin_src, lin_dst and lin1 item weights').toBeLessThan(1e-4);
  });
});

async function train(ratings: Ratings, settings: Partial<RunSettings>, epochs: number, fuse: Trainer['fuse']) {
  const t = Trainer.create(gpu, kernels, ratings, { ...SEED_SETTINGS, features: 'onehot', ...settings });
  t.fuse = fuse;
  const metrics = await t.train(epochs);
  const params = await t.readParams();
  const { itemKind, userKind } = t.data.features;
  t.destroy();
  return { loss: metrics.map((m) => m.loss), recall: metrics.map((m) => m.recall), params: Array.from(params), kinds: [userKind, itemKind] };
}

/** Ratings with a user-features file of 3 columns (dense users beside one-hot items). */
function withUserFile(r: Ratings): Ratings {
  const rng = new Rng(3);
  const user: FeatureTable = { file: 'user-features.csv', columns: ['a', 'b', 'c'], rows: new Map(r.userNames.map((name) => [name, Float32Array.from({ length: 3 }, () => rng.normal())])) };
  return { ...r, featureFiles: { user } };
}

describe('one-hot items in training', () => {
  it('run the same arithmetic fused and per op, bit for bit, on the toy (one-hot users) and mini-batches of one rating', async () => {
    for (const batchSize of [1, 'full'] as const) {
      const perOp = await train(toyRatings(), { batchSize, negRatio: 1 }, 12, 'never');
      expect(perOp.kinds).toEqual(['onehot', 'onehot']);
      for (const fuse of ['always', 'auto'] as const) {
        const other = await train(toyRatings(), { batchSize, negRatio: 1 }, 12, fuse);
        expect(other.loss, `${batchSize} ${fuse}`).toEqual(perOp.loss);
        expect(other.recall, `${batchSize} ${fuse}`).toEqual(perOp.recall);
        expect(other.params, `${batchSize} ${fuse}`).toEqual(perOp.params);
      }
    }
  });

  it('run the same arithmetic fused and per op with dense users, on segments that cross the pieces; the same seed gives the same bits', async () => {
    const ratings = withUserFile(randomRatings(5, 8, 60, 300));
    const settings = { batchSize: 'full' as const, negRatio: 1, split: 0.8, k: 5, userFeatures: 'file' as const };
    const fused = await train(ratings, settings, 4, 'always');
    const perOp = await train(ratings, settings, 4, 'never');
    expect(perOp.kinds).toEqual(['dense', 'onehot']);
    expect(fused.loss).toEqual(perOp.loss);
    expect(fused.params).toEqual(perOp.params);
    expect((await train(ratings, settings, 4, 'always')).params).toEqual(fused.params);
    // It learns: the loss falls.
    expect(perOp.loss[3]).toBeLessThan(perOp.loss[0]);
  });
});
