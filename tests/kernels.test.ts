// Every WGSL kernel, run on a real WebGPU implementation (Dawn on SwiftShader here), against its
// float64 twin in src/reference/kernels.ts. Each kernel is dispatched alone on inputs read back
// from the GPU, so a mismatch points at that kernel and not at an earlier one.
import { describe, expect, it } from 'vitest';
import { submitPass } from '../src/gpu/kernels';
import { KERNEL_SIZES } from '../src/gpu/kernelSizes';
import { readFloats, storageWith } from '../src/gpu/buffers';
import { countsOf, packGraph, setStepFields } from '../src/gpu/graphBuffer';
import { adamFactors, ModelOnGpu, Workspace } from '../src/model/gpuModel';
import { featureBuffer } from '../src/model/inputs';
import { blockOf, flatLayout, initParams, type ModelShape } from '../src/model/params';
import { denseItems, denseUsers } from '../src/graph/features';
import type { Features } from '../src/graph/types';
import * as ref from '../src/reference/kernels';
import { adamStep } from '../src/reference/adam';
import { Rng } from '../src/util/rng';
import { openGpu } from './helpers/gpu';
import { randomGraph } from './helpers/randomGraph';

const { gpu, kernels } = await openGpu();

/**
 * Worst absolute error over `scale`, the largest |want| unless given: a sum whose terms cancel
 * (d a_dst is mathematically near 0) is measured against the size of its terms instead.
 */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2e-5, scaleOf?: number) {
  expect(got.length, `${what}: length`).toBeGreaterThanOrEqual(want.length);
  let scale = scaleOf ?? 1e-6;
  if (scaleOf === undefined) for (let k = 0; k < want.length; k++) scale = Math.max(scale, Math.abs(want[k]));
  let worst = 0;
  let at = -1;
  for (let k = 0; k < want.length; k++) {
    const err = Math.abs(got[k] - want[k]);
    if (!(err <= worst)) {
      worst = err;
      at = k;
    }
  }
  expect(worst / scale, `${what}: worst error ${worst} at ${at} (got ${got[at]}, want ${want[at]}, scale ${scale})`).toBeLessThan(rel);
}

/** Runs one dispatch in its own submit. */
async function run(encode: (pass: GPUComputePassEncoder) => void) {
  submitPass(gpu.device, encode);
  await gpu.device.queue.onSubmittedWorkDone();
}

// oneHotUsers, oneHotItems: that type's input is one-hot (the seed's users; items as ID
// embeddings), which layer 1 reads as a column of W and whose W gradient it scatters into
// columns; the reference multiplies the identity as PyG does.
const cases = [
  { heads: 1, hidden: 4, layers: 2, users: 12, items: 9, hubDegree: 40, batch: false, oneHotUsers: false, oneHotItems: false },
  // 700 labels: three partial losses, and the hub's pairs span several pieces of the incidence lists.
  // A batch holds some of the dataset's users: the others' W columns get a zero gradient.
  { heads: 2, hidden: 5, layers: 2, users: 30, items: 400, hubDegree: 300, batch: true, labels: 700, oneHotUsers: true, oneHotItems: false },
  { heads: 3, hidden: 3, layers: 3, users: 8, items: 6, hubDegree: 20, batch: false, oneHotUsers: true, oneHotItems: false },
  // One-hot items beside dense users, in a batch that holds half the dataset's items.
  { heads: 2, hidden: 5, layers: 2, users: 20, items: 30, hubDegree: 40, batch: true, oneHotUsers: false, oneHotItems: true },
  // Both one-hot: the features buffer is empty.
  { heads: 1, hidden: 4, layers: 3, users: 9, items: 11, hubDegree: 20, batch: true, oneHotUsers: true, oneHotItems: true },
];

/** Features of the dataset's nodes, and the dense matrix the reference multiplies (rows of the wider type, users first). */
function inputsOf(rng: Rng, datasetUsers: number, datasetItems: number, oneHotUsers: boolean, oneHotItems: boolean) {
  const userDim = oneHotUsers ? datasetUsers : 4;
  const itemDim = oneHotItems ? datasetItems : 7;
  const item = new Float32Array(oneHotItems ? 0 : datasetItems * itemDim).map(() => rng.normal());
  const user = new Float32Array(oneHotUsers ? 0 : datasetUsers * userDim).map(() => rng.normal());
  const kind = (oneHot: boolean) => (oneHot ? 'onehot' : 'dense');
  const features: Features = { userDim, itemDim, userKind: kind(oneHotUsers), itemKind: kind(oneHotItems), user, item };
  const stride = Math.max(userDim, itemDim);
  const X = new Float32Array((datasetUsers + datasetItems) * stride);
  const users = denseUsers(features);
  const items = denseItems(features);
  for (let u = 0; u < datasetUsers; u++) X.set(users.subarray(u * userDim, (u + 1) * userDim), u * stride);
  for (let i = 0; i < datasetItems; i++) X.set(items.subarray(i * itemDim, (i + 1) * itemDim), (datasetUsers + i) * stride);
  return { features, X, stride };
}

describe.each(cases)('kernels, $heads head(s), C=$hidden, $users users × $items items, batch=$batch, one-hot users=$oneHotUsers, items=$oneHotItems', (c) => {
  it('forward, loss, backward and Adam each match the float64 reference', async () => {
    const { device } = gpu;
    const { graph, datasetUsers, datasetItems } = randomGraph(c.heads * 100 + c.users, c);
    const rng = new Rng(7);
    const { features: input, X: features, stride } = inputsOf(rng, datasetUsers, datasetItems, c.oneHotUsers, c.oneHotItems);
    const shape: ModelShape = { layers: c.layers, hidden: c.hidden, heads: c.heads, userDim: input.userDim, itemDim: input.itemDim };
    // Larger than PyG's init so that the ReLUs and the LeakyReLU see both signs.
    const params = initParams(shape, rng).map((v) => v * 3 + 0.05 * rng.normal());
    const placed = featureBuffer(input);
    expect(placed.data.length, 'no rows of a one-hot type, no padding').toBe((c.oneHotUsers ? 0 : datasetUsers * 4) + (c.oneHotItems ? 0 : datasetItems * 7));
    const model = new ModelOnGpu(device, kernels, shape, params, placed.layout);
    const counts = countsOf(graph);
    if (c.batch) expect(counts.users, 'a batch of some users').toBeLessThan(datasetUsers);
    const ws = new Workspace(model, storageWith(device, 'features', placed.data), { ...counts, lossSlots: 4 });
    const packed = packGraph(graph);
    const first = adamFactors(0.01, 1);
    setStepFields(packed, 0, 2, first.stepSize, first.bias2Sqrt);
    device.queue.writeBuffer(ws.graph, 0, packed);
    expect(graph.dstPtr.some((p, n) => n > 0 && p === graph.dstPtr[n - 1]), 'an empty segment').toBe(true);
    expect(Math.max(...graph.dstPtr.slice(1).map((p, n) => p - graph.dstPtr[n])), 'a large segment').toBeGreaterThan(c.hubDegree - 1);
    if ('labels' in c) {
      // Segments longer than a piece of the two-stage sums, through every kind of segment.
      expect(c.hubDegree).toBeGreaterThan(2 * KERNEL_SIZES.segment);
      expect(c.labels).toBeGreaterThan(2 * KERNEL_SIZES.lossChunk);
      expect(Math.max(...graph.labPtr.slice(1).map((p, n) => p - graph.labPtr[n])), 'a node in many pairs').toBeGreaterThan(2 * KERNEL_SIZES.segment);
      // Parameter gradients of both kinds: the users' one chunk written by stage 1, the items' chunks added by stage 2.
      expect(counts.users).toBeLessThanOrEqual(KERNEL_SIZES.gradChunk);
      expect(counts.nodes - counts.users).toBeGreaterThan(KERNEL_SIZES.gradChunk);
    }

    const { heads: H, hidden: C } = shape;
    const R = 2 * H * C + C;
    const N = counts.nodes;
    const layout = flatLayout(shape);
    const desc = (l: number): ref.LayerDesc => ({
      heads: H, channels: C, rows: R, indirect: l === 0, xStride: l === 0 ? stride : C,
      fUser: l === 0 ? shape.userDim : C, fItem: l === 0 ? shape.itemDim : C,
      blockUser: blockOf(layout, l + 1, 'user').w, blockItem: blockOf(layout, l + 1, 'item').w,
    });
    const read = (b: GPUBuffer, n: number) => readFloats(device, b, n);
    const arena = (offset: number, n: number) => readFloats(device, ws.arena, n, offset);
    const o = ws.layout;
    const E = counts.edges;

    // Forward, layer by layer.
    for (let l = 0; l < c.layers; l++) {
      const d = desc(l);
      const a = o.layers[l];
      const X = l === 0 ? features : await arena(o.layers[l - 1].out, N * C);
      await run((p) => ws.dispatchOp(p, 'project', l, counts));
      const Y = await arena(a.y, N * R);
      expectClose(Y, ref.refProject(graph, d, params, X), `layer ${l + 1} project`);
      await run((p) => ws.dispatchOp(p, 'attention_scores', l, counts));
      const scores = await arena(a.scores, N * 2 * H);
      expectClose(scores, ref.refScores(graph, d, params, Y), `layer ${l + 1} attention_scores`);
      await run((p) => ws.dispatchOp(p, 'edge_softmax', l, counts));
      const alpha = await arena(a.alpha, E * H);
      expectClose(alpha, ref.refSoftmax(graph, d, scores), `layer ${l + 1} edge_softmax`);
      await run((p) => ws.dispatchOp(p, 'aggregate', l, counts));
      expectClose(await arena(a.out, N * C), ref.refAggregate(graph, d, params, Y, alpha), `layer ${l + 1} aggregate`);
    }

    // Decoder and loss.
    const h = await ws.readEmbeddings(N);
    await run((p) => ws.encodeLoss(p, counts));
    const want = ref.refDecodeLoss(graph, C, h);
    const pred = await ws.readPredictions(counts.labels);
    expectClose(pred, want.pred, 'decode_loss predictions');
    expectClose([(await ws.readLosses(4))[2]], [want.loss], 'decode_loss loss (slot 2)');
    await run((p) => ws.dispatchOp(p, 'decode_backward', c.layers - 1, counts));
    expectClose(await arena(o.layers[c.layers - 1].gPre, N * C), ref.refDecodeBackward(graph, C, h, pred), 'decode_backward');

    // Backward, layer by layer. The gradients are overwritten, not accumulated: stale values first.
    device.queue.writeBuffer(model.opt, 0, new Float32Array(model.size).fill(7));
    const grads = new Float64Array(model.size);
    for (let l = c.layers - 1; l >= 0; l--) {
      const d = desc(l);
      const a = o.layers[l];
      const [Y, scores, alpha, gPre] = await Promise.all([
        arena(a.y, N * R), arena(a.scores, N * 2 * H), arena(a.alpha, E * H), arena(a.gPre, N * C),
      ]);
      const X = l === 0 ? features : await arena(o.layers[l - 1].out, N * C);
      expect(gPre.some((v) => v !== 0), `layer ${l + 1}: some gradient reaches it`).toBe(true);
      await run((p) => ws.dispatchOp(p, 'softmax_backward', l, counts));
      const sb = ref.refSoftmaxBackward(graph, d, Y, scores, alpha, gPre);
      const ds = await arena(o.ds, E * H);
      expectClose(ds, sb.ds, `layer ${l + 1} softmax_backward ds`);
      const dScoresAfterSoftmax = await arena(o.dScores, N * 2 * H);
      const termSize = Math.max(...Array.from(graph.dstPtr.slice(1), (p1, i) => {
        let s = 0;
        for (let e = graph.dstPtr[i]; e < p1; e++) for (let hh = 0; hh < H; hh++) s += Math.abs(sb.ds[e * H + hh]);
        return s;
      }));
      const dstHalf = (a: Float32Array | Float64Array) => a.filter((_, k) => k % (2 * H) >= H);
      expectClose(dstHalf(dScoresAfterSoftmax), dstHalf(sb.dScores), `layer ${l + 1} softmax_backward dScores`, 2e-5, termSize);
      await run((p) => ws.dispatchOp(p, 'aggregate_backward', l, counts));
      const ab = ref.refAggregateBackward(graph, d, params, alpha, ds, gPre, dScoresAfterSoftmax);
      const dY = await arena(o.dY, N * R);
      const dScores = await arena(o.dScores, N * 2 * H);
      expectClose(dY, ab.dY, `layer ${l + 1} aggregate_backward dY`);
      expectClose(dScores, ab.dScores, `layer ${l + 1} aggregate_backward dScores`);
      await run((p) => ws.dispatchOp(p, 'param_grads', l, counts));
      const start = model.layerStarts[l];
      const got = (await model.readGrads()).subarray(start, start + model.layerSizes[l]);
      const wantGrads = ref.refParamGrads(graph, d, X, Y, gPre, dY, dScores);
      expectClose(got, wantGrads, `layer ${l + 1} param_grads`);
      grads.set(got, start);
      if (l > 0) {
        await run((p) => ws.dispatchOp(p, 'input_backward', l, counts));
        expectClose(await arena(a.gPrev, N * C), ref.refInputBackward(graph, d, params, X, dY), `layer ${l + 1} input_backward`);
      }
    }

    // Adam, from non-zero moments, at step t = 3.
    const m = new Float32Array(model.size).map(() => 0.01 * rng.normal());
    const v = new Float32Array(model.size).map(() => 1e-4 * rng.float());
    device.queue.writeBuffer(model.opt, model.size * 4, m);
    device.queue.writeBuffer(model.opt, model.size * 8, v);
    const t = 3;
    const lr = 0.01;
    const { stepSize, bias2Sqrt } = adamFactors(lr, t);
    setStepFields(packed, 0, 0, stepSize, bias2Sqrt);
    device.queue.writeBuffer(ws.graph, 0, packed);
    await run((p) => model.encodeAdam(p, ws));
    const p64 = Float64Array.from(params);
    const m64 = Float64Array.from(m);
    const v64 = Float64Array.from(v);
    adamStep(p64, await model.readGrads(), { m: m64, v: v64, step: t - 1 }, { lr });
    expectClose(await model.readParams(), p64, 'adam_step params', 1e-5);
    expectClose(await read(model.opt, model.size * 2), [...grads, ...m64], 'adam_step m');
    ws.destroy();
    model.destroy();
  });
});

/** `real`, recording the entry point of each pipeline a compute pass sets (labels `gatlab.<entry>`). */
function recordingEncoder(real: GPUCommandEncoder, names: string[]): GPUCommandEncoder {
  return {
    copyBufferToBuffer: (a: GPUBuffer, ao: number, b: GPUBuffer, bo: number, n: number) => real.copyBufferToBuffer(a, ao, b, bo, n),
    beginComputePass: () => {
      const pass = real.beginComputePass();
      return {
        setPipeline: (p: GPUComputePipeline) => {
          names.push(p.label.replace(/^gatlab\./, ''));
          pass.setPipeline(p);
        },
        setBindGroup: (i: number, g: GPUBindGroup) => pass.setBindGroup(i, g),
        dispatchWorkgroups: (x: number, y?: number, z?: number) => pass.dispatchWorkgroups(x, y, z),
        end: () => pass.end(),
      };
    },
  } as unknown as GPUCommandEncoder;
}

describe('top_k and Recall@K', () => {
  // Each case runs per op and fused at every width: the same top-K and the same Recall@K bits.
  // 400 users make 7 partials of Recall@K (RECALL_CHUNK users each); 4,100 users make 65, whose
  // stages add runs of at most RECALL_CHUNK (2 sums, then the recall); 700 items make three segments
  // whose lists the merge joins. "tied": every embedding is the same (zero weights, equal biases),
  // so every score ties and the order is the item order.
  it.each([
    [1, 25, 30, false],
    [3, 400, 30, false],
    [3, 4100, 30, false],
    [20, 25, 30, false],
    [20, 400, 30, false],
    [20, 40, 700, false],
    [7, 40, 700, true],
  ])('match exact search with K = %i, %i users, %i items (tied: %s): exclusions, ties and padding', async (k, users, items, tied) => {
    const { device } = gpu;
    const { graph } = randomGraph(k, { users, items, hubDegree: 26, batch: false });
    const rng = new Rng(11);
    const shape: ModelShape = { layers: 2, hidden: 6, heads: 2, userDim: 4, itemDim: 4 };
    const features = new Float32Array((graph.numUsers + graph.numItems) * 4).map(() => rng.normal());
    // Items 23 and 29 have no edges and the same features (with 30 items): equal embeddings, a tie to break.
    const row = (item: number) => (graph.numUsers + item) * 4;
    features.copyWithin(row(29), row(23), row(23) + 4);
    const params = initParams(shape, rng);
    if (tied) {
      params.fill(0);
      for (const b of flatLayout(shape).blocks) params.fill(0.5, b.skipBias, b.skipBias + shape.hidden);
    }
    // Dense users: rows of 4 for both types, users first.
    const model = new ModelOnGpu(device, kernels, shape, params, { oneHot: { user: false, item: false }, datasetUsers: graph.numUsers, xUser: 0, xItem: graph.numUsers * 4 });
    const featuresBuffer = storageWith(device, 'features', features);
    // Training items are the graph's edges (user 0 has rated 26 of 30 items: fewer than 20 left),
    // targets are random pairs.
    const ex: [number, number][] = [];
    for (let e = 0; e < graph.edgeSrc.length; e++) {
      if (graph.edgeSrc[e] < graph.numUsers) ex.push([graph.edgeSrc[e], graph.edgeDst[e] - graph.numUsers]);
    }
    const exclude = { user: Uint32Array.from(ex, (p) => p[0]), item: Uint32Array.from(ex, (p) => p[1]) };
    const tg: [number, number][] = Array.from({ length: users + 5 }, () => [rng.int(graph.numUsers), rng.int(graph.numItems)]);
    const targets = { user: Uint32Array.from(tg, (p) => p[0]), item: Uint32Array.from(tg, (p) => p[1]) };
    const { Evaluator } = await import('../src/train/evaluator');
    const { exactTopK, recallAtK } = await import('../src/reference/topk');
    const evaluator = new Evaluator(model, featuresBuffer, { ...graph, labelUser: new Uint32Array(0), labelItem: new Uint32Array(0), labelValue: new Float32Array(0), labPtr: new Uint32Array(graph.numUsers + graph.numItems + 1), labEdge: new Uint32Array(0) }, exclude, targets, k, 2);
    const paths = [null, ...kernels.fusedEvaluate];
    const recalls: number[] = [];
    const lists: number[][] = [];
    const perOp: string[] = [];
    for (const path of paths) {
      const encoder = device.createCommandEncoder();
      evaluator.encodePath(path ? encoder : recordingEncoder(encoder, perOp), 1, path);
      device.queue.submit([encoder.finish()]);
      recalls.push((await evaluator.readRecall(2))[1]);
      lists.push(Array.from(await evaluator.readTopK()));
    }
    const rerun = device.createCommandEncoder();
    evaluator.encodePath(rerun, 1, null);
    device.queue.submit([rerun.finish()]);
    recalls.push((await evaluator.readRecall(2))[1]);
    // Up to RECALL_CHUNK users the one partial is the recall: no later stage is dispatched.
    expect(perOp.includes('recall_total'), 'recall_total dispatched').toBe(users > KERNEL_SIZES.recallChunk);
    expect(recalls, 'per op, then fused at each width, then per op again').toEqual([...paths, null].map(() => recalls[0]));
    expect(lists.slice(1), 'fused at each width as per op').toEqual(lists.slice(1).map(() => lists[0]));
    const C = shape.hidden;
    const emb = await evaluator.workspace.readEmbeddings(graph.numUsers + graph.numItems);
    const want = exactTopK(emb.subarray(0, graph.numUsers * C), emb.subarray(graph.numUsers * C), C, k, ex);
    const got = await evaluator.readTopK();
    expect(Array.from(got)).toEqual(Array.from(want.index));
    const bothListed = Array.from({ length: graph.numUsers }, (_, u) => got.subarray(u * k, u * k + k)).some((r) => r.includes(23) && r.includes(29));
    if (k === 20 && items === 30) {
      expect(bothListed, 'both tied items listed').toBe(true);
      expect(got[k - 1], 'user 0 has fewer than 20 candidates: padded').toBe(-1);
    }
    if (tied) expect(Array.from(got.subarray(k, 2 * k)), 'all tied: the lowest items not excluded').toEqual(Array.from(got.subarray(k, 2 * k)).sort((a, b) => a - b));
    expect(recalls[0]).toBeCloseTo(recallAtK(want, tg), 6);
    evaluator.destroy();
    model.destroy();
  });
});
