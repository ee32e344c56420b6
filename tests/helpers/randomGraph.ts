// Random bipartite graphs with the shapes that break segment kernels: a user who rated hundreds
// of items, items nobody rated, an isolated user, duplicate edges, and (optionally) a batch-style
// node numbering whose nodeGlobal points into a larger dataset.
import { buildGraph } from '../../src/graph/build';
import type { GraphArrays } from '../../src/graph/types';
import { Rng } from '../../src/util/rng';

export interface RandomGraph {
  graph: GraphArrays;
  /** Rows of the dataset's input features (users then items), for the first layer. */
  datasetUsers: number;
  datasetItems: number;
}

/** `labels`: supervision pairs (12 unless given); past the 12th, every third is the hub's. */
export function randomGraph(seed: number, opts: { users: number; items: number; hubDegree: number; batch: boolean; labels?: number }): RandomGraph {
  const rng = new Rng(seed);
  const { users, items } = opts;
  const u: number[] = [];
  const i: number[] = [];
  // user 0 is the hub; the last user is isolated; the last quarter of the items gets no edge
  for (let k = 0; k < opts.hubDegree; k++) {
    u.push(0);
    i.push(k % Math.max(1, Math.floor((items * 3) / 4)));
  }
  for (let k = 0; k < users * 3; k++) {
    u.push(1 + rng.int(Math.max(1, users - 2)));
    i.push(rng.int(Math.max(1, Math.floor((items * 3) / 4))));
  }
  for (let k = 0; k < 5; k++) {
    const d = rng.int(u.length);
    u.push(u[d]);
    i.push(i[d]);
  }
  const rates = { user: Uint32Array.from(u), item: Uint32Array.from(i) };
  const labelCount = opts.labels ?? 12;
  const labels = {
    user: Uint32Array.from({ length: labelCount }, (_, k) => (k === 0 ? users - 1 : k >= 12 && k % 3 === 0 ? 0 : rng.int(users))),
    item: Uint32Array.from({ length: labelCount }, (_, k) => (k === 1 ? items - 1 : rng.int(items))),
    value: Float32Array.from({ length: labelCount }, () => 1 + rng.int(5)),
  };
  // In batch style the dataset is larger and the batch's nodes are a scattered subset of it.
  const datasetUsers = opts.batch ? users * 3 : users;
  const datasetItems = opts.batch ? items * 2 : items;
  const nodeGlobal = opts.batch
    ? Uint32Array.from({ length: users + items }, (_, n) => (n < users ? n * 3 + 1 : datasetUsers + (n - users) * 2 + 1))
    : undefined;
  const graph = buildGraph({ numUsers: users, numItems: items, nodeGlobal, rates, revRates: rates, labels });
  return { graph, datasetUsers, datasetItems };
}
