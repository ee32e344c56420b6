// Compute pipelines, compiled once per device with explicit layouts, so that one bind group
// serves every kernel of a workspace; and the one way this project dispatches them.
import { EVAL_ENTRIES, PROGRAM, TRAIN_ENTRIES, type KernelName } from './shaders';
import { KERNEL_SIZES } from './kernelSizes';

export interface Kernels {
  pipelines: Record<KernelName, GPUComputePipeline>;
  /** Invocations in the workgroup of the fused kernels in `pipelines` (train_steps, evaluate). */
  fusedWidth: number;
  /**
   * The fused training step at each workgroup width worth trying on this adapter: the narrow one
   * of `pipelines` and the widest the adapter allows (src/train/fuseDecision.ts picks by timing).
   * Every width gives the same bits: each op's items are computed the same whoever runs them.
   */
  fusedSteps: { width: number; pipeline: GPUComputePipeline }[];
  /** Group 0: graph, model uniform, which uniform, features, params, opt, arena. */
  modelLayout: GPUBindGroupLayout;
  /** Group 1: evaluation data and the top-K output. */
  evalLayout: GPUBindGroupLayout;
}

const DEFAULT_FUSED_WIDTH = 4;
/** The widest fused workgroup tried (WebGPU's default maxComputeInvocationsPerWorkgroup). */
const MAX_FUSED_WIDTH = 256;
const MAX_GROUPS_PER_DIM = 65535;

const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
  binding,
  visibility: GPUShaderStage.COMPUTE,
  buffer: { type },
});

/** Compiles the program; a WGSL error surfaces here with its line. */
export async function createKernels(device: GPUDevice, fusedWidth = DEFAULT_FUSED_WIDTH): Promise<Kernels> {
  const module = device.createShaderModule({ label: 'gatlab', code: PROGRAM });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new Error(`WGSL: ${errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  }
  const modelLayout = device.createBindGroupLayout({
    label: 'model',
    entries: [
      entry(0, 'read-only-storage'),
      entry(1, 'uniform'),
      entry(2, 'uniform'),
      entry(3, 'read-only-storage'),
      entry(4, 'storage'),
      entry(5, 'storage'),
      entry(6, 'storage'),
    ],
  });
  const evalLayout = device.createBindGroupLayout({
    label: 'eval',
    entries: [entry(0, 'read-only-storage'), entry(1, 'storage')],
  });
  const trainPipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [modelLayout] });
  const evalPipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [modelLayout, evalLayout] });
  const constants = (width: number): Record<string, number> => ({
    WG: KERNEL_SIZES.workgroup,
    FWG: width,
    SEG: KERNEL_SIZES.segment,
    LOSS_CHUNK: KERNEL_SIZES.lossChunk,
    GRAD_CHUNK: KERNEL_SIZES.gradChunk,
  });
  const make = (name: KernelName, layout: GPUPipelineLayout, width = fusedWidth) =>
    device.createComputePipelineAsync({ label: name, layout, compute: { module, entryPoint: name, constants: constants(width) } });
  const named = (name: KernelName, layout: GPUPipelineLayout) => make(name, layout).then((p) => [name, p] as const);
  const wide = Math.min(MAX_FUSED_WIDTH, device.limits.maxComputeInvocationsPerWorkgroup);
  const [entries, wideSteps] = await Promise.all([
    Promise.all([...TRAIN_ENTRIES.map((n) => named(n, trainPipelineLayout)), ...EVAL_ENTRIES.map((n) => named(n, evalPipelineLayout))]),
    wide > fusedWidth ? make('train_steps', trainPipelineLayout, wide) : null,
  ]);
  const pipelines = Object.fromEntries(entries) as Record<KernelName, GPUComputePipeline>;
  const fusedSteps = [{ width: fusedWidth, pipeline: pipelines.train_steps }];
  if (wideSteps) fusedSteps.push({ width: wide, pipeline: wideSteps });
  return { pipelines, fusedWidth, fusedSteps, modelLayout, evalLayout };
}

/** A bind group of `layout` from buffers listed by binding number. */
export function bindGroup(device: GPUDevice, layout: GPUBindGroupLayout, label: string, buffers: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({ label, layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
}

/** Dispatches one invocation per item (KERNEL_SIZES.workgroup per workgroup); past 65535 workgroups, y takes the rest. */
export function dispatch(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, groups: GPUBindGroup[], items: number): void {
  if (items <= 0) return;
  const count = Math.ceil(items / KERNEL_SIZES.workgroup);
  pass.setPipeline(pipeline);
  groups.forEach((g, i) => pass.setBindGroup(i, g));
  if (count <= MAX_GROUPS_PER_DIM) pass.dispatchWorkgroups(count);
  else pass.dispatchWorkgroups(MAX_GROUPS_PER_DIM, Math.ceil(count / MAX_GROUPS_PER_DIM));
}

/** Dispatches a single workgroup (the reductions and the fused kernels, which own their whole input). */
export function dispatchOne(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, groups: GPUBindGroup[]): void {
  pass.setPipeline(pipeline);
  groups.forEach((g, i) => pass.setBindGroup(i, g));
  pass.dispatchWorkgroups(1);
}

/** Encodes one compute pass and submits it on its own (for one-off work; training batches its passes). */
export function submitPass(device: GPUDevice, encode: (pass: GPUComputePassEncoder) => void, label?: string): void {
  const encoder = device.createCommandEncoder({ label });
  const pass = encoder.beginComputePass();
  encode(pass);
  pass.end();
  device.queue.submit([encoder.finish()]);
}
