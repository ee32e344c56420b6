// Whether training steps run fused (a whole chunk of steps in one workgroup) or per op, and how
// wide the fused workgroup is: decided by timing both on this adapter the first time a step of a
// given size is seen, and kept while the process (or the page's worker) lives. Which path runs
// changes no bits (tests/trainer.test.ts), only the time.
import type { Gpu } from '../gpu/device';
import { countsOf, packGraph, setStepFields, type GraphCounts } from '../gpu/graphBuffer';
import { storageWith } from '../gpu/buffers';
import type { Kernels } from '../gpu/kernels';
import type { GraphArrays } from '../graph/types';
import { ModelOnGpu, Workspace } from '../model/gpuModel';
import type { InputLayout } from '../model/inputs';
import { flatLayout, type ModelShape } from '../model/params';

export interface FuseDecision {
  /**
   * The fused step's workgroup width (one of Kernels.fusedSteps), or null: per op. A width, not a
   * pipeline: the decision is the adapter's, kept for every device on it (a lost device's
   * pipelines die with it).
   */
  fusedWidth: number | null;
  /** Steps up to these counts (powers of two at or above the measured step's) follow it. */
  limit: { nodes: number; edges: number; labels: number };
  /** The fastest ms of STEPS steps over the timed rounds: per op, and fused at each width tried. */
  perOpMs: number;
  fusedMs: { width: number; ms: number }[];
}

/** One workgroup cannot compete past this size: larger graphs run per op without a measurement. */
export const MEASURE_LIMITS = { nodes: 4096, edges: 32768 };
/** Steps timed per run, and rounds of runs (after a warm-up round), each path's fastest kept. */
const STEPS = 8;
const ROUNDS = 5;

const decisions = new Map<string, FuseDecision>();

export const bucket = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * Each path's fastest ms over ROUNDS submits (after a warm-up round), each waited for. The paths
 * take turns within a round and the fastest run is kept: load from other processes only adds
 * time, so a burst during one path's runs cannot make it lose (a median of back-to-back runs
 * picked a 4–5× slower path under load).
 */
export async function fastestMs(device: GPUDevice, paths: ((encoder: GPUCommandEncoder) => void)[]): Promise<number[]> {
  const ms = paths.map(() => Infinity);
  for (let r = 0; r <= ROUNDS; r++) {
    for (const [i, encode] of paths.entries()) {
      const t0 = performance.now();
      const encoder = device.createCommandEncoder();
      encode(encoder);
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (r > 0) ms[i] = Math.min(ms[i], performance.now() - t0);
    }
  }
  return ms;
}

function keyOf(gpu: Gpu, shape: ModelShape, inputs: InputLayout, c: GraphCounts): string {
  return [gpu.adapterName, shape.layers, shape.hidden, shape.heads, shape.userDim, shape.itemDim, inputs.oneHot.user, inputs.oneHot.item, bucket(c.nodes), bucket(c.edges), bucket(c.labels)].join('|');
}

/** Whether a step of these counts follows the decision. */
export function follows(d: FuseDecision, c: GraphCounts): boolean {
  return c.nodes <= d.limit.nodes && c.edges <= d.limit.edges && c.labels <= d.limit.labels;
}

/** The fused step pipeline for a chunk of these step graphs under a fuse setting and decision, or null: per op. */
export function fusedStep(fuse: 'auto' | 'never' | 'always', d: FuseDecision | null, kernels: Kernels, graphs: GraphArrays[]): { pipeline: GPUComputePipeline } | null {
  if (fuse === 'never') return null;
  if (fuse === 'always') return kernels.fusedSteps.at(-1) ?? null;
  if (d?.fusedWidth == null || !graphs.every((g) => follows(d, countsOf(g)))) return null;
  return kernels.fusedSteps.find((f) => f.width === d.fusedWidth) ?? null;
}

/** The decision for steps like `graph` (the largest of an epoch), measured the first time. */
export async function decideFusion(gpu: Gpu, kernels: Kernels, shape: ModelShape, features: GPUBuffer, inputs: InputLayout, graph: GraphArrays): Promise<FuseDecision> {
  const c = countsOf(graph);
  const key = keyOf(gpu, shape, inputs, c);
  const known = decisions.get(key);
  if (known) return known;
  const limit = { nodes: bucket(c.nodes), edges: bucket(c.edges), labels: bucket(c.labels) };
  const decision =
    c.nodes > MEASURE_LIMITS.nodes || c.edges > MEASURE_LIMITS.edges
      ? { fusedWidth: null, limit, perOpMs: NaN, fusedMs: [] }
      : await measure(gpu, kernels, shape, features, inputs, graph, limit);
  decisions.set(key, decision);
  return decision;
}

/** Times STEPS steps of `graph` per op and fused at each width, on a throwaway model (zeros). */
async function measure(gpu: Gpu, kernels: Kernels, shape: ModelShape, features: GPUBuffer, inputs: InputLayout, graph: GraphArrays, limit: FuseDecision['limit']): Promise<FuseDecision> {
  const { device } = gpu;
  const c = countsOf(graph);
  const model = new ModelOnGpu(device, kernels, shape, new Float32Array(flatLayout(shape).size), inputs);
  const ws = new Workspace(model, features, { ...c, lossSlots: 1 });
  const packed = packGraph(graph);
  setStepFields(packed, 0, 0, 1e-3, 1);
  device.queue.writeBuffer(ws.graph, 0, packed);
  // The fused path's upload: a Which record, a schedule of STEPS steps, all on one packed graph.
  const head = 4 + 1 + STEPS;
  const pool = new Uint32Array(head + packed.length);
  pool.set([0, 0, 4, 0]);
  pool[4] = STEPS;
  pool.fill(head, 5, head);
  pool.set(packed, head);
  const upload = storageWith(device, 'fuse probe', pool);
  device.queue.writeBuffer(ws.control, 0, pool, 0, 4);
  const inPass = (encode: (pass: GPUComputePassEncoder) => void) => (encoder: GPUCommandEncoder) => {
    const pass = encoder.beginComputePass();
    encode(pass);
    pass.end();
  };
  const perOp = inPass((pass) => {
    for (let s = 0; s < STEPS; s++) ws.encodeTrainStep(pass, c);
  });
  const [perOpMs, ...ms] = await fastestMs(device, [perOp, ...kernels.fusedSteps.map((f) => inPass((pass) => ws.encodeFusedSteps(pass, upload, f.pipeline)))]);
  const fusedMs = kernels.fusedSteps.map((f, i) => ({ width: f.width, ms: ms[i] }));
  upload.destroy();
  ws.destroy();
  model.destroy();
  const best = fusedMs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { fusedWidth: best.ms < perOpMs ? best.width : null, limit, perOpMs, fusedMs };
}

/** One line for the bench and the page: what was decided, from which times (of `timed`: what ran per submit). */
export function describeFusion(d: FuseDecision, timed = `${STEPS} steps`): string {
  const fused = d.fusedMs.map((f) => `fused ×${f.width} ${f.ms.toFixed(2)} ms`).join(', ');
  const how = d.fusedWidth !== null ? `fused, workgroup of ${d.fusedWidth}` : 'per op';
  if (Number.isNaN(d.perOpMs)) return `${how} (graphs over ${MEASURE_LIMITS.nodes} nodes or ${MEASURE_LIMITS.edges} edges are not measured)`;
  return `${how} (${timed} of up to ${d.limit.nodes} nodes, ${d.limit.edges} edges: per op ${d.perOpMs.toFixed(2)} ms, ${fused})`;
}
