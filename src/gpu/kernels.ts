// Compute pipelines, compiled once per device, and the one way this project dispatches them.
import { kernelSource, KERNEL_SOURCES, type KernelName } from './shaders';

export type Kernels = Record<KernelName, GPUComputePipeline>;

const WORKGROUP = 64;
const MAX_GROUPS_PER_DIM = 65535;

/** Compiles every kernel; a WGSL error surfaces here with the kernel's name. */
export async function createKernels(device: GPUDevice): Promise<Kernels> {
  const modules = new Map<string, GPUShaderModule>();
  const entries = await Promise.all(
    (Object.keys(KERNEL_SOURCES) as KernelName[]).map(async (name) => {
      const code = kernelSource(name);
      let module = modules.get(code);
      if (!module) {
        module = device.createShaderModule({ label: name, code });
        modules.set(code, module);
      }
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length > 0) {
        throw new Error(`WGSL kernel ${name}: ${errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
      }
      const pipeline = await device.createComputePipelineAsync({ label: name, layout: 'auto', compute: { module, entryPoint: name } });
      return [name, pipeline] as const;
    }),
  );
  return Object.fromEntries(entries) as Kernels;
}

/** A bind group for `pipeline` from buffers listed by binding number (gaps allowed). */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  label: string,
  buffers: Record<number, GPUBuffer>,
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(buffers).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
}

/** Dispatches one invocation per item (64 per workgroup); past 65535 workgroups, y takes the rest. */
export function dispatch(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup, items: number): void {
  if (items <= 0) return;
  const groups = Math.ceil(items / WORKGROUP);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  if (groups <= MAX_GROUPS_PER_DIM) pass.dispatchWorkgroups(groups);
  else pass.dispatchWorkgroups(MAX_GROUPS_PER_DIM, Math.ceil(groups / MAX_GROUPS_PER_DIM));
}

/** Dispatches a single workgroup (the reductions that own their whole input). */
export function dispatchOne(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(1);
}
