// The page's store without a browser: a fake engine link stands in for the worker, so the state
// machine (runs, progress, time travel, divergence, the URL) is checked message by message.
import { describe, expect, it } from 'vitest';
import type { RunStore } from '../../src/store/runStore';
import { defaultPair, shownEpoch } from '../../src/store/shown';
import type { FromWorker, SnapshotData, ToWorker } from '../../src/worker/protocol';
import { startedStore, toyInfo } from '../helpers/runStore';

const snap = (epoch: number): SnapshotData => ({
  epoch,
  k: 1,
  channels: 2,
  user: new Float32Array(6),
  item: new Float32Array(6),
  topk: new Int32Array(3),
  attention: [new Float32Array(28)],
});

const metrics = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => ({ epoch: from + k, loss: 1, recall: 0.5, fullMse: 0.25, ms: 1 }));
const lastSent = (sent: ToWorker[], type: ToWorker['type']) => [...sent].reverse().find((m) => m.type === type);

function ready(store: RunStore, deliver: (m: FromWorker) => void) {
  const runId = store.getState().runId;
  deliver({ type: 'ready', info: toyInfo(runId, store.getState().settings), metrics: [], snapshot: snap(0), recall: 0 });
  return runId;
}

describe('the run store', () => {
  it('starts a run with the settings of the link and explains the held-out pair (Tim, The Avengers)', () => {
    const { store, sent, deliver } = startedStore('?lr=0.05&heads=4');
    const reset = sent[0];
    expect(reset.type).toBe('reset');
    if (reset.type !== 'reset') return;
    expect(reset.settings.lr).toBe(0.05);
    expect(reset.settings.heads).toBe(4);
    ready(store, deliver);
    expect(store.getState().pair).toEqual({ user: 2, item: 1 });
    expect(lastSent(sent, 'explain')).toMatchObject({ type: 'explain', epoch: 0, user: 2, item: 1, head: 'mean' });
  });

  it('keeps a layer or head the user picked, and follows the most-moved one until then or when asked again', () => {
    const { store, deliver } = startedStore();
    ready(store, deliver);
    // The run's last layer (the toy info's one), the mean of the heads.
    expect(store.getState()).toMatchObject({ view: { layer: 1, head: 'mean' }, viewPicked: false });
    // The graph following the most-moved layer and head: not a pick.
    store.getState().setView({ head: 0 });
    expect(store.getState()).toMatchObject({ view: { layer: 1, head: 0 }, viewPicked: false });
    store.getState().setView({ head: 1 }, true);
    store.getState().setView({ direction: 'rev_rates' });
    expect(store.getState()).toMatchObject({ view: { layer: 1, head: 1, direction: 'rev_rates' }, viewPicked: true });
    store.getState().setView({ head: 0 }, false);
    expect(store.getState()).toMatchObject({ view: { layer: 1, head: 0 }, viewPicked: false });
  });

  it('on other data explains the first held-out user with their top recommendation, and a user picked alone with theirs', () => {
    const info = toyInfo(1);
    // Tim (user 2) is held out with The Avengers (item 1); say his top recommendation is item 0.
    const first = { ...snap(0), topk: Int32Array.of(-1, -1, 0) };
    expect(defaultPair(info, false, first)).toEqual({ user: 2, item: 0 });
    // The toy keeps its case, and without a recommendation the held-out movie stays.
    expect(defaultPair(info, true, first)).toEqual({ user: 2, item: 1 });
    expect(defaultPair(info, false, snap(0))).toEqual({ user: 2, item: 0 });
    expect(defaultPair(info, false, { ...snap(0), topk: Int32Array.of(2, -1, -1) })).toEqual({ user: 2, item: 1 });

    const { store, deliver } = startedStore();
    ready(store, deliver);
    store.setState({ dataset: { kind: 'csv', name: 'ratings.csv', ratings: '' }, live: { ...snap(0), topk: Int32Array.of(2, -1, 0) } });
    store.getState().setPair({ user: 0 });
    expect(store.getState().pair).toEqual({ user: 0, item: 2 });
    store.getState().setPair({ user: 1 });
    expect(store.getState().pair).toEqual({ user: 1, item: 2 });
  });

  it('gathers progress, keeps snapshots for time travel and follows the slider', () => {
    const { store, sent, deliver } = startedStore();
    const runId = ready(store, deliver);
    // The explanation of epoch 0 is in flight; answer it so the next can go.
    const first = lastSent(sent, 'explain') as Extract<ToWorker, { type: 'explain' }>;
    deliver({ type: 'explanation', requestId: first.requestId, runId, explanation: null });
    store.getState().step(3);
    expect(lastSent(sent, 'step')).toMatchObject({ epochs: 3 });
    deliver({ type: 'progress', runId, metrics: metrics(1, 3), snapshots: [snap(1), snap(2), snap(3)], epoch: 3 });
    deliver({ type: 'stopped', runId, epoch: 3, status: 'idle' });
    const s = store.getState();
    expect(s.epoch).toBe(3);
    expect(s.history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(s.kept).toEqual([0, 1, 2, 3]);
    expect(shownEpoch(s)).toBe(3);
    store.getState().setViewEpoch(1);
    expect(shownEpoch(store.getState())).toBe(1);
    expect(lastSent(sent, 'explain')).toMatchObject({ epoch: 3 });
  });

  it('ignores messages of an earlier run', () => {
    const { store, deliver } = startedStore();
    const old = ready(store, deliver);
    store.getState().reset();
    deliver({ type: 'progress', runId: old, metrics: metrics(1, 5), snapshots: [], epoch: 5 });
    expect(store.getState().history).toEqual([]);
    expect(store.getState().info).toBeNull();
  });

  it('after a divergence keeps the last good epoch, says so and will not play', () => {
    const { store, sent, deliver } = startedStore();
    const runId = ready(store, deliver);
    deliver({ type: 'progress', runId, metrics: metrics(1, 4), snapshots: [1, 2, 3, 4].map(snap), epoch: 4 });
    deliver({ type: 'stopped', runId, epoch: 2, status: 'diverged', message: 'Training diverged at epoch 3' });
    const s = store.getState();
    expect(s.status).toBe('diverged');
    expect(s.epoch).toBe(2);
    expect(s.history.map((m) => m.epoch)).toEqual([1, 2]);
    expect(s.kept).toEqual([0, 1, 2]);
    expect(s.notice).toContain('diverged');
    const before = sent.length;
    store.getState().play();
    expect(sent.slice(before).some((m) => m.type === 'play')).toBe(false);
  });

  it('clamps odd settings from the panel with a message, writes them to the link and starts over', () => {
    const { store, sent, deliver, searches } = startedStore();
    ready(store, deliver);
    store.getState().applySettings({ lr: '1e9', heads: '0' });
    const s = store.getState();
    expect(s.settings.lr).toBe(1);
    expect(s.settings.heads).toBe(1);
    expect(s.issues.map((i) => i.key).sort()).toEqual(['heads', 'lr']);
    expect(searches[searches.length - 1]).toBe('?lr=1&heads=1');
    expect(lastSent(sent, 'reset')).toMatchObject({ runId: 2, settings: { lr: 1, heads: 1 } });
    expect(s.epoch).toBe(0);
  });

  it('reports a malformed link instead of failing', () => {
    const { store } = startedStore('?epochs=abc&%zz=1&k=1000');
    const s = store.getState();
    expect(s.settings.epochs).toBe(1500);
    expect(s.settings.k).toBe(100);
    expect(s.issues.length).toBeGreaterThanOrEqual(3);
  });

  it('puts a chosen pair in the link by name, and reads it back', () => {
    const a = startedStore();
    ready(a.store, a.deliver);
    a.store.getState().setPair({ user: 0, item: 2 });
    const search = a.searches[a.searches.length - 1];
    expect(new URLSearchParams(search).get('user')).toBe('Bob');
    expect(new URLSearchParams(search).get('item')).toBe('Guardians');
    const b = startedStore(search);
    ready(b.store, b.deliver);
    expect(b.store.getState().pair).toEqual({ user: 0, item: 2 });
  });
});

describe('the run store loading files', () => {
  const fileOf = (name: string, text: string) => ({ name, arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer });
  const RATINGS = 'userId,movieId,rating\n1,10,4\n';
  const MOVIES = 'movieId,title\n10,Heat\n';
  const lastLoad = (sent: ToWorker[]) => lastSent(sent, 'load') as Extract<ToWorker, { type: 'load' }>;

  it('keeps the run, its label and charts while files load and when they fail, and says why next to the picker', async () => {
    const { store, sent, deliver } = startedStore();
    const runId = ready(store, deliver);
    deliver({ type: 'progress', runId, metrics: metrics(1, 3), snapshots: [snap(1)], epoch: 3 });
    const before = store.getState();

    await store.getState().loadFiles([fileOf('ratings.csv', RATINGS), fileOf('movies.csv', MOVIES)]);
    const load = lastLoad(sent);
    expect(load.runId).toBeGreaterThan(runId);
    expect(load.files.map((f) => [f.name, new TextDecoder().decode(f.bytes)])).toEqual([['ratings.csv', RATINGS], ['movies.csv', MOVIES]]);
    // The settings were the seed's: the load asks for the real-data ones.
    expect(load.settings).toMatchObject({ batchSize: 'full', k: 20, negRatio: 4, lr: 0.02, epochs: 100, split: 0.8 });
    expect(store.getState().loading).toMatchObject({ runId: load.runId, files: ['ratings.csv', 'movies.csv'], phase: 'reading', fraction: 1, realSettings: true });

    deliver({ type: 'loading', runId: load.runId, phase: 'parsing', fraction: 0.5, rows: 1234 });
    deliver({ type: 'loading', runId: load.runId + 7, phase: 'evaluating', fraction: 0, rows: 0 });
    expect(store.getState().loading).toMatchObject({ phase: 'parsing', fraction: 0.5, rows: 1234 });

    deliver({ type: 'error', runId: load.runId, message: 'ratings.csv, line 2: rating "x" is not a number', fatal: false });
    const s = store.getState();
    expect(s.loadError).toBe('ratings.csv, line 2: rating "x" is not a number');
    expect(s.loading).toBeNull();
    expect(s.runError).toBeNull();
    for (const key of ['runId', 'info', 'history', 'snapshots', 'live', 'epoch', 'settings', 'dataset', 'datasetLabel', 'status'] as const) expect(s[key], key).toBe(before[key]);
    expect(s.history.length).toBe(3);
    // The old run still plays.
    store.getState().play();
    expect(lastSent(sent, 'play')).toMatchObject({ runId });
  });

  it('takes the loaded run when it is ready: its dataset, label and settings, a notice of what changed, and the link', async () => {
    const { store, sent, deliver, searches } = startedStore();
    const old = ready(store, deliver);
    await store.getState().loadFiles([fileOf('ratings.csv', RATINGS)]);
    const load = lastLoad(sent);
    const dataset = { kind: 'csv' as const, name: 'ratings.csv', ratings: RATINGS };
    // User 2's top recommendation in the first snapshot is item 0: loaded data is explained from it.
    deliver({ type: 'ready', info: toyInfo(load.runId, load.settings, { datasetName: 'ratings.csv' }), metrics: [], snapshot: { ...snap(0), topk: Int32Array.of(-1, -1, 0) }, recall: 0, dataset });
    const s = store.getState();
    expect(s.pair).toEqual({ user: 2, item: 0 });
    expect(s.runId).toBe(load.runId);
    expect(s.dataset).toEqual(dataset);
    expect(s.datasetLabel).toBe('ratings.csv');
    expect(s.settings.batchSize).toBe('full');
    expect(s.loading).toBeNull();
    expect(s.loadMs).toBeGreaterThanOrEqual(0);
    expect(s.loadNotice).toMatch(/seed’s.*batchSize full.*k 20/);
    expect(new URLSearchParams(searches[searches.length - 1]).get('batchSize')).toBe('full');
    deliver({ type: 'progress', runId: old, metrics: metrics(1, 2), snapshots: [], epoch: 2 });
    expect(store.getState().history).toEqual([]);
    // A later settings change rebuilds from the dataset the worker handed back.
    store.getState().applySettings({ lr: 0.01 });
    expect(lastSent(sent, 'reset')).toMatchObject({ dataset });

    // Settings that are no longer the seed's are left as they are, and nothing is said.
    await store.getState().loadFiles([fileOf('ratings.csv', RATINGS)]);
    const again = lastLoad(sent);
    expect(again.settings).toEqual(store.getState().settings);
    deliver({ type: 'ready', info: toyInfo(again.runId, again.settings), metrics: [], snapshot: snap(0), recall: 0, dataset });
    expect(store.getState().loadNotice).toBeNull();
  });

  it('asks for the columns, loads the same files with the mapping, and lets a later run overtake a load', async () => {
    const { store, sent, deliver } = startedStore();
    ready(store, deliver);
    const files = [fileOf('shop.csv', 'who,what,stars\na,b,5\n')];
    await store.getState().loadFiles(files, 'ask');
    expect(lastLoad(sent).mapping).toBe('ask');
    const request = { file: 'shop.csv', reason: 'asked' as const, columns: ['who', 'what', 'stars'], rows: [['a', 'b', '5']], guess: { user: null, item: null, rating: 'stars', time: null } };
    deliver({ type: 'needsMapping', runId: lastLoad(sent).runId, request });
    expect(store.getState().mappingRequest).toEqual(request);
    expect(store.getState().loading).toBeNull();

    const mapping = { user: 'who', item: 'what', rating: 'stars' };
    store.getState().mapColumns(mapping);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const mapped = lastLoad(sent);
    expect(mapped.mapping).toEqual(mapping);
    expect(new TextDecoder().decode(mapped.files[0].bytes)).toBe('who,what,stars\na,b,5\n');
    expect(store.getState().mappingRequest).toBeNull();

    // A settings change while it loads starts a run of its own; the load's late answer is ignored.
    store.getState().applySettings({ lr: 0.05 });
    expect(store.getState().loading).toBeNull();
    const runId = store.getState().runId;
    expect(runId).toBeGreaterThan(mapped.runId);
    deliver({ type: 'ready', info: toyInfo(mapped.runId), metrics: [], snapshot: snap(0), recall: 0 });
    expect(store.getState().runId).toBe(runId);
    expect(store.getState().info).toBeNull();

    // A file that cannot be read is named.
    const broken = { name: 'gone.csv', arrayBuffer: () => Promise.reject(new Error('NotFoundError')) };
    await store.getState().loadFiles([broken]);
    expect(store.getState().loadError).toBe('gone.csv: the file could not be read (NotFoundError)');
  });
});
