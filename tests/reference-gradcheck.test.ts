// The reference model's hand-written backward against central finite differences, on small random
// graphs that hold every awkward case: isolated nodes, nodes with outgoing but no incoming edges,
// duplicate edges, one to three heads, one to three layers.
import { describe, it } from 'vitest';
import { type ModelShape, paramTable } from '../src/model/params';
import type { PairTuples } from '../src/graph/pairs';
import type { NamedParams, ReferenceInput } from '../src/reference/model';
import { Rng } from '../src/util/rng';
import { expectCentralDifferences } from './helpers/gradcheck';


/**
 * 5 users and 6 items. User 4 and item 5 have no edges at all. Item 4 has no incoming rates edge
 * but sends rev_rates edges; user 3 sends rates edges but receives none. Two edges are doubled.
 */
function randomGraph(rng: Rng, shape: ModelShape): ReferenceInput {
  const numUsers = 5;
  const numItems = 6;
  const rates: [number, number][] = [];
  for (let n = 0; n < 9; n++) rates.push([rng.int(4), rng.int(4)]);
  rates.push(rates[0], rates[3]);
  const revRates: [number, number][] = rates.filter(([u]) => u !== 3).map(([u, i]) => [i, u]);
  revRates.push([4, 0], [4, 2], [4, 0]);
  const labelPairs: PairTuples = [[4, 5], [4, 1], [2, 5], [3, 4], ...rates.slice(0, 6)];
  return {
    numUsers,
    numItems,
    xUser: Float64Array.from({ length: numUsers * shape.userDim }, () => rng.normal()),
    xItem: Float64Array.from({ length: numItems * shape.itemDim }, () => rng.normal()),
    rates,
    revRates,
    labelUser: labelPairs.map(([u]) => u),
    labelItem: labelPairs.map(([, i]) => i),
    labels: labelPairs.map(() => 1 + rng.int(5)),
  };
}

/**
 * Every parameter random, GAT biases included, so that no gradient path is switched off; the
 * biases lean positive so that the ReLUs let most of the gradient through.
 */
function randomParams(rng: Rng, shape: ModelShape): NamedParams {
  return Object.fromEntries(
    paramTable(shape).map((e) => {
      const shift = e.name.endsWith('bias') ? 0.5 : 0;
      return [e.name, Float64Array.from({ length: e.size }, () => shift + 0.5 * rng.normal())];
    }),
  );
}

const shapes: [string, ModelShape][] = [
  ['1 layer, 1 head', { layers: 1, hidden: 3, heads: 1, userDim: 4, itemDim: 2 }],
  ['3 layers, 2 heads', { layers: 3, hidden: 4, heads: 2, userDim: 3, itemDim: 5 }],
  ['3 layers, 3 heads', { layers: 3, hidden: 3, heads: 3, userDim: 2, itemDim: 3 }],
  ['2 layers, 2 heads', { layers: 2, hidden: 5, heads: 2, userDim: 1, itemDim: 4 }],
];

describe.each(shapes)('reference gradients, %s', (_, shape) => {
  it.each([1, 2, 3])('match central differences (seed %i)', (seed) => {
    const rng = new Rng(seed * 7919 + shape.layers * 31 + shape.heads);
    const graph = randomGraph(rng, shape);
    const params = randomParams(rng, shape);
    expectCentralDifferences(shape, params, graph);
  });
});
