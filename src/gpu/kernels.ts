// Compute pipelines, compiled once per device with explicit layouts, so that one bind group
// serves every kernel of a workspace; the one way this project compiles a program's entry points
// (the training program here, KNN-MIPS in src/search/knnMips.ts) and dispatches them.
import { EVAL_ENTRIES, KEEP_ENTRIES, PROGRAM, TRAIN_ENTRIES, type KernelName } from './shaders';
import { KERNEL_SIZES } from './kernelSizes';

/** A fused kernel compiled with a workgroup `width` invocations wide. */
export interface FusedPipeline {
  width: number;
  pipeline: GPUComputePipeline;
}

export interface Kernels {
  pipelines: Record<KernelName, GPUComputePipeline>;
  /** Invocations in the workgroup of the fused kernels in `pipelines` (train_steps, evaluate). */
  fusedWidth: number;
  /**
   * The fused training step at each workgroup width worth trying on this adapter: the narrow one
   * of `pipelines` and the widest the adapter allows (src/train/fuseDecision.ts picks by timing).
   * Every width gives the same bits: each op's items are computed the same whoever runs them.
   */
  fusedSteps: FusedPipeline[];
  /** The fused evaluation at the same widths (src/train/evalFusion.ts picks by timing). */
  fusedEvaluate: FusedPipeline[];
  /** Group 0: graph, model uniform, which uniform, features, params, opt, arena. */
  modelLayout: GPUBindGroupLayout;
  /** Group 1: evaluation data and the top-K output. */
  evalLayout: GPUBindGroupLayout;
  /** Group 1 of model selection: its state, the kept weights, each recall slot's epoch. */
  keepLayout: GPUBindGroupLayout;
}

const DEFAULT_FUSED_WIDTH = 4;
/** The widest fused workgroup tried (WebGPU's default maxComputeInvocationsPerWorkgroup). */
const MAX_FUSED_WIDTH = 256;
const MAX_GROUPS_PER_DIM = 65535;

/** A bind group layout of buffers, listed by binding number, every one seen by compute shaders. */
export function bufferLayout(device: GPUDevice, label: string, types: GPUBufferBindingType[]): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label,
    entries: types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
  });
}

/**
 * Compiles a WGSL program and a pipeline for each entry point, with the bind group layouts given
 * for it and the values of its pipeline-overridable constants; a WGSL error surfaces here with its
 * line.
 */
export async function compilePipelines<Name extends string>(
  device: GPUDevice,
  label: string,
  code: string,
  entries: Record<Name, GPUBindGroupLayout[]>,
  constants?: Record<string, number>,
): Promise<Record<Name, GPUComputePipeline>> {
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new Error(`WGSL (${label}): ${errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  }
  const pipelines = await Promise.all(
    (Object.entries(entries) as [Name, GPUBindGroupLayout[]][]).map(([entryPoint, groups]) =>
      device
        .createComputePipelineAsync({
          label: `${label}.${entryPoint}`,
          layout: device.createPipelineLayout({ bindGroupLayouts: groups }),
          compute: { module, entryPoint, constants },
        })
        .then((p) => [entryPoint, p] as const),
    ),
  );
  return Object.fromEntries(pipelines) as Record<Name, GPUComputePipeline>;
}

/**
 * Compiles the training and evaluation program with its fused kernels `fusedWidth` wide, and the
 * fused training step again as wide as the adapter allows.
 */
export async function createKernels(device: GPUDevice, fusedWidth = DEFAULT_FUSED_WIDTH): Promise<Kernels> {
  const modelLayout = bufferLayout(device, 'model', ['read-only-storage', 'uniform', 'uniform', 'read-only-storage', 'storage', 'storage', 'storage']);
  const evalLayout = bufferLayout(device, 'eval', ['read-only-storage', 'storage']);
  const keepLayout = bufferLayout(device, 'keep', ['storage', 'storage', 'read-only-storage']);
  const entries = Object.fromEntries([
    ...TRAIN_ENTRIES.map((n) => [n, [modelLayout]]),
    ...EVAL_ENTRIES.map((n) => [n, [modelLayout, evalLayout]]),
    ...KEEP_ENTRIES.map((n) => [n, [modelLayout, keepLayout]]),
  ]) as Record<KernelName, GPUBindGroupLayout[]>;
  // The pipeline-overridable sizes of shaders/prelude.wgsl, from their one definition.
  const constants = (width: number): Record<string, number> => ({
    WG: KERNEL_SIZES.workgroup,
    FWG: width,
    SEG: KERNEL_SIZES.segment,
    LOSS_CHUNK: KERNEL_SIZES.lossChunk,
    GRAD_CHUNK: KERNEL_SIZES.gradChunk,
  });
  const wide = Math.min(MAX_FUSED_WIDTH, device.limits.maxComputeInvocationsPerWorkgroup);
  const [pipelines, wideSteps] = await Promise.all([
    compilePipelines(device, 'gatlab', PROGRAM, entries, constants(fusedWidth)),
    wide > fusedWidth ? compilePipelines(device, 'gatlab-wide', PROGRAM, { train_steps: [modelLayout], evaluate: [modelLayout, evalLayout] }, constants(wide)) : null,
  ]);
  const fusedSteps = [{ width: fusedWidth, pipeline: pipelines.train_steps }];
  const fusedEvaluate = [{ width: fusedWidth, pipeline: pipelines.evaluate }];
  if (wideSteps) {
    fusedSteps.push({ width: wide, pipeline: wideSteps.train_steps });
    fusedEvaluate.push({ width: wide, pipeline: wideSteps.evaluate });
  }
  return { pipelines, fusedWidth, fusedSteps, fusedEvaluate, modelLayout, evalLayout, keepLayout };
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
