// A PyG fixture case (../shared/fixtures/pyg/README.md) on the GPU: parse and check a case file,
// then the forward pass, loss, gradients, optional full-batch Adam steps and optional top-K
// evaluation, all through the engine's kernels. Outputs use the expected files' names and
// PyG's tensor shapes, so a case's output and its expected file compare key by key.
import type { Gpu } from '../gpu/device';
import { submitPass, type Kernels } from '../gpu/kernels';
import { storageWith } from '../gpu/buffers';
import { countsOf, packGraph, setStepFields } from '../gpu/graphBuffer';
import { buildGraph } from '../graph/build';
import type { LabeledPairs, Pairs } from '../graph/pairs';
import type { Features } from '../graph/types';
import { adamFactors, ModelOnGpu, Workspace } from '../model/gpuModel';
import { type ModelShape, flatFromNamed, namedFromFlat, paramTable } from '../model/params';
import { inferShape, namedWeightsFromJson } from '../model/weightsFile';
import { InputError } from '../util/errors';
import { Evaluator } from './evaluator';
import { featureRows } from './prepare';
import { MAX_K } from './settings';

/** A checked case, in the engine's terms. */
export interface CaseSpec {
  numUsers: number;
  numItems: number;
  shape: ModelShape;
  features: Features;
  /** user → item edges. */
  rates: Pairs;
  /** item → user edges, as {user, item} pairs. */
  revRates: Pairs;
  labels: LabeledPairs;
  /** Flat parameters (params.ts layout). */
  params: Float32Array;
  train?: { steps: number; lr: number };
  eval?: { k: number; exclude: Pairs; targets: Pairs };
}

export type Nested = number | Nested[];

export interface CaseResult {
  adapter: string;
  embeddings: { user: number[][]; item: number[][] };
  predictions: number[];
  loss: number;
  grads: Record<string, Nested>;
  train?: {
    loss_history: number[];
    final_loss: number;
    final_params: Record<string, Nested>;
    final_embeddings: { user: number[][]; item: number[][] };
  };
  eval?: { topk_index: number[][]; recall: number };
}

// ---------------------------------------------------------------------------------------------
// Parsing: every problem is an InputError naming the file and the field.

const describeValue = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? `a list of ${v.length}` : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks the text of a case file. */
export function parseCase(text: string, fileName: string): CaseSpec {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${fileName}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new InputError(`${fileName}: ${what}`);
  };
  if (!isObject(root)) return fail(`expected a JSON object with graph, label_edges, labels and params, got ${describeValue(root)}`);
  const field = (obj: Record<string, unknown>, key: string, path: string): unknown => {
    if (!(key in obj)) fail(`missing field "${path}"`);
    return obj[key];
  };
  const count = (v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(`"${path}" must be a whole number in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${describeValue(v)}`);
    }
    return v as number;
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v)) fail(`"${path}" must be a list, got ${describeValue(v)}`);
    return v as unknown[];
  };

  // Parameters first: they fix the shape, and with it the feature widths.
  const rawParams = field(root, 'params', 'params');
  if (!isObject(rawParams)) return fail(`"params" must be an object {"<PyG state_dict name>": nested list}, got ${describeValue(rawParams)}`);
  const shape = inferShape(rawParams, `${fileName}: params`);
  const named = namedWeightsFromJson(rawParams, shape, `${fileName}: params`);
  const params = flatFromNamed(shape, named);
  for (const e of paramTable(shape)) {
    for (let i = 0; i < e.size; i++) {
      if (!Number.isFinite(params[e.offset + i])) fail(`params: "${e.name}" holds a number too large for float32`);
    }
  }

  const graph = field(root, 'graph', 'graph');
  if (!isObject(graph)) return fail(`"graph" must be an object, got ${describeValue(graph)}`);
  const numUsers = count(field(graph, 'num_users', 'graph.num_users'), 'graph.num_users', 1);
  const numItems = count(field(graph, 'num_items', 'graph.num_items'), 'graph.num_items', 1);

  const matrix = (key: 'x_user' | 'x_item', rows: number, cols: number, reader: string): Float32Array => {
    const path = `graph.${key}`;
    const v = list(field(graph, key, path), path);
    if (v.length !== rows) fail(`"${path}" has ${v.length} rows, graph.${key === 'x_user' ? 'num_users' : 'num_items'} is ${rows}`);
    const out = new Float32Array(rows * cols);
    v.forEach((row, r) => {
      const cells = list(row, `${path}[${r}]`);
      if (cells.length !== cols) fail(`"${path}[${r}]" has ${cells.length} features, but ${reader} reads ${cols}`);
      cells.forEach((x, c) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) fail(`"${path}[${r}][${c}]" must be a finite number, got ${describeValue(x)}`);
        out[r * cols + c] = x as number;
      });
    });
    return out;
  };
  const features: Features = {
    userDim: shape.userDim,
    itemDim: shape.itemDim,
    user: matrix('x_user', numUsers, shape.userDim, `lin1.user.weight [${shape.hidden}, ${shape.userDim}]`),
    item: matrix('x_item', numItems, shape.itemDim, `lin1.item.weight [${shape.hidden}, ${shape.itemDim}]`),
  };

  /** A list of [a, b] index pairs; `userFirst` says which of the two is the user. */
  const pairs = (v: unknown, path: string, userFirst: boolean): Pairs => {
    const items = list(v, path);
    const out = { user: new Uint32Array(items.length), item: new Uint32Array(items.length) };
    const [first, second] = userFirst ? (['user', 'item'] as const) : (['item', 'user'] as const);
    items.forEach((p, k) => {
      if (!Array.isArray(p) || p.length !== 2) fail(`"${path}[${k}]" must be a pair [${first}, ${second}], got ${describeValue(p)}`);
      const [a, b] = p as unknown[];
      const u = userFirst ? a : b;
      const i = userFirst ? b : a;
      for (const [x, n, what] of [
        [u, numUsers, 'user'],
        [i, numItems, 'item'],
      ] as const) {
        if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= n) {
          fail(`"${path}[${k}]" = ${JSON.stringify(p)}: the ${what} must be a whole number in 0..${n - 1} (graph.num_${what}s = ${n}), got ${describeValue(x)}`);
        }
      }
      out.user[k] = u as number;
      out.item[k] = i as number;
    });
    return out;
  };

  const rates = pairs(field(graph, 'edges', 'graph.edges'), 'graph.edges', true);
  const revRates = graph.rev_edges === undefined ? rates : pairs(graph.rev_edges, 'graph.rev_edges', false);

  const labelPairs = pairs(field(root, 'label_edges', 'label_edges'), 'label_edges', true);
  const rawLabels = list(field(root, 'labels', 'labels'), 'labels');
  if (rawLabels.length !== labelPairs.user.length) fail(`"labels" has ${rawLabels.length} values for ${labelPairs.user.length} label_edges`);
  const value = new Float32Array(rawLabels.length);
  rawLabels.forEach((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`"labels[${k}]" must be a finite number, got ${describeValue(x)}`);
    value[k] = x as number;
  });

  const spec: CaseSpec = {
    numUsers,
    numItems,
    shape,
    features,
    rates,
    revRates,
    labels: { ...labelPairs, value },
    params,
  };

  if (root.train !== undefined) {
    const t = root.train;
    if (!isObject(t)) return fail(`"train" must be an object {steps, lr}, got ${describeValue(t)}`);
    const steps = count(field(t, 'steps', 'train.steps'), 'train.steps', 0, 100_000);
    const lr = field(t, 'lr', 'train.lr');
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) fail(`"train.lr" must be a positive number, got ${describeValue(lr)}`);
    spec.train = { steps, lr: lr as number };
  }
  if (root.eval !== undefined) {
    const ev = root.eval;
    if (!isObject(ev)) return fail(`"eval" must be an object {k, exclude_edges, target_edges}, got ${describeValue(ev)}`);
    const k = field(ev, 'k', 'eval.k');
    if (typeof k === 'number' && Number.isInteger(k) && k > MAX_K) {
      fail(`"eval.k" is ${k}; the GPU top-K keeps at most ${MAX_K} items per user`);
    }
    spec.eval = {
      k: count(k, 'eval.k', 1, MAX_K),
      exclude: pairs(field(ev, 'exclude_edges', 'eval.exclude_edges'), 'eval.exclude_edges', true),
      targets: pairs(field(ev, 'target_edges', 'eval.target_edges'), 'eval.target_edges', true),
    };
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Running: WebGPU only.

const EMPTY_LABELS: LabeledPairs = { user: new Uint32Array(0), item: new Uint32Array(0), value: new Float32Array(0) };

/** Rows of `cols` numbers. */
function rows(data: ArrayLike<number>, count: number, cols: number): number[][] {
  return Array.from({ length: count }, (_, r) => Array.from({ length: cols }, (_, c) => data[r * cols + c]));
}

function nest(data: ArrayLike<number>, dims: number[], at = 0): Nested[] {
  const [n, ...rest] = dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => (rest.length === 0 ? data[at + i] : nest(data, rest, at + i * stride)));
}

/** Tensors by PyG name (state_dict order), nested lists in PyG's shapes. */
function namedNested(shape: ModelShape, flat: Float32Array): Record<string, Nested> {
  const out: Record<string, Nested> = {};
  for (const [name, t] of Object.entries(namedFromFlat(shape, flat))) out[name] = nest(t.data, t.shape);
  return out;
}

/** Runs a case on the GPU: the forward pass, loss and gradients; then training and evaluation if asked. */
export async function runCase(gpu: Gpu, kernels: Kernels, spec: CaseSpec): Promise<CaseResult> {
  const { device } = gpu;
  const { numUsers, numItems, shape } = spec;
  const C = shape.hidden;
  const nodes = numUsers + numItems;
  const model = new ModelOnGpu(device, kernels, shape, spec.params);
  const features = storageWith(device, 'case.features', featureRows(spec.features).data);
  const graph = buildGraph({ numUsers, numItems, rates: spec.rates, revRates: spec.revRates, labels: spec.labels });
  const counts = countsOf(graph);
  const steps = spec.train?.steps ?? 0;
  const ws = new Workspace(model, features, { ...counts, lossSlots: steps + 1 });
  const packed = packGraph(graph);
  let evaluator: Evaluator | null = null;

  /** Writes the graph with its step fields, then submits one pass of `encode`. */
  const submit = (lossSlot: number, t: number, encode: (pass: GPUComputePassEncoder) => void) => {
    const { stepSize, bias2Sqrt } = t > 0 ? adamFactors(spec.train?.lr ?? 0, t) : { stepSize: 0, bias2Sqrt: 1 };
    setStepFields(packed, 0, lossSlot, stepSize, bias2Sqrt);
    device.queue.writeBuffer(ws.graph, 0, packed);
    submitPass(device, encode, `case slot ${lossSlot}`);
  };

  try {
    // The given parameters: forward, loss (slot 0), backward.
    submit(0, 0, (pass) => {
      ws.encodeForward(pass, counts);
      ws.encodeLoss(pass, counts);
      ws.encodeBackward(pass, counts);
    });
    const [emb, pred, loss0, grads] = await Promise.all([
      ws.readEmbeddings(nodes),
      ws.readPredictions(counts.labels),
      ws.readLosses(1),
      model.readGrads(),
    ]);
    const result: CaseResult = {
      adapter: gpu.adapterName,
      embeddings: { user: rows(emb, numUsers, C), item: rows(emb.subarray(numUsers * C), numItems, C) },
      predictions: Array.from(pred),
      loss: loss0[0],
      grads: namedNested(shape, grads),
    };

    if (spec.train) {
      // Step t writes the loss before its update into slot t-1; the last forward writes slot `steps`.
      for (let t = 1; t <= steps; t++) submit(t - 1, t, (pass) => ws.encodeTrainStep(pass, counts));
      submit(steps, 0, (pass) => {
        ws.encodeForward(pass, counts);
        ws.encodeLoss(pass, counts);
      });
      const [losses, finalEmb, finalParams] = await Promise.all([ws.readLosses(steps + 1), ws.readEmbeddings(nodes), model.readParams()]);
      result.train = {
        loss_history: Array.from(losses.subarray(0, steps)),
        final_loss: losses[steps],
        final_params: namedNested(shape, finalParams),
        final_embeddings: { user: rows(finalEmb, numUsers, C), item: rows(finalEmb.subarray(numUsers * C), numItems, C) },
      };
    }

    if (spec.eval) {
      // With the final parameters: after training when the case trains.
      const { k, exclude, targets } = spec.eval;
      const evalGraph = buildGraph({ numUsers, numItems, rates: spec.rates, revRates: spec.revRates, labels: EMPTY_LABELS });
      evaluator = new Evaluator(model, features, evalGraph, exclude, targets, k, 1);
      const encoder = device.createCommandEncoder({ label: 'case eval' });
      evaluator.encode(encoder, 0);
      device.queue.submit([encoder.finish()]);
      const [topk, recall] = await Promise.all([evaluator.readTopK(), evaluator.readRecall(1)]);
      result.eval = { topk_index: rows(topk, numUsers, k), recall: recall[0] };
    }
    return result;
  } finally {
    evaluator?.destroy();
    ws.destroy();
    features.destroy();
    model.destroy();
  }
}
