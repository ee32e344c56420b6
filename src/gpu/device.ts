// Getting a WebGPU device, the same way in the browser and in Node (after installNodeWebGPU).

export interface Gpu {
  device: GPUDevice;
  /** What the run trains on, for the page and the CLI, e.g. "swiftshader (Google, fallback adapter)". */
  adapterName: string;
}

/** The most storage buffers one of our kernels binds; Chromium offers up to 10 when asked. */
const STORAGE_BUFFERS_NEEDED = 8;

export class NoWebGPUError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoWebGPUError';
  }
}

/** `optional`: features to turn on where the adapter has them (the profiler's timestamp queries). */
export async function createGpu(optional: GPUFeatureName[] = []): Promise<Gpu> {
  const gpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
  if (!gpu) {
    throw new NoWebGPUError(
      'This browser has no WebGPU. Use Chrome or Edge 113+ (or Chromium with --enable-unsafe-webgpu), or Safari 26+, or Firefox 141+ on Windows.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoWebGPUError('WebGPU is present but offered no adapter (GPU blocklisted or disabled).');
  const limits = adapter.limits;
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new NoWebGPUError(
      `This GPU allows ${limits.maxStorageBuffersPerShaderStage} storage buffers per shader stage; GAT Lab needs ${STORAGE_BUFFERS_NEEDED}.`,
    );
  }
  const device = await adapter.requestDevice({
    requiredFeatures: optional.filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxStorageBuffersPerShaderStage: STORAGE_BUFFERS_NEEDED,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
    },
  });
  return { device, adapterName: describeAdapter(adapter) };
}

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const name = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  const unique = [...new Set(name)].join(' ');
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ? ', software fallback' : '';
  return `${unique || 'unknown adapter'}${fallback}`;
}
