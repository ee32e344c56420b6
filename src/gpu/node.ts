// WebGPU in Node: the `webgpu` package is Dawn built as a Node addon. The browser needs none of this.
import { create, globals } from 'webgpu';
import { chooseDriver, type AdapterChoice, type DriverChoice } from './adapterChoice';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A hardware adapter's name through the Vulkan drivers the environment names now, or null. */
async function probeHardware(): Promise<string | null> {
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter || adapter.info.isFallbackAdapter) return null;
  const { vendor, architecture, device, description } = adapter.info;
  return [...new Set([vendor, architecture, device, description].filter((s) => s))].join(' ') || 'unknown GPU';
}

/**
 * Puts `navigator.gpu` and the GPU* constants on globalThis, as a browser has them, on the
 * adapter `choice` asks for (chooseDriver). Returns what was chosen and why (null when WebGPU
 * was already there).
 */
export async function installNodeWebGPU(choice: AdapterChoice = 'auto'): Promise<DriverChoice | null> {
  if ((globalThis as { navigator?: Navigator }).navigator?.gpu) return null;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  // Dawn reads the Vulkan driver's path each time it creates an instance: the probe sees the
  // machine's drivers (or the user's VK_ICD_FILENAMES), the instance kept may see SwiftShader.
  const chosen = await chooseDriver(choice, probeHardware);
  if (chosen.driver === 'swiftshader') process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis as { navigator?: object }).navigator, gpu },
    configurable: true,
    writable: true,
  });
  return chosen;
}
