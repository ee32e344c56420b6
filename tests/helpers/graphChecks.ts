// The structural invariants of docs/ENGINE.md's node space, checked on any GraphArrays.
import { expect } from 'vitest';
import type { GraphArrays } from '../../src/graph/types';

function expectPtr(ptr: Uint32Array, numNodes: number, total: number): void {
  expect(ptr.length).toBe(numNodes + 1);
  expect(ptr[0]).toBe(0);
  expect(ptr[numNodes]).toBe(total);
  for (let n = 0; n < numNodes; n++) expect(ptr[n + 1]).toBeGreaterThanOrEqual(ptr[n]);
}

/** CSR, CSC and label incidence are consistent with each other and with the node types. */
export function expectValidGraph(g: GraphArrays): void {
  const numNodes = g.numUsers + g.numItems;
  const numEdges = g.edgeSrc.length;
  expect(g.nodeGlobal.length).toBe(numNodes);
  expect(g.edgeDst.length).toBe(numEdges);
  expectPtr(g.dstPtr, numNodes, numEdges);
  for (let n = 0; n < numNodes; n++) {
    for (let e = g.dstPtr[n]; e < g.dstPtr[n + 1]; e++) {
      expect(g.edgeDst[e]).toBe(n);
      // Bipartite: users hear from items, items from users.
      expect(g.edgeSrc[e] < g.numUsers).toBe(n >= g.numUsers);
    }
  }
  expectPtr(g.srcPtr, numNodes, numEdges);
  expect(g.srcEdge.length).toBe(numEdges);
  const seen = new Uint8Array(numEdges);
  for (let j = 0; j < numNodes; j++) {
    for (let k = g.srcPtr[j]; k < g.srcPtr[j + 1]; k++) {
      const e = g.srcEdge[k];
      expect(g.edgeSrc[e]).toBe(j);
      if (k > g.srcPtr[j]) expect(e).toBeGreaterThan(g.srcEdge[k - 1]);
      seen[e]++;
    }
  }
  expect(seen.every((c) => c === 1)).toBe(true);

  const numLabels = g.labelUser.length;
  expect(g.labelItem.length).toBe(numLabels);
  expect(g.labelValue.length).toBe(numLabels);
  expectPtr(g.labPtr, numNodes, 2 * numLabels);
  const hits = new Uint8Array(numLabels);
  for (let n = 0; n < numNodes; n++) {
    for (let k = g.labPtr[n]; k < g.labPtr[n + 1]; k++) {
      const l = g.labEdge[k];
      expect(g.labelUser[l] === n || g.labelItem[l] === n).toBe(true);
      if (k > g.labPtr[n]) expect(l).toBeGreaterThan(g.labEdge[k - 1]);
      hits[l]++;
    }
  }
  expect(hits.every((c) => c === 2)).toBe(true);
  for (let l = 0; l < numLabels; l++) {
    expect(g.labelUser[l]).toBeLessThan(g.numUsers);
    expect(g.labelItem[l]).toBeGreaterThanOrEqual(g.numUsers);
    expect(g.labelItem[l]).toBeLessThan(numNodes);
  }
}
