// The layouts WGSL and TypeScript share (src/gpu/layout.ts) are written once: the programs compile
// with the preamble generated from them, no shader spells a value of its own, and a kernel reads
// back, through the program's own accessors, every header word and uniform field the TypeScript
// wrote.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../src/gpu/device';
import { compilePipelines, createKernels, dispatchOne, submitPass, type Kernels } from '../src/gpu/kernels';
import { readBack, storageWith } from '../src/gpu/buffers';
import { countsOf, floatBits, packGraph, setStepFields } from '../src/gpu/graphBuffer';
import { EVAL_FIELDS, EVAL_HEADER, GRAPH_ARRAYS, HEADER, HEADER_FIELDS, ITEM_KNN_PARAMS_FIELDS, KNN_PARAMS_FIELDS, LAYER_FIELDS, LOSS_KINDS, MAX_K, MAX_LAYERS, MODEL_FIELDS, WHICH_FIELDS, record, type Fields } from '../src/gpu/layout';
import { upperSnake } from '../src/gpu/preamble';
import { ITEM_KNN_PREAMBLE, ITEM_KNN_PROGRAM, KNN_PREAMBLE, KNN_PROGRAM, PREAMBLE, PROGRAM } from '../src/gpu/shaders';
import { ADAM_DEFAULTS, ModelOnGpu, Workspace } from '../src/model/gpuModel';
import { blockOf, flatLayout, initParams, type ModelShape } from '../src/model/params';
import { Rng } from '../src/util/rng';
import { randomGraph } from './helpers/randomGraph';
import { REPO_DIR } from './helpers/paths';

const SHADERS = `${REPO_DIR}shaders/`;
const sources = readdirSync(SHADERS)
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => ({ file: f, code: readFileSync(SHADERS + f, 'utf8') }));

/** A struct's field names in declaration order, as the program declares it. */
function structFields(program: string, name: string): string[] {
  const body = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(program)?.[1];
  if (body === undefined) throw new Error(`no struct ${name}`);
  // One field a line, as src/gpu/preamble.ts writes them.
  return body
    .split('\n')
    .map((f) => f.split(':')[0].trim())
    .filter((f) => f.length > 0);
}

describe('the generated preamble', () => {
  it('heads every program', () => {
    expect(PROGRAM.startsWith(PREAMBLE)).toBe(true);
    expect(KNN_PROGRAM.startsWith(KNN_PREAMBLE)).toBe(true);
    expect(ITEM_KNN_PROGRAM.startsWith(ITEM_KNN_PREAMBLE)).toBe(true);
  });

  it('declares every header word (graph and evaluation data) at its index in src/gpu/layout.ts', () => {
    for (const f of HEADER_FIELDS) {
      const name = `HDR_${upperSnake(f)}`;
      expect(PREAMBLE, name).toContain(`const ${name} = ${HEADER[f]}u;`);
    }
    for (const f of EVAL_FIELDS) expect(PREAMBLE).toContain(`const EV_${upperSnake(f)} = ${EVAL_HEADER[f]}u;`);
    expect(PREAMBLE).toContain(`const MAX_LAYERS = ${MAX_LAYERS}u;`);
    expect(PREAMBLE).toContain(`const MAX_K = ${MAX_K}u;`);
    LOSS_KINDS.forEach((k, i) => expect(PREAMBLE).toContain(`const LOSS_${k.toUpperCase()} = ${i}u;`));
    expect(KNN_PREAMBLE).toContain(`const MAX_K = ${MAX_K}u;`);
  });

  it('declares the uniforms with the fields in the order the TypeScript packs them', () => {
    expect(structFields(PROGRAM, 'Layer')).toEqual(Object.keys(LAYER_FIELDS));
    expect(structFields(PROGRAM, 'Model')).toEqual(['layers', ...Object.keys(MODEL_FIELDS)]);
    expect(structFields(PROGRAM, 'Which')).toEqual(Object.keys(WHICH_FIELDS));
    expect(structFields(KNN_PROGRAM, 'KnnParams')).toEqual(Object.keys(KNN_PARAMS_FIELDS));
    expect(structFields(ITEM_KNN_PROGRAM, 'ItemKnnParams')).toEqual(Object.keys(ITEM_KNN_PARAMS_FIELDS));
  });

  it('is the only place the shaders get these numbers from', () => {
    for (const { file, code } of sources) {
      for (const name of ['MAX_LAYERS', 'MAX_K', 'MAX_SEGMENTS', 'TILE', 'WG', 'HDR_', 'EV_', 'LOSS_']) {
        expect(code, `${file} declares ${name}`).not.toMatch(new RegExp(`const ${name}\\w* =`));
      }
      for (const struct of ['Layer', 'Model', 'Which', 'Params', 'KnnParams', 'ItemKnnParams']) expect(code, `${file} declares struct ${struct}`).not.toMatch(new RegExp(`struct ${struct}\\b`));
      // A header word read by its number rather than its name.
      expect(code, `${file} reads a graph word by number`).not.toMatch(/graph\[[^\]]*\+\s*\d+u\s*\]/);
      expect(code, `${file} reads an evaluation header word by number`).not.toMatch(/evalData\[\s*\d+u?\s*\]/);
    }
  });
});

describe('a kernel reads what the TypeScript wrote (WebGPU)', () => {
  let gpu: Gpu;
  let kernels: Kernels;
  beforeAll(async () => {
    gpu = await createGpu();
    kernels = await createKernels(gpu.device);
  });

  it('every header word, through the program’s accessors, at a graph offset; every Model and Layer field, by name', async () => {
    const { device } = gpu;
    const { graph, datasetUsers, datasetItems } = randomGraph(5, { users: 7, items: 9, hubDegree: 6, batch: true });
    const shape: ModelShape = { layers: 3, hidden: 5, heads: 2, userDim: 4, itemDim: 6 };
    const rng = new Rng(3);
    // Offsets only the probe reads, each field its own value.
    const inputs = { oneHot: { user: true, item: true }, datasetUsers, xUser: 2, xItem: 5 };
    const model = new ModelOnGpu(device, kernels, shape, initParams(shape, rng), inputs);
    const features = storageWith(device, 'features', new Float32Array((datasetUsers + datasetItems) * 6));
    const counts = countsOf(graph);
    const ws = new Workspace(model, features, { ...counts, lossSlots: 8, recallSlots: 2, topkPartial: 10 }, { kind: 'bpr', bprReg: 0.25 });

    // The graph at word 7 of a pool, as the fused path places each step's graph.
    const packed = packGraph(graph);
    setStepFields(packed, 0, 5, 0.0123, 0.456);
    const base = 7;
    const pool = new Uint32Array(base + packed.length);
    pool.set(packed, base);
    device.queue.writeBuffer(ws.control, 0, record(WHICH_FIELDS, { layer: 0, gbase: base, schedule: 0, slot: 0 }));

    // The probe: each value a u32 (f32 ones as their bits) into the arena, one after another.
    const arrays = GRAPH_ARRAYS.map((name) => {
      const read = name === 'labelValue' ? 'bitcast<u32>(labelValue(i))' : `${name}(i)`;
      return `for (var i = 0u; i < ${graph[name].length}u; i++) { put(${read}); }`;
    });
    const fields = (prefix: string, f: Fields) => Object.entries(f).map(([k, t]) => `put(${t === 'f32' ? `bitcast<u32>(${prefix}${k})` : `${prefix}${k}`});`);
    const probe = `
var<private> at: u32;
fn put(v: u32) { arena[at] = bitcast<f32>(v); at++; }
@compute @workgroup_size(1)
fn probe() {
  begin(0u);
  at = 0u;
  put(numNodes()); put(numUsers()); put(numEdges()); put(numLabels());
  ${arrays.join('\n  ')}
  put(lossSlot()); put(bitcast<u32>(adamStepSize())); put(bitcast<u32>(adamBias2Sqrt()));
  ${fields('model.', MODEL_FIELDS).join(' ')}
  for (var l = 0u; l < model.numLayers; l++) {
    ${fields('model.layers[l].', LAYER_FIELDS).join(' ')}
  }
}`;
    const { probe: pipeline } = await compilePipelines(device, 'probe', PROGRAM + probe, { probe: [kernels.modelLayout] });
    const poolBuffer = storageWith(device, 'pool', pool);
    submitPass(device, (pass) => dispatchOne(pass, pipeline, [ws.fusedGroup(poolBuffer)]));

    const bits = (x: number) => floatBits(x);
    const o = ws.layout;
    const flat = flatLayout(shape);
    const { heads: H, hidden: C } = shape;
    const want: number[] = [counts.nodes, counts.users, counts.edges, counts.labels];
    for (const name of GRAPH_ARRAYS) {
      const a = graph[name];
      want.push(...(a instanceof Float32Array ? Array.from(a, bits) : Array.from(a)));
    }
    want.push(5, bits(0.0123), bits(0.456));
    want.push(shape.layers, model.size, o.dY, o.ds, o.dScores, o.pred, o.loss, o.recall);
    want.push(bits(ADAM_DEFAULTS.beta1), bits(ADAM_DEFAULTS.beta2), bits(ADAM_DEFAULTS.eps), o.partial);
    want.push(o.segSum, o.segPart, o.lossPart, o.gradPart);
    want.push(LOSS_KINDS.indexOf('bpr'), bits(0.25), o.dPred, 0);
    o.layers.forEach((a, l) => {
      const first = l === 0;
      want.push(H, C, 2 * H * C + C, first ? 1 : 0, first ? 0 : C, first ? 4 : C, first ? 6 : C, blockOf(flat, l + 1, 'user').w);
      want.push(blockOf(flat, l + 1, 'item').w, a.x, a.y, a.scores, a.alpha, a.out, a.gPre, a.gPrev);
      // Bit t per node type (users 0, items 1): both one-hot.
      want.push(first ? 0b11 : 0, datasetUsers, 2, 5);
    });
    const got = new Uint32Array(await readBack(device, ws.arena, want.length * 4));
    expect(Array.from(got)).toEqual(want);
    poolBuffer.destroy();
    features.destroy();
    ws.destroy();
    model.destroy();
  });
});
