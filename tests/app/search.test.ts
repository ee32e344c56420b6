// The Search card's path through the app: the engine host compares KNN-MIPS with the exact top-K
// on real WebGPU (Dawn in Node, SwiftShader) between training chunks without changing the run, and
// the store checks R, T, E, keeps one comparison in flight and drops replies of an earlier run.
import { describe, expect, it } from 'vitest';
import { SEED_SETTINGS, type RunSettings } from '../../src/train/settings';
import { Rng } from '../../src/util/rng';
import type { SearchReport, ToWorker } from '../../src/worker/protocol';
import { hostHarness, type Msg } from '../helpers/engineHost';
import { startedStore } from '../helpers/runStore';

// 40 users, 65 movies: E = 64 links every movie to every other one.
function ratingsCsv(): string {
  const rng = new Rng(5);
  const lines = ['userId,movieId,rating,timestamp'];
  for (let r = 0; r < 900; r++) lines.push(`${(r < 40 ? r : rng.int(40)) + 1},${(r < 65 ? r : rng.int(65)) + 1},${1 + rng.int(5)},${r}`);
  return lines.join('\n');
}

const settings: RunSettings = { ...SEED_SETTINGS, batchSize: 'full', hidden: 8, epochs: 6, k: 10 };
const dataset = { kind: 'csv' as const, name: 'ratings.csv', ratings: ratingsCsv() };

describe('the engine host compares KNN-MIPS with the exact top-K', () => {
  it('on the current epoch, reusing the item graph while E stays, never changing the run', async () => {
    // The same run without any search, for its losses and Recall@K.
    const plain = hostHarness();
    const plainReady = plain.next('ready');
    plain.send({ type: 'reset', runId: 1, settings, dataset });
    await plainReady;
    const plainDone = plain.next('stopped', (m) => m.status === 'done');
    plain.send({ type: 'play', runId: 1, speed: 20 });
    await plainDone;
    const plainMetrics = plain.inbox.filter((m): m is Msg<'progress'> => m.type === 'progress').flatMap((p) => p.metrics);

    const h = hostHarness();
    const ready = h.next('ready');
    h.send({ type: 'reset', runId: 1, settings, dataset });
    await ready;
    const search = async (requestId: number, restarts: number, steps: number, expansions: number, runId = 1) => {
      const reply = h.next('searched', (m) => m.requestId === requestId);
      h.send({ type: 'search', requestId, runId, settings: { restarts, steps, expansions } });
      return reply;
    };

    // A complete graph: two steps score every movie, so KNN-MIPS is the exact search.
    const complete = (await search(1, 1, 2, 64)).report!;
    expect(complete).toMatchObject({ epoch: 0, k: 10, numUsers: 40, numItems: 65, recall: 1, settings: { restarts: 1, steps: 2, expansions: 64 } });
    expect(complete.buildMs).toBeGreaterThan(0);
    // Same epoch and E: the graph is reused; one step from each start scores 64 movies.
    const again = (await search(2, 1, 1, 64)).report!;
    expect(again.buildMs).toBe(0);
    // Two neighbours, one step: at most 2 of each user's 10.
    const small = (await search(3, 1, 1, 2)).report!;
    expect(small.buildMs).toBeGreaterThan(0);
    expect(small.recall).toBeLessThanOrEqual(0.2 + 1e-9);

    // Searches sent while the run plays (an epoch per chunk at 20 epochs a second) wait for the
    // chunk in progress and run before the next; the run is as without them.
    const done = h.next('stopped', (m) => m.status === 'done');
    h.send({ type: 'play', runId: 1, speed: 20 });
    const during = [search(4, 8, 8, 16), search(5, 2, 2, 4)];
    const reports = (await Promise.all(during)).map((m) => m.report!) as SearchReport[];
    await done;
    for (const r of reports) {
      expect(r.epoch).toBe(1);
      expect(r.recall).toBeGreaterThanOrEqual(0);
      expect(r.recall).toBeLessThanOrEqual(1);
    }
    const metrics = h.inbox.filter((m): m is Msg<'progress'> => m.type === 'progress').flatMap((p) => p.metrics);
    const strip = (ms: typeof metrics) => ms.map(({ ms: _ms, ...rest }) => rest);
    expect(strip(metrics)).toEqual(strip(plainMetrics));

    // After the run: the last epoch's embeddings.
    expect((await search(6, 1, 2, 64)).report).toMatchObject({ epoch: 6, recall: 1 });

    // Another run's request, and values the kernels cannot hold, are answered with a reason.
    expect(await search(7, 1, 1, 4, 99)).toMatchObject({ report: null, error: 'the run has changed' });
    const tooWide = await search(8, 1, 1, 65);
    expect(tooWide.report).toBeNull();
    expect(tooWide.error).toMatch(/neighbors \(E\) must be an integer in \[1, 64\], got 65/);
  });
});

const report = (epoch: number, recall: number): SearchReport => ({
  epoch,
  settings: { restarts: 8, steps: 8, expansions: 16 },
  k: 1,
  numUsers: 3,
  numItems: 3,
  recall,
  knnMs: 1,
  exactMs: 2,
  buildMs: 3,
});

describe('the store’s search', () => {
  function setup() {
    const f = startedStore();
    const reset = f.sent.find((m) => m.type === 'reset') as Extract<ToWorker, { type: 'reset' }>;
    const info = { runId: reset.runId, settings: reset.settings, adapterName: 'test', paths: 'per op', datasetName: 'toy', userNames: ['a'], itemNames: ['x'], numUsers: 1, numItems: 1 };
    const snapshot = { epoch: 0, k: 1, channels: 1, user: new Float32Array(1), item: new Float32Array(1), topk: new Int32Array(1), attention: [] };
    const ratings = { user: new Uint32Array(0), item: new Uint32Array(0), rating: new Float32Array(0), train: new Uint8Array(0), val: new Uint8Array(0) };
    f.deliver({
      type: 'ready',
      info: { ...info, ratings, graph: { edgeSrc: new Uint32Array(0), edgeDst: new Uint32Array(0) }, layers: 1, heads: 1, channels: 1, k: 1, stepsPerEpoch: 1, paramCount: 1, keepEvery: 1, notes: [] },
      metrics: [],
      snapshot,
      recall: 0,
    });
    return { ...f, runId: reset.runId };
  }
  const searches = (sent: ToWorker[]) => sent.filter((m): m is Extract<ToWorker, { type: 'search' }> => m.type === 'search');

  it('checks R, T, E as the command line does: clamped or kept, with a message', () => {
    const { store } = setup();
    expect(store.getState().searchSettings).toEqual({ restarts: 8, steps: 8, expansions: 16 });
    store.getState().setSearchSettings({ restarts: '3', expansions: '100' });
    expect(store.getState().searchSettings).toEqual({ restarts: 3, steps: 8, expansions: 64 });
    expect(store.getState().searchIssues.map((i) => i.message)).toEqual(['the expansions E (neighbours per item) must be in [1, 64], got 100; using 64']);
    store.getState().setSearchSettings({ steps: 'two' });
    expect(store.getState().searchSettings.steps).toBe(8);
    expect(store.getState().searchIssues[0].message).toMatch(/greedy steps T must be a whole number, got "two"; using 8/);
  });

  it('sends one comparison at a time with the run and the settings, and shows its report or its error', () => {
    const { store, sent, deliver, runId } = setup();
    store.getState().setSearchSettings({ restarts: 2 });
    store.getState().runSearch();
    store.getState().runSearch();
    expect(searches(sent)).toHaveLength(1);
    const asked = searches(sent)[0];
    expect(asked).toMatchObject({ runId, settings: { restarts: 2, steps: 8, expansions: 16 } });
    expect(store.getState().searching).toBe(true);
    deliver({ type: 'searched', requestId: asked.requestId, runId, report: report(0, 0.75) });
    expect(store.getState()).toMatchObject({ searching: false, searchError: null, searchReport: { recall: 0.75 } });

    store.getState().runSearch();
    const second = searches(sent)[1];
    deliver({ type: 'searched', requestId: second.requestId, runId, report: null, error: 'out of memory' });
    // The failure is said; the last good report stays.
    expect(store.getState()).toMatchObject({ searching: false, searchError: 'out of memory', searchReport: { recall: 0.75 } });
  });

  it('a new run forgets the report, and a reply for the run before is dropped', () => {
    const { store, sent, deliver, runId } = setup();
    store.getState().runSearch();
    const asked = searches(sent)[0];
    deliver({ type: 'searched', requestId: asked.requestId, runId, report: report(0, 0.5) });
    store.getState().runSearch();
    const pending = searches(sent)[1];
    store.getState().reset();
    expect(store.getState()).toMatchObject({ searchReport: null, searching: false });
    deliver({ type: 'searched', requestId: pending.requestId, runId, report: report(3, 0.9) });
    expect(store.getState().searchReport).toBeNull();
    // R, T, E are the user's, not the run's: they stay.
    expect(store.getState().searchSettings.restarts).toBe(8);
  });
});
