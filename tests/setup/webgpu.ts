// Gives Node the browser's WebGPU globals (GPUBufferUsage, navigator.gpu, ...) from Dawn.
import { installNodeWebGPU } from '../../src/gpu/node';

installNodeWebGPU();
