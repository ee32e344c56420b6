// The three objectives on WebGPU (SwiftShader here): the loss kernels against their float64 twins
// (predictions, loss, dLoss/dpred and the decoder's backward) for MSE, BCE and BPR with and without
// its regulariser, on graphs whose pairs cross the two-stage sums' pieces; and whole runs, fused
// and per op, agreeing bit for bit for every objective.
import { describe, expect, it } from 'vitest';
import { submitPass } from '../src/gpu/kernels';
import { KERNEL_SIZES } from '../src/gpu/kernelSizes';
import { readFloats, storageWith } from '../src/gpu/buffers';
import { countsOf, packGraph } from '../src/gpu/graphBuffer';
import type { Objective } from '../src/gpu/layout';
import { toyRatings } from '../src/graph/toy';
import { ModelOnGpu, Workspace } from '../src/model/gpuModel';
import { featureBuffer } from '../src/model/inputs';
import { initParams, type ModelShape } from '../src/model/params';
import { refDecodeBackward, refDecodeLoss } from '../src/reference/kernels';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { Rng } from '../src/util/rng';
import { openGpu } from './helpers/gpu';
import { randomGraph } from './helpers/randomGraph';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2e-5) {
  expect(got.length, `${what}: length`).toBeGreaterThanOrEqual(want.length);
  let scale = 1e-6;
  for (let k = 0; k < want.length; k++) scale = Math.max(scale, Math.abs(want[k]));
  let worst = 0;
  for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]));
  expect(worst / scale, `${what}: worst error ${worst} (scale ${scale})`).toBeLessThan(rel);
}

const objectives: Objective[] = [
  { kind: 'mse', bprReg: 0 },
  { kind: 'bce', bprReg: 0 },
  { kind: 'bpr', bprReg: 0 },
  { kind: 'bpr', bprReg: 0.05 },
];

// 700 labels: three partial losses, and the hub's pairs span several pieces of the incidence lists.
const graphs = [
  { heads: 2, hidden: 5, layers: 2, users: 12, items: 9, hubDegree: 40, batch: false, labels: 12 },
  { heads: 2, hidden: 5, layers: 2, users: 30, items: 400, hubDegree: 300, batch: true, labels: 700 },
];

describe.each(objectives)('the $kind loss kernels (λ $bprReg)', (objective) => {
  it.each(graphs)('match the float64 reference with $labels labels', async (c) => {
    const { device } = gpu;
    const { graph, datasetUsers, datasetItems } = randomGraph(c.users + c.labels, c);
    if (c.labels > 12) expect(c.labels).toBeGreaterThan(2 * KERNEL_SIZES.lossChunk);
    // BCE's labels are 0 or 1 (a third negatives); BPR pairs label l with l + n/2 whatever the values.
    if (objective.kind === 'bce') graph.labelValue.forEach((_, l) => (graph.labelValue[l] = l % 3 === 0 ? 0 : 1));
    const rng = new Rng(17);
    const shape: ModelShape = { layers: c.layers, hidden: c.hidden, heads: c.heads, userDim: 4, itemDim: 7 };
    const placed = featureBuffer({
      userDim: shape.userDim,
      itemDim: shape.itemDim,
      userKind: 'dense',
      itemKind: 'dense',
      user: new Float32Array(datasetUsers * shape.userDim).map(() => rng.normal()),
      item: new Float32Array(datasetItems * shape.itemDim).map(() => rng.normal()),
    });
    // Larger than PyG's init so that predictions reach both tails of the sigmoid.
    const params = initParams(shape, rng).map((v) => v * 3 + 0.05 * rng.normal());
    const model = new ModelOnGpu(device, kernels, shape, params, placed.layout);
    const counts = countsOf(graph);
    const ws = new Workspace(model, storageWith(device, 'features', placed.data), { ...counts, lossSlots: 2 }, objective);
    device.queue.writeBuffer(ws.graph, 0, packGraph(graph));
    submitPass(device, (pass) => ws.encodeForward(pass, counts));
    const N = counts.nodes;
    const C = shape.hidden;
    const h = await ws.readEmbeddings(N);
    submitPass(device, (pass) => ws.encodeLoss(pass, counts));
    const want = refDecodeLoss(graph, C, h, objective);
    const pred = await ws.readPredictions(counts.labels);
    expectClose(pred, want.pred, 'predictions');
    const loss = (await ws.readLosses(1))[0];
    expectClose([loss], [want.loss], 'loss');
    expectClose(await readFloats(device, ws.arena, counts.labels, ws.layout.dPred), want.dPred, 'dLoss/dpred');
    submitPass(device, (pass) => ws.dispatchOp(pass, 'decode_backward', c.layers - 1, counts));
    const gPre = await readFloats(device, ws.arena, N * C, ws.layout.layers[c.layers - 1].gPre);
    const wantGrad = refDecodeBackward(graph, C, h, pred, objective);
    expect(wantGrad.some((g) => g !== 0)).toBe(true);
    expectClose(gPre, wantGrad, 'decode_backward');
    ws.destroy();
    model.destroy();
  });
});

async function run(settings: Partial<RunSettings>, epochs: number, fuse: Trainer['fuse'], ratings = toyRatings()) {
  const t = Trainer.create(gpu, kernels, ratings, { ...SEED_SETTINGS, ...settings });
  t.fuse = fuse;
  const metrics = await t.train(epochs);
  const params = await t.readParams();
  t.destroy();
  return { losses: metrics.map((m) => m.loss), params: Array.from(params) };
}

describe('training with each objective', () => {
  it.each([
    ['bce', { loss: 'bce', negRatio: 1 }],
    ['bpr', { loss: 'bpr' }],
    ['bpr with its regulariser', { loss: 'bpr', bprReg: 0.01 }],
  ] as const)('runs the same arithmetic fused and per op (%s), and the loss falls', async (_, settings) => {
    // 8 users with about 37 ratings each: their pairs span more than one piece.
    const ratings = randomRatings(5, 8, 60, 300);
    for (const batchSize of [4, 'full'] as const) {
      const s = { ...settings, batchSize, split: 0.8, k: 5, lr: 0.01 };
      const fused = await run(s, 6, 'always', ratings);
      const perOp = await run(s, 6, 'never', ratings);
      expect(fused.losses).toEqual(perOp.losses);
      expect(fused.params).toEqual(perOp.params);
      expect(fused.losses.every(Number.isFinite)).toBe(true);
      expect(fused.losses.at(-1)!).toBeLessThan(fused.losses[0]);
    }
  });

  it('gives a different run from the seed’s MSE, and the toy’s default run is the MSE one', async () => {
    const mse = await run({}, 5, 'auto');
    const explicit = await run({ loss: 'mse', bprReg: 0.5 }, 5, 'auto');
    const bpr = await run({ loss: 'bpr' }, 5, 'auto');
    expect(explicit).toEqual(mse);
    expect(bpr.params).not.toEqual(mse.params);
  });
});
