// The tests that run WGSL: a WebGPU device (Dawn in Node, on SwiftShader without a GPU) with every
// kernel compiled. A file opens one at its top, `const { gpu, kernels } = await openGpu();`, and
// shares it between its tests, since compiling the kernels takes seconds on SwiftShader.
import { createGpu, type Gpu } from '../../src/gpu/device';
import { createKernels, type Kernels } from '../../src/gpu/kernels';

export async function openGpu(): Promise<{ gpu: Gpu; kernels: Kernels }> {
  const gpu = await createGpu();
  return { gpu, kernels: await createKernels(gpu.device) };
}
