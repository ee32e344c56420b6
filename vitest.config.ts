import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// WGSL runs for real in the tests: Dawn (the `webgpu` package) on SwiftShader, the software Vulkan
// driver that Debian's Chromium ships. The driver must be chosen before Dawn loads, and worker
// threads get a private copy of process.env, so it is set here and not in a setup file.
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

// Tests that touch neither WebGPU, nor the `gatlab` command (a child process on WebGPU), nor the
// browser: plain TypeScript on the CPU, run side by side. They get no WebGPU globals, so one that
// comes to need the GPU fails here rather than competing with the GPU tests for the cores. They
// mock nothing and set no globals, so the files of one worker share its loaded modules (isolate:
// false), which saves a third of their time; a test that mocks a module does not belong here.
// A new test file runs with the GPU tests until it is listed.
const PURE = [
  'tests/build.test.ts',
  'tests/csv.test.ts',
  'tests/embeddings-csv.test.ts',
  'tests/explain-learning.test.ts',
  'tests/explain-parts.test.ts',
  'tests/explain-paths.test.ts',
  'tests/explain-sentence.test.ts',
  'tests/features.test.ts',
  'tests/filter.test.ts',
  'tests/movielens100k.test.ts',
  'tests/movielens1m.test.ts',
  'tests/node-features.test.ts',
  'tests/objectives-reference.test.ts',
  'tests/params.test.ts',
  'tests/popularity.test.ts',
  'tests/reference-fixtures.test.ts',
  'tests/reference-gradcheck.test.ts',
  'tests/reference-topk.test.ts',
  'tests/sampler.test.ts',
  'tests/settings.test.ts',
  'tests/split.test.ts',
  'tests/toy.test.ts',
  'tests/validation-split.test.ts',
  'tests/weightsFile.test.ts',
  'tests/app/dataset-loader.test.ts',
  'tests/app/format.test.ts',
  'tests/app/graph-model.test.ts',
  'tests/app/keep.test.ts',
  'tests/app/node-search.test.ts',
  'tests/app/store.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'pure', include: PURE, maxWorkers: availableParallelism(), isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        // Every other test file, new ones included: software-rendered WebGPU and the browser are
        // CPU-bound, so these run one file at a time, after the pure ones.
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...PURE],
          setupFiles: ['tests/setup/webgpu.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
