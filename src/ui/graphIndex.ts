// What the graph view looks up about a run, built once per run so that choosing another user or
// movie costs the size of its neighbourhood, never a pass over all ratings: each node's ratings,
// and the evaluation-graph slots (where attention is read) of each rating in either direction.
import type { RunInfo } from '../worker/protocol';

export interface GraphIndex {
  /** Ratings of node n (users first, then items) are ratingIds[ratingPtr[n] .. ratingPtr[n + 1]), in rating order. */
  ratingPtr: Uint32Array;
  ratingIds: Uint32Array;
  /** Evaluation-graph slot of each rating's user → item message (rates), or -1 when it carries none. */
  toItem: Int32Array;
  /** Slot of each rating's item → user message (rev_rates), or -1. */
  toUser: Int32Array;
  /** Training ratings of each node. */
  trainDegree: Uint32Array;
}

const built = new WeakMap<RunInfo, GraphIndex>();

/** The run's index, built on first use and kept as long as the run's info is. */
export function graphIndexOf(info: RunInfo): GraphIndex {
  let index = built.get(info);
  if (!index) {
    index = buildGraphIndex(info);
    built.set(info, index);
  }
  return index;
}

export function buildGraphIndex(info: RunInfo): GraphIndex {
  const { numUsers, numItems, ratings } = info;
  const numNodes = numUsers + numItems;
  const count = ratings.user.length;

  const ratingPtr = new Uint32Array(numNodes + 1);
  const trainDegree = new Uint32Array(numNodes);
  for (let r = 0; r < count; r++) {
    ratingPtr[ratings.user[r] + 1]++;
    ratingPtr[numUsers + ratings.item[r] + 1]++;
    if (ratings.train[r] === 1) {
      trainDegree[ratings.user[r]]++;
      trainDegree[numUsers + ratings.item[r]]++;
    }
  }
  for (let n = 0; n < numNodes; n++) ratingPtr[n + 1] += ratingPtr[n];
  const ratingIds = new Uint32Array(2 * count);
  const next = ratingPtr.slice(0, numNodes);
  for (let r = 0; r < count; r++) {
    ratingIds[next[ratings.user[r]]++] = r;
    ratingIds[next[numUsers + ratings.item[r]]++] = r;
  }

  // A (src, dst) pair can own several slots (a rating given twice): its slots, in slot order, go
  // to its ratings in rating order. `first` holds each pair's next unclaimed slot, `after` the
  // slot that follows it for the same pair.
  const { edgeSrc, edgeDst } = info.graph;
  const first = new Map<number, number>();
  const after = new Int32Array(edgeSrc.length);
  for (let e = edgeSrc.length - 1; e >= 0; e--) {
    const key = edgeSrc[e] * numNodes + edgeDst[e];
    after[e] = first.get(key) ?? -1;
    first.set(key, e);
  }
  const claim = (src: number, dst: number) => {
    const key = src * numNodes + dst;
    const e = first.get(key) ?? -1;
    if (e >= 0) first.set(key, after[e]);
    return e;
  };
  const toItem = new Int32Array(count).fill(-1);
  const toUser = new Int32Array(count).fill(-1);
  const everyRating = info.settings.messagePassing === 'all';
  for (let r = 0; r < count; r++) {
    if (!everyRating && ratings.train[r] !== 1) continue;
    const u = ratings.user[r];
    const i = numUsers + ratings.item[r];
    toItem[r] = claim(u, i);
    toUser[r] = claim(i, u);
  }
  return { ratingPtr, ratingIds, toItem, toUser, trainDegree };
}

/** The ratings of one node (a view into the index). */
export function ratingsOf(index: GraphIndex, node: number): Uint32Array {
  return index.ratingIds.subarray(index.ratingPtr[node], index.ratingPtr[node + 1]);
}
