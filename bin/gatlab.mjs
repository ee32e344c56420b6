#!/usr/bin/env node
// The `gatlab` command: the same engine and WGSL kernels as the page, on WebGPU in Node.
import './register.mjs';

await import('../src/cli/main.ts');
