// A PyG fixture case file (../shared/fixtures/pyg/README.md): a graph, its features, label edges
// and labels, PyG-named parameters, and optionally full-batch training and top-K evaluation to
// run. Parsed and checked into the engine's terms; every problem is an InputError naming the file
// and the field.
import { LOSS_KINDS, type LossKind, MSE, type Objective } from '../gpu/layout';
import type { LabeledPairs, Pairs } from '../graph/pairs';
import type { Features } from '../graph/types';
import { userFeatures } from '../graph/features';
import { type ModelShape, flatFromNamed, paramTable } from '../model/params';
import { MAX_K } from '../train/settings';
import { InputError } from '../util/errors';
import { inferShape, namedWeightsFromJson } from './weightsFile';

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
  /** The loss ("loss", "bpr_reg"); the seed's MSE when the case names none. */
  objective: Objective;
  /** Flat parameters (params.ts layout). */
  params: Float32Array;
  train?: { steps: number; lr: number };
  eval?: { k: number; exclude: Pairs; targets: Pairs };
}

const describeValue = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? `a list of ${v.length}` : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The optional "loss" (mse, bce or bpr) and "bpr_reg" (BPR's λ, PyG's lambda_reg), checked
 * against the labels: BCE's are targets in [0, 1]; BPR's label_edges are n positives, then their
 * n negatives for the same users (label l + n paired with label l).
 */
function objectiveOf(root: Record<string, unknown>, labels: LabeledPairs, fail: (what: string) => never): Objective {
  if (root.loss === undefined) {
    if (root.bpr_reg !== undefined) fail('"bpr_reg" is BPR\'s: it needs "loss": "bpr"');
    return MSE;
  }
  const kind = root.loss as LossKind;
  if (!LOSS_KINDS.includes(kind)) fail(`"loss" must be one of ${LOSS_KINDS.map((k) => `"${k}"`).join(', ')}, got ${describeValue(root.loss)}`);
  const reg = root.bpr_reg ?? 0;
  if (typeof reg !== 'number' || !Number.isFinite(reg) || reg < 0) fail(`"bpr_reg" must be a number ≥ 0, got ${describeValue(reg)}`);
  if (reg !== 0 && kind !== 'bpr') fail(`"bpr_reg" is BPR's: "loss" is "${kind}"`);
  const n = labels.user.length;
  if (kind === 'bce') {
    labels.value.forEach((y, k) => {
      if (!(y >= 0 && y <= 1)) fail(`"labels[${k}]" is ${y}: binary cross-entropy takes targets in [0, 1]`);
    });
  }
  if (kind === 'bpr') {
    if (n === 0 || n % 2 !== 0) fail(`"loss": "bpr" needs n positive label_edges followed by their n negatives, got ${n} label_edges`);
    for (let l = 0; l < n / 2; l++) {
      const m = l + n / 2;
      if (labels.user[l] !== labels.user[m]) fail(`"label_edges[${m}]" is the negative of label_edges[${l}] and must have its user ${labels.user[l]}, got ${labels.user[m]}`);
    }
  }
  return { kind, bprReg: reg as number };
}

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
    // PyG's fixtures give one-hot users as an identity: the engine takes them as one-hot.
    ...userFeatures(matrix('x_user', numUsers, shape.userDim, `lin1.user.weight [${shape.hidden}, ${shape.userDim}]`), numUsers, shape.userDim),
    itemKind: 'dense',
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

  const labels = { ...labelPairs, value };
  const spec: CaseSpec = {
    numUsers,
    numItems,
    shape,
    features,
    rates,
    revRates,
    labels,
    objective: objectiveOf(root, labels, fail),
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
