// From edge lists to the engine's node-space arrays (docs/ENGINE.md): users are nodes
// [0, numUsers), items follow. Every grouping is a stable counting sort, so the slot order, and
// with it every GPU sum, depends only on the input order.
import { checkPairs, type Pairs, type LabeledPairs } from './pairs';
import type { GraphArrays } from './types';
import { InputError } from '../util/errors';

export interface GraphInput {
  numUsers: number;
  numItems: number;
  /** Dataset node id of each node (users first, then items); the identity when left out. */
  nodeGlobal?: Uint32Array;
  /** Message-passing edges user → item. */
  rates: Pairs;
  /** Message-passing edges item → user. */
  revRates: Pairs;
  labels: LabeledPairs;
}

export function buildGraph(input: GraphInput): GraphArrays {
  const { numUsers, numItems, rates, revRates, labels } = input;
  const numNodes = numUsers + numItems;
  checkPairs('rates', rates, numUsers, numItems);
  checkPairs('rev_rates', revRates, numUsers, numItems);
  checkPairs('labels', labels, numUsers, numItems);
  if (labels.value.length !== labels.user.length) throw new InputError('labels: value and user lengths differ');
  const nodeGlobal = input.nodeGlobal ?? identity(numNodes);
  if (nodeGlobal.length !== numNodes) {
    throw new InputError(`nodeGlobal has ${nodeGlobal.length} entries for ${numNodes} nodes`);
  }

  // All edges in input order (rates first), as node ids; then grouped by destination.
  const numRates = rates.user.length;
  const numEdges = numRates + revRates.user.length;
  const src = new Uint32Array(numEdges);
  const dst = new Uint32Array(numEdges);
  for (let k = 0; k < numRates; k++) {
    src[k] = rates.user[k];
    dst[k] = numUsers + rates.item[k];
  }
  for (let k = numRates; k < numEdges; k++) {
    src[k] = numUsers + revRates.item[k - numRates];
    dst[k] = revRates.user[k - numRates];
  }
  const byDst = groupStable(dst, numNodes);
  const edgeSrc = new Uint32Array(numEdges);
  const edgeDst = new Uint32Array(numEdges);
  for (let slot = 0; slot < numEdges; slot++) {
    edgeSrc[slot] = src[byDst.order[slot]];
    edgeDst[slot] = dst[byDst.order[slot]];
  }
  // Grouping CSR slots by source, stably, lists each source's slots in increasing order.
  const bySrc = groupStable(edgeSrc, numNodes);

  const numLabels = labels.user.length;
  const labelUser = Uint32Array.from(labels.user);
  const labelItem = new Uint32Array(numLabels);
  for (let l = 0; l < numLabels; l++) labelItem[l] = numUsers + labels.item[l];
  // Each label touches two nodes, a user and an item; a node only ever sees one of the halves,
  // so within a node the label order stays increasing.
  const touched = new Uint32Array(2 * numLabels);
  touched.set(labelUser, 0);
  touched.set(labelItem, numLabels);
  const byNode = groupStable(touched, numNodes);
  const labEdge = byNode.order.map((k) => (k < numLabels ? k : k - numLabels));

  return {
    numUsers,
    numItems,
    nodeGlobal,
    dstPtr: byDst.ptr,
    edgeSrc,
    edgeDst,
    srcPtr: bySrc.ptr,
    srcEdge: bySrc.order,
    labelUser,
    labelItem,
    labelValue: Float32Array.from(labels.value),
    labPtr: byNode.ptr,
    labEdge,
  };
}

/** The whole dataset as one graph: every message-passing edge in both directions. */
export function fullGraph(numUsers: number, numItems: number, mpEdges: Pairs, labels: LabeledPairs): GraphArrays {
  return buildGraph({ numUsers, numItems, rates: mpEdges, revRates: mpEdges, labels });
}

/**
 * Counting sort of the positions 0..n-1 by key: positions with key k are
 * order[ptr[k]..ptr[k+1]), in increasing position order.
 */
function groupStable(keys: Uint32Array, numKeys: number): { ptr: Uint32Array; order: Uint32Array } {
  const ptr = new Uint32Array(numKeys + 1);
  for (let k = 0; k < keys.length; k++) ptr[keys[k] + 1]++;
  for (let k = 0; k < numKeys; k++) ptr[k + 1] += ptr[k];
  const next = ptr.slice(0, numKeys);
  const order = new Uint32Array(keys.length);
  for (let k = 0; k < keys.length; k++) order[next[keys[k]]++] = k;
  return { ptr, order };
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let k = 0; k < n; k++) a[k] = k;
  return a;
}
