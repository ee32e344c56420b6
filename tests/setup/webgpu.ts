// Gives Node the browser's WebGPU globals (GPUBufferUsage, navigator.gpu, ...) from Dawn, on
// SwiftShader: the tests' GPU runs are the same on every machine, and no probe for a hardware
// adapter slows each test worker down.
import { installNodeWebGPU } from '../../src/gpu/node';

await installNodeWebGPU('software');
