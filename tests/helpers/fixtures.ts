// The PyG 2.5.3 reference runs in ../shared/fixtures/pyg (format and tolerances in its README),
// loaded for any test that holds something against real PyG.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelShape } from '../../src/model/params';
import { inferShape, namedWeightsFromJson } from '../../src/formats/weightsFile';
import type { PairTuples } from '../../src/graph/pairs';
import type { LossKind } from '../../src/gpu/layout';
import type { NamedParams, ReferenceInput } from '../../src/reference/model';

/** The shared folder sits beside the repository: /work/main and /work/shared. */
export const FIXTURE_DIR = new URL('../../../shared/fixtures/pyg/', import.meta.url);

/** Cases of the objectives beside MSE (a "loss" field), made by tests/helpers/pyg_loss_case.py with real PyG 2.5.3. */
export const LOSS_CASE_DIR = new URL('../data/pyg-loss/', import.meta.url);

type Nested = number | Nested[];

export interface FixtureInput {
  name: string;
  seed: number;
  hidden: number;
  heads: number;
  graph: {
    num_users: number;
    num_items: number;
    x_user: number[][];
    x_item: number[][];
    /** [user, item] pairs of (user, rates, item). */
    edges: [number, number][];
    /** [item, user] pairs of (item, rev_rates, user); every edge reversed when absent. */
    rev_edges?: [number, number][];
  };
  label_edges: [number, number][];
  labels: number[];
  params: Record<string, Nested>;
  train?: { steps: number; lr: number };
  eval?: { k: number; exclude_edges: [number, number][]; target_edges: [number, number][] };
  /** The objective; MSE when absent. */
  loss?: LossKind;
  bpr_reg?: number;
}

export interface FixtureExpected {
  pyg_version: string;
  /** PyG's state_dict keys, in its order, and their shapes. */
  param_keys: string[];
  param_shapes: Record<string, number[]>;
  embeddings: { user: number[][]; item: number[][] };
  predictions: number[];
  loss: number;
  grads: Record<string, Nested>;
  train?: { loss_history: number[]; final_loss: number; final_params: Record<string, Nested> };
  eval?: { topk_index: number[][]; recall: number };
}

export interface FixtureCase {
  input: FixtureInput;
  expected: FixtureExpected;
}

/** Every case in the folder (each NAME.in.json with its NAME.expected.json), sorted by name. */
export function caseNames(dir: URL = FIXTURE_DIR): string[] {
  return readdirSync(fileURLToPath(dir))
    .filter((f) => f.endsWith('.in.json'))
    .map((f) => f.slice(0, -'.in.json'.length))
    .sort();
}

export function loadCase(name: string, dir: URL = FIXTURE_DIR): FixtureCase {
  const read = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  return { input: read(`${name}.in.json`), expected: read(`${name}.expected.json`) };
}

/** The model shape of a case, from its parameters (checked against their names and shapes). */
export function caseShape(input: FixtureInput): ModelShape {
  return inferShape(input.params, `${input.name}.in.json`);
}

/** A case's parameters (or any tensors named like them, such as its gradients) in float64. */
export function caseTensors(input: FixtureInput, tensors: Record<string, Nested>): NamedParams {
  return namedWeightsFromJson(tensors, caseShape(input), `${input.name} fixture`);
}

/** A case's graph and supervision in the reference model's terms. */
export function referenceInputOf(input: FixtureInput): ReferenceInput {
  const g = input.graph;
  const reversed: PairTuples = g.edges.map(([u, i]) => [i, u] as const);
  return {
    numUsers: g.num_users,
    numItems: g.num_items,
    xUser: Float64Array.from(g.x_user.flat()),
    xItem: Float64Array.from(g.x_item.flat()),
    rates: g.edges,
    revRates: g.rev_edges ?? reversed,
    labelUser: input.label_edges.map(([u]) => u),
    labelItem: input.label_edges.map(([, i]) => i),
    labels: input.labels,
    objective: { kind: input.loss ?? 'mse', bprReg: input.bpr_reg ?? 0 },
  };
}

/**
 * The README's fair float32 tolerances. Values (embeddings, predictions, loss): `rel` of the
 * largest magnitude. Gradients: `rel` of the larger of the tensor's own largest gradient and 1%
 * of the largest gradient of any tensor, since some gradients are zero up to round-off.
 */
export function valueTolerance(expected: ArrayLike<number>, rel = 1e-5): number {
  return rel * maxAbs(expected);
}

export function gradTolerances(expected: NamedParams, rel = 1e-5): Record<string, number> {
  const overall = Math.max(...Object.values(expected).map(maxAbs));
  return Object.fromEntries(
    Object.entries(expected).map(([name, g]) => [name, rel * Math.max(maxAbs(g), 0.01 * overall)]),
  );
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) m = Math.max(m, Math.abs(values[k]));
  return m;
}

/** The largest |actual − expected|. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  let m = 0;
  for (let k = 0; k < actual.length; k++) m = Math.max(m, Math.abs(actual[k] - expected[k]));
  return m;
}
