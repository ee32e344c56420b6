import s from '../../shaders/zz.wgsl?raw';
import { installNodeWebGPU } from '../gpu/node';
installNodeWebGPU();
const a = await navigator.gpu.requestAdapter();
console.log(JSON.stringify(s), !!a);
process.exit(0);
