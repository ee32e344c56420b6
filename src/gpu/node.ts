// WebGPU in Node: the `webgpu` package is Dawn built as a Node addon. The browser needs none of this.
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Puts `navigator.gpu` and the GPU* constants on globalThis, as a browser has them. */
export function installNodeWebGPU(): void {
  if ((globalThis as { navigator?: Navigator }).navigator?.gpu) return;
  // Dawn reads the Vulkan driver's path when it loads; machines without a GPU use SwiftShader.
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis as { navigator?: object }).navigator, gpu },
    configurable: true,
    writable: true,
  });
}
