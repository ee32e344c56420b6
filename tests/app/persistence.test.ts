// Keeping a run, without a browser. On real WebGPU: a run saved as the page saves it (a checkpoint
// from the engine host, through structured clone as IndexedDB stores it, checked on the way back)
// goes on in a new host, as after a reload, bit for bit; weights exported from one run and
// imported into a fresh one give identical predictions, and a file of another shape is refused
// with the run kept. In the store: what the page opens with (the saved run, or the link's settings
// with the saved run offered), saving when a run pauses, and storage that fails (keeping while a
// run trains, earlier runs and a full storage: keeping-runs.test.ts).
import { describe, expect, it } from 'vitest';
import { checkSavedRun, openingChoice, StorageError, type SavedRun, type SavedRunSummary } from '../../src/store/savedRun';
import { SEED_SETTINGS, type RunSettings } from '../../src/train/settings';
import type { Checkpoint } from '../../src/train/types';
import type { SnapshotData, ToWorker } from '../../src/worker/protocol';
import { hostHarness } from '../helpers/engineHost';
import { memoryArchive } from '../helpers/memoryArchive';
import { startedStore, toyInfo } from '../helpers/runStore';

/** The engine host with `step` (the losses of the epochs trained) and `exported` (an export's reply). */
function harness() {
  const { inbox, next, send } = hostHarness();
  /** Steps `epochs` and gives the losses of the epochs trained. */
  const step = async (runId: number, epochs: number) => {
    const from = inbox.length;
    const stopped = next('stopped', (m) => m.runId === runId);
    send({ type: 'step', runId, epochs });
    await stopped;
    return inbox.slice(from).flatMap((m) => (m.type === 'progress' && m.runId === runId ? m.metrics.map((x) => x.loss) : []));
  };
  const exported = async (runId: number, what: 'weights' | 'script', requestId: number) => {
    const reply = next('exported', (m) => m.requestId === requestId);
    send({ type: 'export', requestId, runId, what });
    return reply;
  };
  return { inbox, next, send, step, exported };
}

const settings: RunSettings = { ...SEED_SETTINGS, epochs: 40 };
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a).map(String)).toEqual(Array.from(b).map(String));

function sameSnapshot(a: SnapshotData, b: SnapshotData): void {
  same(a.user, b.user);
  same(a.item, b.item);
  same(a.topk, b.topk);
}

function savedRun(checkpoint: Checkpoint, patch: Partial<SavedRun> = {}): SavedRun {
  return { version: 1, id: 'run-1', savedAt: Date.UTC(2025, 4, 5, 14, 2), label: 'Toy', settings, dataset: { kind: 'toy' }, recall0: 0, checkpoint, ...patch };
}

describe('a saved run on real WebGPU', () => {
  it('goes on after a reload (a new host) bit for bit, and weights move between runs with identical predictions', async () => {
    const a = harness();
    const readyA = a.next('ready');
    a.send({ type: 'reset', runId: 1, settings, dataset: { kind: 'toy' } });
    const recall0 = (await readyA).recall;
    await a.step(1, 6);
    const snapshotA6 = a.inbox.flatMap((m) => (m.type === 'progress' ? m.snapshots : [])).find((s) => s.epoch === 6)!;

    // Saved as the page saves it: the host's checkpoint, cloned as IndexedDB stores it, checked as the page reads it.
    const reply = a.next('checkpoint');
    a.send({ type: 'checkpoint', requestId: 1, runId: 1 });
    const checkpoint = (await reply).checkpoint!;
    expect(checkpoint.epoch).toBe(6);
    expect(checkpoint.history.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const record = checkSavedRun(structuredClone(savedRun(checkpoint, { recall0 })));
    expect(record.checkpoint.params).toBeInstanceOf(Float32Array);
    same(record.checkpoint.params, checkpoint.params);
    same(record.checkpoint.moments, checkpoint.moments);

    // The reload: a new host (a new device), the run resumed from the record with an earlier kept epoch's snapshot.
    const snapshotA3 = a.inbox.flatMap((m) => (m.type === 'progress' ? m.snapshots : [])).find((s) => s.epoch === 3)!;
    const b = harness();
    const readyB = b.next('ready');
    b.send({ type: 'reset', runId: 1, settings: record.settings, dataset: record.dataset, resume: record.checkpoint, snapshots: [structuredClone(snapshotA3)] });
    const restored = await readyB;
    expect(restored.snapshot.epoch).toBe(6);
    expect(restored.metrics).toEqual(checkpoint.history);
    sameSnapshot(restored.snapshot, snapshotA6);
    // Time travel after the reload: the earlier epoch is explained from its kept snapshot, with the nearest weights there are.
    const explained3 = b.next('explanation');
    b.send({ type: 'explain', requestId: 9, runId: 1, epoch: 3, user: 2, item: 1, head: 'mean' });
    const back3 = await explained3;
    expect([back3.error, back3.explanation?.epoch]).toEqual([undefined, 3]);

    // Both go on: the same losses, to the bit, and the same weights.
    const lossesA = await a.step(1, 5);
    const lossesB = await b.step(1, 5);
    expect(lossesB).toHaveLength(5);
    expect(lossesB).toEqual(lossesA);
    const weightsA = await a.exported(1, 'weights', 2);
    const weightsB = await b.exported(1, 'weights', 2);
    expect(weightsA.fileName).toBe('gatlab-weights-epoch11.json');
    expect(weightsB.text).toBe(weightsA.text);

    // The weights round trip: A's weights of epoch 11 imported into a fresh run (epoch 0) give A's predictions.
    const readyA11 = a.next('explanation');
    a.send({ type: 'explain', requestId: 3, runId: 1, epoch: 11, user: 2, item: 1, head: 'mean' });
    const explainedA = (await readyA11).explanation!;
    const imported = b.next('ready', (m) => m.info.runId === 2);
    b.send({ type: 'importWeights', runId: 2, fromRunId: 1, fileName: weightsA.fileName, text: weightsA.text! });
    const fresh = await imported;
    expect(fresh.snapshot.epoch).toBe(0);
    expect(fresh.metrics).toEqual([]);
    const snapshotA11 = a.inbox.flatMap((m) => (m.type === 'progress' ? m.snapshots : [])).find((s) => s.epoch === 11)!;
    sameSnapshot(fresh.snapshot, snapshotA11);
    const explainedB = b.next('explanation');
    b.send({ type: 'explain', requestId: 4, runId: 2, epoch: 0, user: 2, item: 1, head: 'mean' });
    expect((await explainedB).explanation!.score).toBe(explainedA.score);

    // A file of another shape is refused under the import's id, naming what to change; run 2 goes on.
    const other = a.next('ready', (m) => m.info.runId === 5);
    a.send({ type: 'reset', runId: 5, settings: { ...settings, hidden: 6 }, dataset: { kind: 'toy' } });
    await other;
    const wrong = await a.exported(5, 'weights', 5);
    const refused = b.next('error', (m) => m.runId === 3);
    b.send({ type: 'importWeights', runId: 3, fromRunId: 2, fileName: 'hidden6.json', text: wrong.text! });
    const e = await refused;
    expect(e.fatal).toBe(false);
    expect(e.message).toBe(
      "hidden6.json is a model with 6 hidden channels, 6 item inputs, this run's has 12 hidden channels, 12 item inputs: set LATENT_DIM and the item features (LATENT_DIM with the seed’s random features, one per genre with genres, one per item with one-hot) as the weights were trained, then import them again",
    );
    expect(await b.step(2, 1)).toHaveLength(1);
  }, 300_000);

  it('refuses a checkpoint of other settings with a message the page can show', async () => {
    const h = harness();
    const ready = h.next('ready');
    h.send({ type: 'reset', runId: 1, settings, dataset: { kind: 'toy' } });
    await ready;
    await h.step(1, 2);
    const reply = h.next('checkpoint');
    h.send({ type: 'checkpoint', requestId: 1, runId: 1 });
    const checkpoint = (await reply).checkpoint!;
    const error = h.next('error', (m) => m.runId === 2);
    h.send({ type: 'reset', runId: 2, settings: { ...settings, heads: 3 }, dataset: { kind: 'toy' }, resume: checkpoint });
    const e = await error;
    expect(e.fatal).toBe(false);
    expect(e.message).toMatch(/^its checkpoint does not fit this data and these settings \(restore: the checkpoint holds \d+ parameters, this run's model \(3 layers, hidden 12, 3 heads, \d+ parameters\) has \d+;/);
  }, 120_000);
});

describe('checkSavedRun', () => {
  const checkpoint: Checkpoint = {
    epoch: 2,
    step: 14,
    rng: { s: [1, 2, 3, 4], spareNormal: null },
    params: new Float32Array([0.5, -1]),
    moments: new Float32Array([0, 0, 1, 1]),
    history: [1, 2].map((epoch) => ({ epoch, loss: 1, recall: epoch === 1 ? null : 0.5, fullMse: epoch === 1 ? null : 0.5, ms: 2 })),
  };

  it('takes back what it stored, and names what is wrong with a damaged record', () => {
    expect(checkSavedRun(structuredClone(savedRun(checkpoint)))).toEqual(savedRun(checkpoint));
    const damaged: [string, unknown][] = [
      ['it is not a record', null],
      ['it has version 2, this page reads version 1', { ...savedRun(checkpoint), version: 2 }],
      ['its settings are not valid (the number of heads must be in [1, 16], got 40; using 16)', savedRun(checkpoint, { settings: { ...settings, heads: 40 } })],
      ['its dataset is missing', savedRun(checkpoint, { dataset: { kind: 'csv' } as never })],
      ['it holds 3 Adam moments for 2 weights (expected twice as many)', savedRun({ ...checkpoint, moments: new Float32Array(3) })],
      ['its weights are missing', savedRun({ ...checkpoint, params: [0.5, -1] as never })],
      ['its random generator: Rng.fromState: an all-zero state is not one xoshiro128** can be in', savedRun({ ...checkpoint, rng: { s: [0, 0, 0, 0], spareNormal: null } })],
      ['its metric history does not hold epochs 1 to 2', savedRun({ ...checkpoint, history: checkpoint.history.slice(1) })],
    ];
    for (const [why, value] of damaged) {
      expect(() => checkSavedRun(value), why).toThrow(`the saved run is damaged or from another version of GAT Lab: ${why}`);
    }
  });
});

describe('openingChoice', () => {
  const latest: SavedRunSummary = { id: 'r', savedAt: 0, label: 'Toy', settings: { ...SEED_SETTINGS, seed: 7 }, epoch: 30, bytes: 0 };
  it('restores the saved run unless the link names other settings, which win and leave the saved run offered', () => {
    expect(openingChoice('', SEED_SETTINGS, null)).toBe('fresh');
    expect(openingChoice('', SEED_SETTINGS, latest)).toBe('restore');
    expect(openingChoice('?user=Tim&item=The+Avengers', SEED_SETTINGS, latest)).toBe('restore');
    expect(openingChoice('?seed=7', { ...SEED_SETTINGS, seed: 7 }, latest)).toBe('restore');
    expect(openingChoice('?seed=8', { ...SEED_SETTINGS, seed: 8 }, latest)).toBe('offer');
    expect(openingChoice('?seed=123', SEED_SETTINGS, latest)).toBe('offer');
  });
});

const settle = () => new Promise((r) => setTimeout(r, 0));

/** The toy run of SEED_SETTINGS' three layers, with the checkpoint's two parameters. */
const info = (runId: number, s: RunSettings) => toyInfo(runId, s, { layers: 3, paramCount: 2 });

const snap = (epoch: number): SnapshotData => ({ epoch, k: 1, channels: 2, user: new Float32Array(6), item: new Float32Array(6), topk: new Int32Array(3), attention: [] });

describe('the store keeping a run', () => {
  const checkpoint: Checkpoint = {
    epoch: 2,
    step: 14,
    rng: { s: [1, 2, 3, 4], spareNormal: 0.25 },
    params: new Float32Array([0.5, -1]),
    moments: new Float32Array([0, 0, 1, 1]),
    history: [1, 2].map((epoch) => ({ epoch, loss: 3 - epoch, recall: 0.5, fullMse: 2 - epoch, ms: 2 })),
  };
  const saved = savedRun(checkpoint, { settings: { ...SEED_SETTINGS, seed: 7 }, recall0: 0.25, label: 'Toy: the seed’s case study' });

  it('opens the saved run: its settings in the link, its epoch, history and first Recall@K, and says so', async () => {
    const { archive } = memoryArchive([saved]);
    const { store, searches, ...f } = startedStore('', archive);
    await settle();
    const reset = f.sent.find((m) => m.type === 'reset') as Extract<ToWorker, { type: 'reset' }>;
    expect(reset.settings.seed).toBe(7);
    expect(reset.resume).toEqual(checkpoint);
    expect(searches.at(-1)).toBe('?seed=7');
    f.deliver({ type: 'ready', info: info(reset.runId, reset.settings), metrics: checkpoint.history, snapshot: snap(2), recall: 0.5 });
    const s = store.getState();
    expect([s.epoch, s.history, s.recall0, s.kept]).toEqual([2, checkpoint.history, 0.25, [2]]);
    expect(s.keepNotice?.text).toMatch(/^Restored Toy: the seed’s case study, epoch 2 of 1,500, saved 5 May, \d\d:\d\d: its weights, Adam’s state and metric history\./);

    // A pause saves it again, over its own record.
    f.deliver({ type: 'stopped', runId: reset.runId, epoch: 2, status: 'idle' });
    const ask = f.sent.at(-1) as Extract<ToWorker, { type: 'checkpoint' }>;
    expect(ask.type).toBe('checkpoint');
    f.deliver({ type: 'checkpoint', requestId: ask.requestId, runId: reset.runId, checkpoint: { ...checkpoint, epoch: 3, history: [...checkpoint.history, { epoch: 3, loss: 0, recall: 1, fullMse: 0, ms: 1 }] } });
    await settle();
    expect(store.getState().savedRuns.map((r) => [r.id, r.epoch])).toEqual([['run-1', 3]]);
    expect(store.getState().lastSaved?.epoch).toBe(3);
  });

  it('lets a link with other settings win, and offers the saved run; a saved run that fails to restore gives way to a fresh one', async () => {
    const { archive } = memoryArchive([saved]);
    const { store, ...f } = startedStore('?heads=4', archive);
    await settle();
    const reset = f.sent.find((m) => m.type === 'reset') as Extract<ToWorker, { type: 'reset' }>;
    expect(reset.settings.heads).toBe(4);
    expect(reset.resume).toBeUndefined();
    expect(store.getState().savedOffer?.id).toBe('run-1');

    store.getState().restoreRun('run-1');
    await settle();
    const restore = f.sent.at(-1) as Extract<ToWorker, { type: 'reset' }>;
    expect(restore.resume?.epoch).toBe(2);
    expect(store.getState().savedOffer).toBeNull();
    f.deliver({ type: 'error', runId: restore.runId, message: 'its checkpoint does not fit', fatal: false });
    const s = store.getState();
    expect(s.runError).toBeNull();
    expect(s.keepNotice).toEqual({ tone: 'danger', text: expect.stringMatching(/^The saved run \(Toy: the seed’s case study, epoch 2 of 1,500, saved .*\) could not be restored: its checkpoint does not fit\. A fresh run of its data and settings starts instead\.$/) });
    const fresh = f.sent.at(-1) as Extract<ToWorker, { type: 'reset' }>;
    expect([fresh.type, fresh.resume, fresh.settings.seed]).toEqual(['reset', undefined, 7]);
  });

  it('starts a fresh run, saying why, when the saved run is damaged', async () => {
    const { archive } = memoryArchive([{ ...saved, version: 2 as 1 }]);
    const { store, ...f } = startedStore('', archive);
    await settle();
    const reset = f.sent.find((m) => m.type === 'reset') as Extract<ToWorker, { type: 'reset' }>;
    expect([reset.resume, reset.settings.seed]).toEqual([undefined, 123]);
    expect(store.getState().keepNotice).toEqual({
      tone: 'danger',
      text: 'The saved run could not be read: the saved run is damaged or from another version of GAT Lab: it has version 2, this page reads version 1.',
    });
  });

  it('goes on when storage fails: a notice says so, the run starts and trains', async () => {
    const memory = memoryArchive([saved]);
    memory.failWith(new StorageError('the browser does not let this page store data (private browsing or blocked storage: SecurityError)'));
    const { store, ...f } = startedStore('', memory.archive);
    await settle();
    const reset = f.sent.find((m) => m.type === 'reset') as Extract<ToWorker, { type: 'reset' }>;
    expect(reset.resume).toBeUndefined();
    expect(store.getState().keepNotice).toEqual({
      tone: 'warn',
      text: 'Saved runs could not be read (the browser does not let this page store data (private browsing or blocked storage: SecurityError)); this run will not be kept across reloads.',
    });
    f.deliver({ type: 'ready', info: info(reset.runId, reset.settings), metrics: [], snapshot: snap(0), recall: 0 });
    store.getState().saveRun();
    const ask = f.sent.at(-1) as Extract<ToWorker, { type: 'checkpoint' }>;
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    memory.failWith(quota);
    f.deliver({ type: 'checkpoint', requestId: ask.requestId, runId: reset.runId, checkpoint });
    await settle();
    expect(store.getState().keepNotice).toEqual({
      tone: 'warn',
      text: 'The run could not be saved in this browser: the browser’s storage for this page is full (The quota has been exceeded.); export the weights to keep them. It goes on as before, but a reload would bring back the run kept before this one.',
    });
    store.getState().step(1);
    expect(f.sent.at(-1)).toEqual({ type: 'step', runId: reset.runId, epochs: 1 });
  });
});
