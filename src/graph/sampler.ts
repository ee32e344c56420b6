// Mini-batches the way PyG's LinkNeighborLoader makes them for a heterogeneous bipartite graph
// (disjoint=False): shuffled supervision edges in chunks, optional random negatives, and a
// neighbourhood sampled hop by hop around the chunk's endpoints.
//
// The objective decides the labels: MSE learns the ratings (negatives 0); BCE labels every rating
// 1 and its negatives 0; BPR draws exactly one negative per rating, for the same user, and lays
// the labels out as the loss kernels pair them: the n ratings first, then their n negatives,
// negative l + n paired with rating l.
//
// Everything that costs O(E) (incoming adjacency, the known-pair set) is built once per
// dataset and split in the constructor; a batch then costs time in proportion to its own size.
import { buildGraph } from './build';
import { checkPairs, type LabeledPairs, type Pairs } from './pairs';
import type { GraphArrays } from './types';
import type { Rng } from '../util/rng';
import { InputError } from '../util/errors';
import type { LossKind } from '../gpu/layout';

export interface SamplerOptions {
  numUsers: number;
  numItems: number;
  /** The edges messages may travel along (user → item, and reversed item → user). */
  mpEdges: Pairs;
  /** The training ratings, whose values the model learns to predict. */
  supervision: LabeledPairs;
  /** Supervision edges per batch, or 'full' for one batch holding the whole graph. */
  batchSize: number | 'full';
  /** Neighbours sampled per node at each hop; -1 takes them all. */
  neighbors: number[];
  /** Negatives (label 0) per supervision edge of a batch, rounded per batch. */
  negRatio: number;
  /** Every pair that must not be drawn as a negative (all known ratings, test included). */
  allEdgesForNegCheck: Pairs;
  /** The objective the labels are for; the seed's 'mse' when absent. */
  loss?: LossKind;
}

/** Incoming message-passing edges per destination, as the source of each, in edge input order. */
interface Incoming {
  ptr: Uint32Array;
  src: Uint32Array;
}

// Rejection sampling gives up after this many draws per wanted negative, so a nearly complete
// graph yields fewer negatives instead of spinning.
const NEG_TRIES_PER_NEGATIVE = 1000;

export class Sampler {
  private readonly opts: SamplerOptions;
  /** Per user: the items of its incoming rev_rates edges. */
  private readonly userIn: Incoming;
  /** Per item: the users of its incoming rates edges. */
  private readonly itemIn: Incoming;
  private readonly known = new Set<number>();
  /** Per user: known pairs (BPR skips a user who has rated every item). */
  private readonly knownPerUser: Uint32Array;
  private readonly loss: LossKind;
  /** Dataset node → index among the batch's users (or items), -1 outside the batch being built. */
  private readonly localOf: Int32Array;
  // Per-batch working lists, reused so that a batch allocates little besides its result.
  /** The batch's nodes (dataset node ids), per type, in local order. */
  private readonly users = new U32List();
  private readonly items = new U32List();
  /** Sampled edges as local indices (user index, item index). */
  private readonly ratesUser = new U32List();
  private readonly ratesItem = new U32List();
  private readonly revUser = new U32List();
  private readonly revItem = new U32List();
  /** One node's sampled sources. */
  private readonly sources = new U32List();
  /** Per position in an adjacency list: the call of sampleIncoming that last took it. */
  private readonly mark: Uint32Array;
  private stamp = 0;
  private fullCache: GraphArrays | undefined;

  constructor(opts: SamplerOptions) {
    const { numUsers, numItems, mpEdges, supervision, allEdgesForNegCheck, batchSize, neighbors, negRatio } = opts;
    if (!isCount(numUsers) || !isCount(numItems)) {
      throw new InputError(`sampler: bad node counts ${numUsers} users, ${numItems} items`);
    }
    checkPairs('message-passing edges', mpEdges, numUsers, numItems);
    checkPairs('supervision', supervision, numUsers, numItems);
    if (supervision.value.length !== supervision.user.length) {
      throw new InputError('supervision: value and user lengths differ');
    }
    checkPairs('known edges', allEdgesForNegCheck, numUsers, numItems);
    if (batchSize !== 'full' && !(isCount(batchSize) && batchSize > 0)) {
      throw new InputError(`batch size must be a positive integer or 'full', got ${batchSize}`);
    }
    for (const k of neighbors) {
      if (!Number.isInteger(k) || k < -1) throw new InputError(`neighbours per hop must be integers >= -1, got ${k}`);
    }
    if (!(negRatio >= 0 && Number.isFinite(negRatio))) {
      throw new InputError(`negative ratio must be finite and >= 0, got ${negRatio}`);
    }
    this.loss = opts.loss ?? 'mse';
    if (this.loss === 'bce' && negRatio === 0) {
      throw new InputError('the bce loss needs negatives: with 0 negatives per rating every label is 1 (set the negatives per rating, --neg-ratio, above 0)');
    }
    // BCE and BPR learn that a rating happened, not its value.
    const labels = this.loss === 'mse' ? supervision : { ...supervision, value: new Float32Array(supervision.value.length).fill(1) };
    this.opts = { ...opts, supervision: labels, neighbors: [...neighbors] };
    this.userIn = incoming(mpEdges.user, mpEdges.item, numUsers);
    this.itemIn = incoming(mpEdges.item, mpEdges.user, numItems);
    this.knownPerUser = new Uint32Array(numUsers);
    for (let k = 0; k < allEdgesForNegCheck.user.length; k++) {
      const key = allEdgesForNegCheck.user[k] * numItems + allEdgesForNegCheck.item[k];
      if (!this.known.has(key)) this.knownPerUser[allEdgesForNegCheck.user[k]]++;
      this.known.add(key);
    }
    this.localOf = new Int32Array(numUsers + numItems).fill(-1);
    this.mark = new Uint32Array(Math.max(maxDegree(this.userIn), maxDegree(this.itemIn)));
  }

  /**
   * One epoch's batches. With 'full' and no negatives the graph never changes, so the same
   * object comes back every epoch (read-only: callers may skip re-uploading it).
   */
  planEpoch(rng: Rng): GraphArrays[] {
    const { supervision, batchSize } = this.opts;
    const n = supervision.user.length;
    if (batchSize === 'full') return [this.fullBatch(rng)];
    const order = new Uint32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    rng.shuffle(order);
    const batches: GraphArrays[] = [];
    for (let start = 0; start < n; start += batchSize) {
      batches.push(this.sampledBatch(order.subarray(start, Math.min(n, start + batchSize)), rng));
    }
    return batches;
  }

  private fullBatch(rng: Rng): GraphArrays {
    const { numUsers, numItems, mpEdges, supervision, negRatio } = this.opts;
    let positives = supervision;
    let negatives: Pairs;
    if (this.loss === 'bpr') {
      const drawn = this.pairNegatives(supervision.user, rng);
      if (drawn.kept.length < supervision.user.length) positives = pick(supervision, drawn.kept);
      negatives = drawn.negatives;
    } else {
      negatives = this.drawNegatives(Math.round(negRatio * supervision.user.length), rng);
    }
    if (negatives.user.length === 0 && this.fullCache !== undefined) return this.fullCache;
    const graph = buildGraph({
      numUsers,
      numItems,
      rates: mpEdges,
      revRates: mpEdges,
      labels: withNegatives(positives, negatives),
    });
    if (negatives.user.length === 0) this.fullCache = graph;
    return graph;
  }

  private sampledBatch(batch: Uint32Array, rng: Rng): GraphArrays {
    const { numUsers, supervision, negRatio, neighbors } = this.opts;
    let chunk = batch;
    let negatives: Pairs;
    if (this.loss === 'bpr') {
      const drawn = this.pairNegatives(Uint32Array.from(batch, (k) => supervision.user[k]), rng);
      chunk = Uint32Array.from(drawn.kept, (k) => batch[k]);
      negatives = drawn.negatives;
    } else {
      negatives = this.drawNegatives(Math.round(negRatio * chunk.length), rng);
    }
    const { localOf, users, items, ratesUser, ratesItem, revUser, revItem, sources } = this;
    for (const list of [users, items, ratesUser, ratesItem, revUser, revItem]) list.clear();

    // Batch nodes in order of first appearance, per type: first the endpoints of the labels.
    const numPos = chunk.length;
    const numLabels = numPos + negatives.user.length;
    const labelUser = new Uint32Array(numLabels);
    const labelItem = new Uint32Array(numLabels);
    const labelValue = new Float32Array(numLabels);
    for (let l = 0; l < numLabels; l++) {
      const pos = l < numPos;
      const u = pos ? supervision.user[chunk[l]] : negatives.user[l - numPos];
      const i = pos ? supervision.item[chunk[l]] : negatives.item[l - numPos];
      labelUser[l] = this.addNode(u, users);
      labelItem[l] = this.addNode(numUsers + i, items);
      if (pos) labelValue[l] = supervision.value[chunk[l]];
    }

    // Each node is expanded once, at the hop after it first appears (PyG's disjoint=False), so
    // a hop's frontier is the run of nodes the previous hop appended.
    let userFrom = 0;
    let itemFrom = 0;
    for (const fanout of neighbors) {
      const userTo = users.length;
      const itemTo = items.length;
      for (let k = userFrom; k < userTo; k++) {
        sources.clear();
        this.sampleIncoming(this.userIn, users.data[k], fanout, rng);
        for (let s = 0; s < sources.length; s++) {
          revItem.push(this.addNode(numUsers + sources.data[s], items));
          revUser.push(k);
        }
      }
      for (let k = itemFrom; k < itemTo; k++) {
        sources.clear();
        this.sampleIncoming(this.itemIn, items.data[k] - numUsers, fanout, rng);
        for (let s = 0; s < sources.length; s++) {
          ratesUser.push(this.addNode(sources.data[s], users));
          ratesItem.push(k);
        }
      }
      userFrom = userTo;
      itemFrom = itemTo;
    }

    const nodeGlobal = new Uint32Array(users.length + items.length);
    nodeGlobal.set(users.view(), 0);
    nodeGlobal.set(items.view(), users.length);
    // buildGraph copies what it keeps, so the reusable lists can be handed over as views.
    const graph = buildGraph({
      numUsers: users.length,
      numItems: items.length,
      nodeGlobal,
      rates: { user: ratesUser.view(), item: ratesItem.view() },
      revRates: { user: revUser.view(), item: revItem.view() },
      labels: { user: labelUser, item: labelItem, value: labelValue },
    });
    for (const n of nodeGlobal) localOf[n] = -1;
    return graph;
  }

  /** The node's index among the batch's nodes of its type, appending it to `list` if new. */
  private addNode(node: number, list: U32List): number {
    let local = this.localOf[node];
    if (local < 0) {
      local = list.length;
      this.localOf[node] = local;
      list.push(node);
    }
    return local;
  }

  /**
   * Appends to `sources` up to `fanout` of the node's incoming edges (as their source), drawn
   * uniformly without replacement; all of them when fanout is -1 or the node has no more.
   * Floyd's algorithm draws in O(fanout) whatever the degree; `mark` (stamped, never cleared)
   * remembers which positions this call has taken.
   */
  private sampleIncoming(adj: Incoming, node: number, fanout: number, rng: Rng): void {
    const begin = adj.ptr[node];
    const degree = adj.ptr[node + 1] - begin;
    const sources = this.sources;
    if (fanout < 0 || degree <= fanout) {
      for (let k = 0; k < degree; k++) sources.push(adj.src[begin + k]);
      return;
    }
    const mark = this.mark;
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      mark.fill(0);
      this.stamp = 1;
    }
    for (let j = degree - fanout; j < degree; j++) {
      let t = rng.int(j + 1);
      if (mark[t] === this.stamp) t = j;
      mark[t] = this.stamp;
      sources.push(adj.src[begin + t]);
    }
  }

  /**
   * BPR's negatives: for each rating (by its user) in order, one item the user has not rated (test
   * ratings included), uniform by rejection. A user who has rated every item has none: that
   * rating sits out, as a pair needs both sides. Returns the ratings kept and their negatives.
   */
  private pairNegatives(users: ArrayLike<number>, rng: Rng): { kept: Uint32Array; negatives: Pairs } {
    const { numItems } = this.opts;
    const kept: number[] = [];
    const item: number[] = [];
    for (let l = 0; l < users.length; l++) {
      const u = users[l];
      if (this.knownPerUser[u] >= numItems) continue;
      let i = rng.int(numItems);
      for (let tries = 1; this.known.has(u * numItems + i); tries++) {
        // Past the budget (a user with nearly every item rated), the next free item after the draw.
        i = tries < NEG_TRIES_PER_NEGATIVE ? rng.int(numItems) : (i + 1) % numItems;
      }
      kept.push(l);
      item.push(i);
    }
    return { kept: Uint32Array.from(kept), negatives: { user: Uint32Array.from(kept, (l) => users[l]), item: Uint32Array.from(item) } };
  }

  /** Uniform random (user, item) pairs that are not known ratings, by rejection. */
  private drawNegatives(count: number, rng: Rng): Pairs {
    const { numUsers, numItems } = this.opts;
    const user: number[] = [];
    const item: number[] = [];
    const free = numUsers * numItems - this.known.size;
    let tries = free > 0 ? count * NEG_TRIES_PER_NEGATIVE : 0;
    while (user.length < count && tries-- > 0) {
      const u = rng.int(numUsers);
      const i = rng.int(numItems);
      if (this.known.has(u * numItems + i)) continue;
      user.push(u);
      item.push(i);
    }
    return { user: Uint32Array.from(user), item: Uint32Array.from(item) };
  }
}

/** One epoch's batches from a sampler built for this call alone (fine for small graphs). */
export function planEpoch(opts: SamplerOptions, rng: Rng): GraphArrays[] {
  return new Sampler(opts).planEpoch(rng);
}

function incoming(dst: Uint32Array, src: Uint32Array, numDst: number): Incoming {
  const ptr = new Uint32Array(numDst + 1);
  for (let k = 0; k < dst.length; k++) ptr[dst[k] + 1]++;
  for (let d = 0; d < numDst; d++) ptr[d + 1] += ptr[d];
  const next = ptr.slice(0, numDst);
  const out = new Uint32Array(dst.length);
  for (let k = 0; k < dst.length; k++) out[next[dst[k]]++] = src[k];
  return { ptr, src: out };
}

function maxDegree(adj: Incoming): number {
  let max = 0;
  for (let d = 0; d + 1 < adj.ptr.length; d++) max = Math.max(max, adj.ptr[d + 1] - adj.ptr[d]);
  return max;
}

/** A growable list of u32 (a plain array of numbers would box and reallocate more). */
class U32List {
  data = new Uint32Array(1024);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(2 * this.data.length);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  clear(): void {
    this.length = 0;
  }

  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

function withNegatives(positives: LabeledPairs, negatives: Pairs): LabeledPairs {
  const n = positives.user.length;
  const m = negatives.user.length;
  const user = new Uint32Array(n + m);
  const item = new Uint32Array(n + m);
  user.set(positives.user);
  user.set(negatives.user, n);
  item.set(positives.item);
  item.set(negatives.item, n);
  const value = new Float32Array(n + m);
  value.set(positives.value);
  return { user, item, value };
}

/** The pairs at `at`, in that order. */
function pick(pairs: LabeledPairs, at: Uint32Array): LabeledPairs {
  return { user: Uint32Array.from(at, (k) => pairs.user[k]), item: Uint32Array.from(at, (k) => pairs.item[k]), value: Float32Array.from(at, (k) => pairs.value[k]) };
}

function isCount(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}
