// What the per-op plan does with a hub. On a star graph (one user who rated two movies 4,096 times
// each way, and 4,096 supervision pairs of that user), every kernel that reads edges or pairs is
// dispatched over pieces of at most SEG slots (LOSS_CHUNK pairs, GRAD_CHUNK nodes), so the hub's
// 4,096 incoming edges are spread over 128 invocations per head or tile of channels instead of
// walked by one; the node-wise stages that finish the hub read its 128 pieces' partials. What this
// proves: the plan spreads the hub (a kernel dispatched per node here gets 64 invocations, not the
// hundreds asked), and every kernel of a step is accounted for. What it does not: that each
// invocation keeps to its piece; tests/kernels.test.ts holds the kernels to the float64 reference
// on graphs whose segments cross pieces, and their sums to a fixed order.
import { describe, expect, it } from 'vitest';
import { countsOf, packGraph } from '../src/gpu/graphBuffer';
import { KERNEL_SIZES, lossScratch } from '../src/gpu/kernelSizes';
import { tiles } from '../src/gpu/layout';
import type { KernelName } from '../src/gpu/shaders';
import { buildGraph } from '../src/graph/build';
import { ModelOnGpu, Workspace } from '../src/model/gpuModel';
import { initParams, type ModelShape } from '../src/model/params';
import { Rng } from '../src/util/rng';
import { storageWith } from '../src/gpu/buffers';
import { refDecodeLoss } from '../src/reference/kernels';
import { openGpu } from './helpers/gpu';

const { gpu, kernels } = await openGpu();

const DEGREE = 4096;

/** A pass that records each dispatch's kernel (its pipeline's label, `gatlab.<entry>`) and invocations. */
function recordingPass() {
  const dispatched: { name: string; invocations: number }[] = [];
  let current = '';
  const pass = {
    setPipeline: (p: GPUComputePipeline) => {
      current = p.label.replace(/^gatlab\./, '');
    },
    setBindGroup: () => {},
    dispatchWorkgroups: (x: number, y = 1, z = 1) => {
      dispatched.push({ name: current, invocations: x * y * z * KERNEL_SIZES.workgroup });
    },
  } as unknown as GPUComputePassEncoder;
  return { pass, dispatched };
}

describe('the per-op plan on a star graph', () => {
  it('spreads every sum over a hub’s 4,096 edges and pairs across pieces; the loss’s later stage is one workgroup over its 16 partials', () => {
    const half = (k: number) => k % 2;
    const rates = { user: new Uint32Array(DEGREE), item: Uint32Array.from({ length: DEGREE }, (_, k) => half(k)) };
    const labels = { user: new Uint32Array(DEGREE), item: Uint32Array.from({ length: DEGREE }, (_, k) => half(k)), value: new Float32Array(DEGREE).fill(3) };
    const graph = buildGraph({ numUsers: 1, numItems: 2, rates, revRates: rates, labels });
    const c = countsOf(graph);
    const shape: ModelShape = { layers: 2, hidden: 8, heads: 2, userDim: 4, itemDim: 4 };
    const { heads: H, hidden: C } = shape;
    const model = new ModelOnGpu(gpu.device, kernels, shape, initParams(shape, new Rng(1)), { oneHot: { user: false, item: false }, datasetUsers: 1, xUser: 0, xItem: 4 });
    const features = storageWith(gpu.device, 'features', new Float32Array(3 * 4));
    const ws = new Workspace(model, features, { ...c, lossSlots: 1 });
    const { pass, dispatched } = recordingPass();
    ws.encodeTrainStep(pass, c);

    const { segment, lossChunk } = KERNEL_SIZES;
    const pieces = Math.ceil(c.edges / segment);
    const labelPieces = Math.ceil((2 * c.labels) / segment);
    // The least invocations each kernel that reads edges or pairs must get: one per piece (and head or tile).
    const spread: Partial<Record<KernelName, number>> = {
      edge_softmax: pieces * H,
      edge_softmax_crossing: pieces * H,
      aggregate_pieces: pieces * tiles(C),
      softmax_backward: pieces * H,
      softmax_backward_bend_pieces: pieces * H,
      aggregate_backward_pieces: pieces * H * tiles(C),
      decode_backward_pieces: labelPieces * tiles(C),
      decode_loss: Math.ceil(c.labels / lossChunk),
    };
    // Per node, per (node, head) or per parameter: they read a node's own rows and its pieces' partials, never its edges.
    const perNode: KernelName[] = ['project', 'attention_scores', 'edge_softmax_merge', 'aggregate', 'softmax_backward_dot_nodes', 'softmax_backward_bend_nodes', 'aggregate_backward', 'decode_backward', 'input_backward', 'param_grad_partials', 'param_grads', 'adam_step'];
    expect(c.edges).toBe(2 * DEGREE);
    // A kernel dispatched per (node, head, tile) on these 3 nodes would get one workgroup: fewer than any piece-wise one asks.
    const perNodeInvocations = Math.ceil((c.nodes * H * tiles(C)) / KERNEL_SIZES.workgroup) * KERNEL_SIZES.workgroup;
    const { decode_loss: _, ...pieceWise } = spread;
    expect(Math.min(...Object.values(pieceWise))).toBeGreaterThan(perNodeInvocations);
    for (const d of dispatched) {
      if (d.name === 'loss_total') {
        expect(d.invocations).toBe(KERNEL_SIZES.workgroup);
        continue;
      }
      const least = spread[d.name as KernelName];
      if (least !== undefined) expect(d.invocations, d.name).toBeGreaterThanOrEqual(least);
      else expect(perNode, `${d.name} is neither spread over pieces nor per node`).toContain(d.name);
    }
    // Its types have one chunk of GRAD_CHUNK nodes each: stage 1 writes the parameter gradients, no stage 2 runs.
    expect(Math.max(c.users, c.nodes - c.users)).toBeLessThanOrEqual(KERNEL_SIZES.gradChunk);
    expect(new Set(dispatched.map((d) => d.name))).toEqual(new Set([...Object.keys(spread), ...perNode.filter((k) => k !== 'param_grads'), 'loss_total']));
    expect(Math.ceil(c.labels / lossChunk)).toBe(16);
    ws.destroy();
    features.destroy();
    model.destroy();
  });
});

describe('the loss’s stages, chosen by the label count', () => {
  const shape: ModelShape = { layers: 1, hidden: 4, heads: 1, userDim: 4, itemDim: 4 };
  const inputs = { oneHot: { user: false, item: false }, datasetUsers: 3, xUser: 0, xItem: 12 };

  /** A model on a graph of 3 users and 4 items with `labels` supervision pairs, and one forward pass and loss, per op. */
  async function lossOf(labels: number, seed: number) {
    const rng = new Rng(seed);
    const rates = { user: Uint32Array.from([0, 1, 2, 0, 1]), item: Uint32Array.from([0, 1, 2, 3, 3]) };
    const pairs = { user: Uint32Array.from({ length: labels }, () => rng.int(3)), item: Uint32Array.from({ length: labels }, () => rng.int(4)), value: Float32Array.from({ length: labels }, () => 1 + rng.int(5)) };
    const graph = buildGraph({ numUsers: 3, numItems: 4, rates, revRates: rates, labels: pairs });
    const c = countsOf(graph);
    const model = new ModelOnGpu(gpu.device, kernels, shape, initParams(shape, new Rng(3)), inputs);
    const features = storageWith(gpu.device, 'features', new Float32Array(7 * 4).map(() => rng.normal()));
    const ws = new Workspace(model, features, { ...c, lossSlots: 1 });
    gpu.device.queue.writeBuffer(ws.graph, 0, packGraph(graph));
    const { pass, dispatched } = recordingPass();
    ws.encodeLoss(pass, c);
    const encoder = gpu.device.createCommandEncoder();
    const real = encoder.beginComputePass();
    ws.encodeForward(real, c);
    ws.encodeLoss(real, c);
    real.end();
    gpu.device.queue.submit([encoder.finish()]);
    const [loss] = await ws.readLosses(1);
    const want = refDecodeLoss(graph, shape.hidden, await ws.readEmbeddings(c.nodes)).loss;
    ws.destroy();
    features.destroy();
    model.destroy();
    return { loss, want, kernels: dispatched.map((d) => d.name) };
  }

  it('up to LOSS_CHUNK labels: the one partial is the loss, no later stage is dispatched', async () => {
    const { loss, want, kernels: names } = await lossOf(KERNEL_SIZES.lossChunk, 1);
    expect(names).toEqual(['decode_loss']);
    expect(lossScratch(KERNEL_SIZES.lossChunk)).toBe(0);
    expect(Math.abs(loss - want) / want).toBeLessThan(1e-5);
  });

  it('past LOSS_CHUNK² labels: two stages after the partials, no invocation adding more than LOSS_CHUNK terms; the float64 mean, the same bits on a rerun', async () => {
    const { lossChunk } = KERNEL_SIZES;
    const labels = lossChunk * lossChunk + 1;
    // 257 partials, then 2 sums of at most 256 of them, then the loss: the scratch holds the first two levels.
    expect(lossScratch(labels)).toBe(lossChunk + 1 + 2);
    const first = await lossOf(labels, 2);
    expect(first.kernels).toEqual(['decode_loss', 'loss_total']);
    expect(Math.abs(first.loss - first.want) / first.want).toBeLessThan(1e-5);
    const again = await lossOf(labels, 2);
    expect(again.loss).toBe(first.loss);
  }, 120_000);
});
