// `npm run profile [-- --data PATH --hidden N --heads H --layers L --repeats R --replay --adapter auto|hardware|software]`:
// what each kernel of one full-batch training step costs (forward, loss, backward, Adam), on any
// dataset gatlab reads (ml-latest-small by default). The step's dispatches are recorded as the
// trainer encodes them, then timed one by one: with GPU timestamp queries when the adapter offers
// `timestamp-query` (each dispatch in its own pass of one submit), else by replaying each dispatch
// alone in its own submit (wall time, which includes a submit's fixed cost, printed too).
import { installNodeWebGPU } from '../src/gpu/node';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { createGpu } from '../src/gpu/device';
import { createKernels, submitPass } from '../src/gpu/kernels';
import { countsOf, packGraph, setStepFields } from '../src/gpu/graphBuffer';
import { storageWith } from '../src/gpu/buffers';
import { parseFlags } from '../src/cli/args';
import { loadRatings } from '../src/cli/data';
import { fullGraph } from '../src/graph/build';
import { ModelOnGpu, Workspace } from '../src/model/gpuModel';
import { initParams, type ModelShape } from '../src/model/params';
import { prepare } from '../src/train/prepare';
import { featureBuffer } from '../src/model/inputs';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Rng } from '../src/util/rng';

const ML_SMALL = new URL('../../shared/data/ml-latest-small/ratings.csv', import.meta.url).pathname;

interface Recorded {
  pipeline: GPUComputePipeline;
  groups: [number, GPUBindGroup][];
  size: [number, number, number];
}

/** A stand-in compute pass that keeps each dispatch with the state it ran under. */
function recorder(): { pass: GPUComputePassEncoder; dispatches: Recorded[] } {
  const dispatches: Recorded[] = [];
  let pipeline: GPUComputePipeline | null = null;
  const groups = new Map<number, GPUBindGroup>();
  const pass = {
    setPipeline: (p: GPUComputePipeline) => {
      pipeline = p;
    },
    setBindGroup: (i: number, g: GPUBindGroup) => {
      groups.set(i, g);
    },
    dispatchWorkgroups: (x: number, y = 1, z = 1) => {
      dispatches.push({ pipeline: pipeline!, groups: [...groups], size: [x, y, z] });
    },
  };
  return { pass: pass as unknown as GPUComputePassEncoder, dispatches };
}

function replay(pass: GPUComputePassEncoder, d: Recorded) {
  pass.setPipeline(d.pipeline);
  for (const [i, g] of d.groups) pass.setBindGroup(i, g);
  pass.dispatchWorkgroups(...d.size);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Per dispatch, nanoseconds between its pass's two timestamps (median over REPEATS). */
async function timeWithTimestamps(device: GPUDevice, dispatches: Recorded[]): Promise<number[]> {
  const count = dispatches.length * 2;
  const querySet = device.createQuerySet({ type: 'timestamp', count });
  const resolve = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const runs: number[][] = dispatches.map(() => []);
  for (let r = 0; r <= REPEATS; r++) {
    const encoder = device.createCommandEncoder();
    dispatches.forEach((d, k) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
      replay(pass, d);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    if (r > 0) dispatches.forEach((_, k) => runs[k].push(Number(t[2 * k + 1] - t[2 * k])));
  }
  return runs.map((xs) => median(xs) / 1e6);
}

/** Per dispatch, the wall time of a submit that holds it alone (median over REPEATS). */
async function timeByReplay(device: GPUDevice, dispatches: Recorded[]): Promise<number[]> {
  const runs: number[][] = dispatches.map(() => []);
  for (let r = 0; r <= REPEATS; r++) {
    for (const [k, d] of dispatches.entries()) {
      const t0 = performance.now();
      submitPass(device, (pass) => replay(pass, d));
      await device.queue.onSubmittedWorkDone();
      if (r > 0) runs[k].push(performance.now() - t0);
    }
  }
  return runs.map(median);
}

async function emptySubmitMs(device: GPUDevice): Promise<number> {
  const ms: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    submitPass(device, () => {});
    await device.queue.onSubmittedWorkDone();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const { choice, rest } = takeAdapterFlag(process.argv.slice(2), 'profile');
const spec = { value: true, help: '' };
const { flags } = parseFlags(rest, { data: spec, hidden: spec, heads: spec, layers: spec, repeats: spec, replay: { value: false, help: '' } }, 'profile');
/** Timed runs of each measurement (after one warm-up), their median reported. */
const REPEATS = Number(flags.repeats ?? 5);
const dataPath = typeof flags.data === 'string' ? flags.data : ML_SMALL;
const adapterWhy = (await installNodeWebGPU(choice))?.why;
const gpu = await createGpu(['timestamp-query']);
const { device } = gpu;
const kernels = await createKernels(device);

// The bench's full-batch run (bench/bench.ts): the seed's settings on the oldest 80% by time.
const settings: RunSettings = {
  ...SEED_SETTINGS,
  hidden: Number(flags.hidden ?? 64),
  heads: Number(flags.heads ?? 2),
  layers: Number(flags.layers ?? 3),
  split: 0.8,
  batchSize: 'full',
  k: 20,
};
const rng = new Rng(settings.seed);
const data = prepare(loadRatings(dataPath), settings, rng);
const shape: ModelShape = { layers: settings.layers, hidden: settings.hidden, heads: settings.heads, userDim: data.features.userDim, itemDim: data.features.itemDim };
const graph = fullGraph(data.numUsers, data.numItems, data.mpEdges, data.train);
const c = countsOf(graph);
const inputs = featureBuffer(data.features);
const model = new ModelOnGpu(device, kernels, shape, initParams(shape, rng), inputs.layout);
const ws = new Workspace(model, storageWith(device, 'features', inputs.data), { ...c, lossSlots: 1 });
const packed = packGraph(graph);
setStepFields(packed, 0, 0, settings.lr / (1 - 0.9), Math.sqrt(1 - 0.999));
device.queue.writeBuffer(ws.graph, 0, packed);

const rec = recorder();
ws.encodeTrainStep(rec.pass, c);
// Warm up (pipelines, caches), and time the whole step as training submits it.
const stepMs: number[] = [];
for (let r = 0; r <= REPEATS; r++) {
  const t0 = performance.now();
  submitPass(device, (pass) => rec.dispatches.forEach((d) => replay(pass, d)));
  await device.queue.onSubmittedWorkDone();
  if (r > 0) stepMs.push(performance.now() - t0);
}
// --replay: replay even where timestamps exist (to compare with a build that has none).
const timestamps = device.features.has('timestamp-query') && flags.replay !== true;
const times = timestamps ? await timeWithTimestamps(device, rec.dispatches) : await timeByReplay(device, rec.dispatches);

const byKernel = new Map<string, { calls: number; ms: number }>();
rec.dispatches.forEach((d, k) => {
  const row = byKernel.get(d.pipeline.label) ?? { calls: 0, ms: 0 };
  row.calls++;
  row.ms += times[k];
  byKernel.set(d.pipeline.label, row);
});
const total = times.reduce((a, b) => a + b, 0);
console.log(`${dataPath}: ${c.nodes} nodes, ${c.edges} edges, ${c.labels} supervised pairs; hidden ${settings.hidden}, ${settings.heads} heads, ${settings.layers} layers; on ${gpu.adapterName} (${adapterWhy})`);
console.log(`one full-batch step as training submits it: ${median(stepMs).toFixed(2)} ms (median of ${REPEATS}), ${rec.dispatches.length} dispatches`);
console.log(timestamps ? 'per kernel: GPU timestamps, each dispatch in its own pass' : `per kernel: each dispatch replayed alone in its own submit (an empty submit takes ${(await emptySubmitMs(device)).toFixed(3)} ms; included)`);
console.log(`${'kernel'.padEnd(30)} ${'calls'.padStart(5)} ${'ms'.padStart(9)} ${'share'.padStart(6)}`);
for (const [name, row] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(30)} ${String(row.calls).padStart(5)} ${row.ms.toFixed(3).padStart(9)} ${((100 * row.ms) / total).toFixed(1).padStart(5)}%`);
}
console.log(`${'sum'.padEnd(30)} ${String(rec.dispatches.length).padStart(5)} ${total.toFixed(3).padStart(9)}`);
process.exit(0);
