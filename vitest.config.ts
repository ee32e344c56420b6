import { defineConfig } from 'vitest/config';

// WGSL runs for real in the tests: Dawn (the `webgpu` package) on SwiftShader, the software Vulkan
// driver that Debian's Chromium ships. The driver must be chosen before Dawn loads, and worker
// threads get a private copy of process.env, so it is set here and not in a setup file.
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup/webgpu.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: software-rendered WebGPU is CPU-bound, so files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
