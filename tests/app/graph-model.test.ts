// The graph view's model without a browser: the run's index (each rating's attention slots, each
// node's ratings), the neighbourhood drawn for a large graph (within its limits, the focus's
// strongest ratings by the view's attention, the explained pair kept), the small graph drawn
// whole, and the sentence that says what is shown. Attention here is arbitrary numbers laid out
// as a snapshot's: the model must rank whatever it is given.
import { describe, expect, it } from 'vitest';
import { loadRatings } from '../../src/cli/data';
import { fullGraph } from '../../src/graph/build';
import { selectPairs } from '../../src/graph/pairs';
import { splitByTime } from '../../src/graph/split';
import type { Ratings } from '../../src/graph/types';
import type { AttentionView, Pair } from '../../src/store/shown';
import { SEED_SETTINGS } from '../../src/train/settings';
import { buildGraphIndex, graphIndexOf, ratingsOf, type GraphIndex } from '../../src/ui/graphIndex';
import { alphaOf, buildGraphModel, describeFocus, MAX_DRAWN_NODES, type GraphModel } from '../../src/ui/graphModel';
import { NEIGHBOURHOOD_LIMITS } from '../../src/ui/neighbourhood';
import { searchIndexOf } from '../../src/ui/searchIndex';
import { Rng } from '../../src/util/rng';
import type { RunInfo, SnapshotData } from '../../src/worker/protocol';
import { ML_SMALL_DIR } from '../helpers/paths';

const HEADS = 2;
const LAYERS = 3;

/** A run's info as the worker describes it: a time split, message passing over `messagePassing`'s ratings. */
function runInfo(ratings: Ratings, messagePassing: 'train' | 'all' = 'train'): RunInfo {
  const numUsers = ratings.userNames.length;
  const numItems = ratings.itemNames.length;
  const split = splitByTime(ratings, 0.8);
  const train = new Uint8Array(ratings.user.length);
  for (const r of split.train) train[r] = 1;
  const trainPairs = selectPairs(ratings, split.train);
  const mp = messagePassing === 'all' ? { user: ratings.user, item: ratings.item } : trainPairs;
  const graph = fullGraph(numUsers, numItems, mp, trainPairs);
  return {
    runId: 1,
    settings: { ...SEED_SETTINGS, messagePassing },
    adapterName: 'none',
    paths: 'per op',
    datasetName: 'test',
    userNames: ratings.userNames,
    itemNames: ratings.itemNames,
    numUsers,
    numItems,
    ratings: { user: ratings.user, item: ratings.item, rating: ratings.rating, train, val: new Uint8Array(train.length) },
    graph: { edgeSrc: graph.edgeSrc, edgeDst: graph.edgeDst },
    layers: LAYERS,
    heads: HEADS,
    channels: 4,
    k: 5,
    stepsPerEpoch: 1,
    paramCount: 0,
    keepEvery: 1,
    notes: [],
  };
}

/** A snapshot whose attention is drawn at random, one value per slot, head and layer. */
function snapshot(info: RunInfo, seed: number): SnapshotData {
  const rng = new Rng(seed);
  const slots = info.graph.edgeSrc.length;
  return {
    epoch: seed,
    k: info.k,
    channels: info.channels,
    user: new Float32Array(info.numUsers * info.channels),
    item: new Float32Array(info.numItems * info.channels),
    topk: new Int32Array(info.numUsers * info.k).fill(-1),
    attention: Array.from({ length: LAYERS }, () => Float32Array.from({ length: slots * HEADS }, () => rng.float())),
  };
}

/** Ratings of `pairs` (user, item), 1..5 stars, in time order; ids named like MovieLens's. */
function ratingsTable(numUsers: number, numItems: number, pairs: [number, number][], rng: Rng): Ratings {
  return {
    userNames: Array.from({ length: numUsers }, (_, u) => String(u + 1)),
    itemNames: Array.from({ length: numItems }, (_, i) => `Movie number ${i + 1} (2000)`),
    user: Uint32Array.from(pairs, (p) => p[0]),
    item: Uint32Array.from(pairs, (p) => p[1]),
    rating: Float32Array.from(pairs, () => 1 + rng.int(5)),
    time: Float64Array.from(pairs, (_, k) => k),
  };
}

/** 4,000 users and 6,000 movies, ~60k ratings; user 0 rated 2,500 movies, movie 0 was rated by 1,500 users. */
function largeRatings(): Ratings {
  const rng = new Rng(11);
  const numUsers = 4000;
  const numItems = 6000;
  const pairs: [number, number][] = [];
  for (let k = 0; k < numUsers; k++) pairs.push([k, rng.int(numItems)]);
  for (let i = 0; i < numItems; i++) pairs.push([rng.int(numUsers), i]);
  for (let i = 1; i <= 2500; i++) pairs.push([0, i]);
  for (let u = 1; u <= 1500; u++) pairs.push([u, 0]);
  for (let k = 0; k < 50_000; k++) pairs.push([rng.int(numUsers), rng.int(numItems)]);
  rng.shuffle(pairs);
  return ratingsTable(numUsers, numItems, pairs, rng);
}

const VIEWS: AttentionView[] = [
  { layer: 3, head: 'mean', direction: 'rates' },
  { layer: 1, head: 0, direction: 'rev_rates' },
  { layer: 2, head: 1, direction: 'rates' },
];

/** α of a rating for the view, null when it carries none (as the view ranks them: last). */
function alphaOfRating(info: RunInfo, index: GraphIndex, snap: SnapshotData, view: AttentionView, r: number): number | null {
  const slot = view.direction === 'rates' ? index.toItem[r] : index.toUser[r];
  return alphaOf(snap, info.heads, slot, view.layer, view.head);
}

/** Every check a drawn neighbourhood must pass, whatever the graph. */
function checkNeighbourhood(info: RunInfo, index: GraphIndex, model: GraphModel, focusNode: number, pinnedNode: number, snap: SnapshotData, view: AttentionView) {
  const nodes = [...model.users, ...model.items].map((n) => n.node);
  expect(nodes.length).toBeLessThanOrEqual(MAX_DRAWN_NODES);
  expect(nodes.length).toBeLessThanOrEqual(2 + NEIGHBOURHOOD_LIMITS.neighbours + NEIGHBOURHOOD_LIMITS.secondHop);
  expect(model.edges.length).toBeLessThanOrEqual(NEIGHBOURHOOD_LIMITS.edges);
  expect(new Set(nodes).size).toBe(nodes.length);
  expect(nodes).toContain(focusNode);
  expect(nodes).toContain(pinnedNode);
  expect(model.focus!.node.node).toBe(focusNode);
  for (const n of model.users) expect(n.node).toBeLessThan(info.numUsers);
  for (const n of model.items) expect(n.node).toBeGreaterThanOrEqual(info.numUsers);

  // Every edge is a rating between two drawn nodes, and carries that rating's own facts.
  const drawn = new Set(nodes);
  for (const e of model.edges) {
    expect(info.ratings.user[e.rating]).toBe(e.user);
    expect(info.ratings.item[e.rating]).toBe(e.item);
    expect(drawn.has(e.user) && drawn.has(info.numUsers + e.item)).toBe(true);
  }
  // No node drawn without an edge (the pinned one may have none to the focus, but it brings its own).
  const touched = new Set(model.edges.flatMap((e) => [e.user, info.numUsers + e.item]));
  for (const n of nodes) expect(touched.has(n), `node ${n} has no edge`).toBe(true);

  // The focus's edges: exactly its strongest ratings by the view's α (ties to the earlier
  // rating), plus the one to the pinned node when it is not among them.
  const mine = [...ratingsOf(index, focusNode)];
  const strength = (r: number) => alphaOfRating(info, index, snap, view, r) ?? -1;
  const expected = [...mine].sort((p, q) => strength(q) - strength(p) || p - q).slice(0, NEIGHBOURHOOD_LIMITS.neighbours);
  const focusEdges = model.edges.filter((e) => (focusNode < info.numUsers ? e.user === focusNode : info.numUsers + e.item === focusNode)).map((e) => e.rating);
  expect(focusEdges.filter((r) => !expected.includes(r)).every((r) => (focusNode < info.numUsers ? info.numUsers + info.ratings.item[r] : info.ratings.user[r]) === pinnedNode)).toBe(true);
  expect(focusEdges).toEqual(expect.arrayContaining(expected));
  expect(model.focus!.strongest).toBe(expected.length);
  expect(model.focus!.ratings).toBe(mine.length);
}

describe('the run index', () => {
  it('finds each rating’s attention slot in both directions, gives a rating given twice two slots, and none to held-out ratings', () => {
    const rng = new Rng(3);
    const pairs: [number, number][] = [];
    for (let k = 0; k < 400; k++) pairs.push([rng.int(30), rng.int(50)]);
    pairs.push([4, 7], [4, 7], [4, 7]);
    for (const mp of ['train', 'all'] as const) {
      const info = runInfo(ratingsTable(30, 50, pairs, new Rng(5)), mp);
      const index = buildGraphIndex(info);
      const { edgeSrc, edgeDst } = info.graph;
      const used = new Set<number>();
      for (let r = 0; r < pairs.length; r++) {
        const u = info.ratings.user[r];
        const i = info.numUsers + info.ratings.item[r];
        if (mp === 'train' && info.ratings.train[r] === 0) {
          expect(index.toItem[r]).toBe(-1);
          expect(index.toUser[r]).toBe(-1);
          continue;
        }
        expect([edgeSrc[index.toItem[r]], edgeDst[index.toItem[r]]]).toEqual([u, i]);
        expect([edgeSrc[index.toUser[r]], edgeDst[index.toUser[r]]]).toEqual([i, u]);
        used.add(index.toItem[r]).add(index.toUser[r]);
      }
      // Every slot belongs to exactly one rating.
      expect(used.size).toBe(edgeSrc.length);
      // Each node's ratings, in order, are exactly the ratings that name it.
      for (const node of [0, 4, info.numUsers, info.numUsers + 7, info.numUsers + 49]) {
        const want = pairs.flatMap(([u, i], r) => ((node < info.numUsers ? u === node : info.numUsers + i === node) ? [r] : []));
        expect([...ratingsOf(index, node)]).toEqual(want);
      }
      const trainOf = (node: number) => [...ratingsOf(index, node)].filter((r) => info.ratings.train[r] === 1).length;
      expect(index.trainDegree[4]).toBe(trainOf(4));
      expect(index.trainDegree[info.numUsers + 7]).toBe(trainOf(info.numUsers + 7));
    }
  });

  it('is built once per run: the graph view and both search boxes share it, and a new run gets its own', () => {
    const ratings = ratingsTable(20, 30, [[0, 0], [1, 2], [0, 2], [5, 29]], new Rng(1));
    const run = runInfo(ratings);
    const next = { ...runInfo(ratings), runId: 2 };
    expect(graphIndexOf(run)).toBe(graphIndexOf(run));
    expect(searchIndexOf(run)).toBe(searchIndexOf(run));
    expect(graphIndexOf(next)).not.toBe(graphIndexOf(run));
    expect(searchIndexOf(next)).not.toBe(searchIndexOf(run));
    // The search ranks by the index's rating counts: user 1 and Movie number 3 have two each, the rest one.
    expect(searchIndexOf(run).entries.slice(0, 2).map((e) => e.label)).toEqual(['user 1', 'Movie number 3 (2000)']);
  });
});

describe('the neighbourhood of a large graph', () => {
  const info = runInfo(largeRatings());
  const index = buildGraphIndex(info);
  const snaps = [snapshot(info, 1), snapshot(info, 2)];

  it('stays within 40 nodes and 160 edges on a 10,000-node graph, keeps the focus and the explained pair, and draws the focus’s strongest ratings by the view’s attention', () => {
    expect(info.numUsers + info.numItems).toBe(10_000);
    const rng = new Rng(9);
    // The hubs (user 0: 2,500 ratings; movie 0: 1,500) and random nodes, each end focused in turn.
    const pairs: Pair[] = [{ user: 0, item: 0 }, { user: 0, item: 3000 }, { user: 17, item: 0 }];
    for (let k = 0; k < 6; k++) pairs.push({ user: rng.int(info.numUsers), item: rng.int(info.numItems) });
    for (const pair of pairs) {
      for (const focus of ['user', 'item'] as const) {
        VIEWS.forEach((view, v) => {
          const snap = snaps[v % snaps.length];
          const model = buildGraphModel(info, index, pair, focus, view, snap);
          expect(model.partial).toBe(true);
          const [focusNode, pinnedNode] = focus === 'user' ? [pair.user, info.numUsers + pair.item] : [info.numUsers + pair.item, pair.user];
          checkNeighbourhood(info, index, model, focusNode, pinnedNode, snap, view);
        });
      }
    }
  });

  it('follows the attention: another epoch’s α picks other ratings of the hub, and its neighbours bring their own strongest', () => {
    const view = VIEWS[0];
    const [a, b] = snaps.map((s) => buildGraphModel(info, index, { user: 0, item: 0 }, 'user', view, s));
    const mine = (m: GraphModel) => m.edges.filter((e) => e.user === 0).map((e) => e.rating).sort((p, q) => p - q);
    expect(mine(a)).not.toEqual(mine(b));
    // The hub's neighbours reached further users: the focus's column holds more than the focus.
    expect(a.users.length).toBeGreaterThan(1);
    expect(a.users.length).toBeLessThanOrEqual(1 + NEIGHBOURHOOD_LIMITS.secondHop);
    // Each user beside the focus is one of a drawn movie's strongest other raters.
    const drawnItems = new Set(a.items.map((n) => n.node));
    const strength = (r: number) => alphaOfRating(info, index, snaps[0], view, r) ?? -1;
    const bestOthers = new Set<number>();
    for (const m of drawnItems) {
      const others = [...ratingsOf(index, m)].filter((r) => info.ratings.user[r] !== 0).sort((p, q) => strength(q) - strength(p) || p - q);
      for (const r of others.slice(0, NEIGHBOURHOOD_LIMITS.perNeighbour)) bestOthers.add(info.ratings.user[r]);
    }
    for (const u of a.users) if (u.node !== 0) expect(bestOthers.has(u.node)).toBe(true);
  });

  it('draws all of a node’s ratings when it has few, and says so', () => {
    const few = [...Array(info.numUsers).keys()].find((u) => index.ratingPtr[u + 1] - index.ratingPtr[u] === 3)!;
    const view = VIEWS[0];
    const model = buildGraphModel(info, index, { user: few, item: 0 }, 'user', view, snaps[0]);
    const theirs = model.edges.filter((e) => e.user === few).map((e) => e.rating);
    expect(theirs.sort((p, q) => p - q)).toEqual([...ratingsOf(index, few)]);
    expect(describeFocus(model.focus!, info, view)).toMatch(new RegExp(`^All 3 of user ${few + 1}’s ratings, with each movie’s strongest other ratings by conv3 attention \\(mean of the heads, users → movies\\)\\.`));
  });

  it('reads only the neighbourhood’s ratings when the focus moves, never the whole table', () => {
    let reads = 0;
    const counted = <T extends object>(a: T): T =>
      new Proxy(a, {
        get(target, key) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          const v = (target as Record<string | symbol, unknown>)[key];
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    const { user, item, rating, train, val } = info.ratings;
    const watched: RunInfo = { ...info, ratings: { user: counted(user), item: counted(item), rating: counted(rating), train: counted(train), val: counted(val) } };
    for (const pair of [{ user: 0, item: 0 }, { user: 5, item: 9 }]) {
      for (const focus of ['user', 'item'] as const) {
        reads = 0;
        const model = buildGraphModel(watched, index, pair, focus, VIEWS[0], snaps[0]);
        const degrees = [...model.users, ...model.items].reduce((s, n) => s + ratingsOf(index, n.node).length, 0);
        // A few reads per rating of a drawn node, a few per drawn edge: the neighbourhood's size.
        expect(reads).toBeLessThanOrEqual(2 * degrees + 5 * model.edges.length);
        expect(reads).toBeLessThan(user.length / 4);
      }
    }
  });
});

describe('the small graph', () => {
  it('is drawn whole, whatever the pair, the focus and the view', () => {
    const rng = new Rng(4);
    const pairs: [number, number][] = [];
    for (let u = 0; u < 8; u++) for (let i = 0; i < 10; i++) if (rng.float() < 0.5) pairs.push([u, i]);
    const info = runInfo(ratingsTable(8, 10, pairs, rng));
    const index = buildGraphIndex(info);
    const a = buildGraphModel(info, index, { user: 0, item: 0 }, 'user', VIEWS[0], snapshot(info, 1));
    const b = buildGraphModel(info, index, { user: 7, item: 9 }, 'item', VIEWS[1], snapshot(info, 2));
    for (const m of [a, b]) {
      expect(m.partial).toBe(false);
      expect(m.focus).toBeNull();
      expect(m.users.map((n) => n.index)).toEqual([...Array(8).keys()]);
      expect(m.items.map((n) => n.index)).toEqual([...Array(10).keys()]);
      expect(m.edges.map((e) => e.rating)).toEqual([...pairs.keys()]);
    }
  });
});

describe('MovieLens (ml-latest-small)', () => {
  it('indexes 100,836 ratings once, then draws user 414’s strongest 12 of 2,698 and says so', () => {
    const info = runInfo(loadRatings(`${ML_SMALL_DIR}ratings.csv`));
    expect(info.ratings.user.length).toBe(100_836);
    const index = buildGraphIndex(info);
    const snap = snapshot(info, 7);
    const user = info.userNames.indexOf('414');
    const item = info.itemNames.indexOf('Toy Story (1995)');
    const view: AttentionView = { layer: 3, head: 'mean', direction: 'rates' };
    const model = buildGraphModel(info, index, { user, item }, 'user', view, snap);
    checkNeighbourhood(info, index, model, user, info.numUsers + item, snap, view);
    const words = describeFocus(model.focus!, info, view);
    expect(words).toMatch(/^The 12 strongest of user 414’s 2,698 ratings by conv3 attention \(mean of the heads, users → movies\), with each movie’s strongest other ratings\./);
    // Toy Story is pinned only when it is not among the 12.
    const toyStoryDrawnAsStrong = model.edges.some((e) => e.user === user && e.item === item) && !model.focus!.pinned;
    expect(words.includes('The explained movie, Toy Story (1995), is drawn too.')).toBe(!toyStoryDrawnAsStrong);

    const byMovie = buildGraphModel(info, index, { user, item }, 'item', { layer: 1, head: 1, direction: 'rev_rates' }, snap);
    checkNeighbourhood(info, index, byMovie, info.numUsers + item, user, snap, { layer: 1, head: 1, direction: 'rev_rates' });
    expect(describeFocus(byMovie.focus!, info, { layer: 1, head: 1, direction: 'rev_rates' })).toMatch(/^The 12 strongest of Toy Story \(1995\)’s 215 ratings by conv1 attention \(head 2, movies → users\), with each user’s strongest other ratings\./);
  });
});
