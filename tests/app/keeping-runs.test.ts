// Keeping a run while it trains, in the store, without a browser: a keep at most every
// KEEP_EVERY_MS and every KEEP_EVERY_EPOCHS epochs (whichever comes later), writing only the
// snapshots not stored yet; a page closing keeps the checkpoint in hand and the epoch reached, so
// the reload says what was lost and restores the time-travel slider; a reset replaces the kept run
// and leaves the one before as an earlier run; a full storage is said once, with what a reload
// would bring back, and the kept run stays as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEP_EVERY_EPOCHS, KEEP_EVERY_MS } from '../../src/store/keeping';
import { MAX_SAVED_RUNS } from '../../src/store/savedRun';
import type { Checkpoint } from '../../src/train/types';
import type { SnapshotData, ToWorker } from '../../src/worker/protocol';
import { memoryArchive } from '../helpers/memoryArchive';
import { startedStore, toyInfo } from '../helpers/runStore';

const settle = () => new Promise((r) => setTimeout(r, 0));

/** The checkpoint of epoch `epoch` of a run of two parameters, with its metric history. */
const checkpointAt = (epoch: number): Checkpoint => ({
  epoch,
  step: 7 * epoch,
  rng: { s: [1, 2, 3, epoch + 4], spareNormal: null },
  params: new Float32Array([epoch, -1]),
  moments: new Float32Array(4),
  history: Array.from({ length: epoch }, (_, k) => ({ epoch: k + 1, loss: 1 / (k + 1), recall: 0.5, fullMse: 0.5 / (k + 1), ms: 2 })),
});

const snap = (epoch: number): SnapshotData => ({ epoch, k: 1, channels: 2, user: new Float32Array(6).fill(epoch), item: new Float32Array(6), topk: new Int32Array(3), attention: [new Float32Array(4)] });

type Reset = Extract<ToWorker, { type: 'reset' }>;
type Ask = Extract<ToWorker, { type: 'checkpoint' }>;

/** A store on `archive` opened as the page opens, its run ready: the worker's side played by hand. */
async function opened(archive: ReturnType<typeof memoryArchive>['archive']) {
  const f = startedStore('', archive);
  await settle();
  const asks = () => f.sent.filter((m): m is Ask => m.type === 'checkpoint');
  const resets = () => f.sent.filter((m): m is Reset => m.type === 'reset');
  /** The run is ready at `epoch` (a restored one at its checkpoint's). */
  const ready = (reset: Reset) => {
    const at = reset.resume?.epoch ?? 0;
    f.deliver({ type: 'ready', info: toyInfo(reset.runId, reset.settings, { layers: 3, paramCount: 2 }), metrics: reset.resume?.history ?? [], snapshot: snap(at), recall: 0.25 });
  };
  /** Epochs `from`+1 … `to` trained, every one kept (the toy keeps all). */
  const trained = (runId: number, from: number, to: number) => {
    const epochs = Array.from({ length: to - from }, (_, k) => from + k + 1);
    f.deliver({ type: 'progress', runId, metrics: epochs.map((e) => ({ epoch: e, loss: 1 / e, recall: 0.5, fullMse: 0.5 / e, ms: 2 })), snapshots: epochs.map(snap), epoch: to });
  };
  /** The engine answers the latest checkpoint request with epoch `epoch`. */
  const answer = async (epoch: number) => {
    const ask = asks().at(-1)!;
    f.deliver({ type: 'checkpoint', requestId: ask.requestId, runId: ask.runId, checkpoint: checkpointAt(epoch) });
    await settle();
  };
  return { ...f, asks, resets, ready, trained, answer };
}

describe('keeping a run while it trains', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 30, 12) }));
  afterEach(() => vi.useRealTimers());

  it(`keeps it every ${KEEP_EVERY_MS} ms and ${KEEP_EVERY_EPOCHS} epochs, whichever comes later, writing only new snapshots; a closing page keeps the epoch reached, and the reload says what was lost and restores time travel`, async () => {
    const memory = memoryArchive();
    const a = await opened(memory.archive);
    const run = a.resets()[0];
    a.ready(run);
    // A new run is kept at once: a reload brings it back rather than an older one.
    expect(a.asks()).toHaveLength(1);
    await a.answer(0);
    expect(memory.puts).toEqual([{ id: expect.any(String), epoch: 0, reached: 0, snapshots: [0] }]);
    a.store.getState().play();

    // Many epochs within the interval: no keep. Then the interval is up: one.
    vi.advanceTimersByTime(KEEP_EVERY_MS - 1);
    a.trained(run.runId, 0, 60);
    expect(a.asks()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    a.trained(run.runId, 60, 61);
    expect(a.asks()).toHaveLength(2);
    // One at a time: none while the last is still asked for.
    a.trained(run.runId, 61, 70);
    expect(a.asks()).toHaveLength(2);
    await a.answer(61);
    expect(memory.puts[1]).toEqual({ id: memory.puts[0].id, epoch: 61, reached: 61, snapshots: Array.from({ length: 61 }, (_, k) => k + 1) });
    expect(a.store.getState().lastSaved?.epoch).toBe(61);

    // The interval is up, but too few epochs since the last keep: none; then enough of both.
    vi.advanceTimersByTime(KEEP_EVERY_MS);
    a.trained(run.runId, 70, 61 + KEEP_EVERY_EPOCHS - 1);
    expect(a.asks()).toHaveLength(2);
    a.trained(run.runId, 61 + KEEP_EVERY_EPOCHS - 1, 61 + KEEP_EVERY_EPOCHS);
    expect(a.asks()).toHaveLength(3);
    await a.answer(81);
    // Only the snapshots not stored yet.
    expect(memory.puts[2].snapshots).toEqual(Array.from({ length: 20 }, (_, k) => 62 + k));

    // The page closes at epoch 94: the checkpoint in hand is kept with the epoch reached.
    a.trained(run.runId, 81, 94);
    a.store.getState().keepNow();
    await settle();
    expect(memory.puts[3]).toEqual({ id: memory.puts[0].id, epoch: 81, reached: 94, snapshots: [] });
    // No GPU work for it: no checkpoint is asked for.
    expect(a.asks()).toHaveLength(3);
    const keptEpochs = a.store.getState().kept.filter((e) => e <= 81);
    expect(keptEpochs).toHaveLength(82);

    // The reload: epoch 81, its history, the slider's kept epochs, and a notice of the 13 lost.
    const b = await opened(memory.archive);
    const restore = b.resets()[0];
    expect(restore.resume?.epoch).toBe(81);
    expect(restore.snapshots?.map((s) => s.epoch)).toEqual(keptEpochs);
    b.ready(restore);
    const s = b.store.getState();
    expect([s.epoch, s.history.length, s.kept]).toEqual([81, 81, keptEpochs]);
    expect(s.snapshots.get(40)?.user[0]).toBe(40);
    expect(s.keepNotice?.text).toMatch(/^Restored Toy: the seed’s case study, epoch 81 of 1,500, saved .*: its weights, Adam’s state and metric history\. Training goes on from there exactly as it would have\. It had reached epoch 94: the 13 epochs after the last keep were lost\.$/);
    // Restored, it is not written again until it trains on.
    expect(b.asks()).toHaveLength(0);
  });

  it('lets a reset replace the kept run, the one before staying as an earlier run (a few at most), which can be restored', async () => {
    const memory = memoryArchive();
    const a = await opened(memory.archive);
    const first = a.resets()[0];
    a.ready(first);
    await a.answer(0);
    a.store.getState().step(30);
    a.trained(first.runId, 0, 30);
    a.deliver({ type: 'stopped', runId: first.runId, epoch: 30, status: 'idle' });
    await a.answer(30);
    const firstId = a.store.getState().savedRuns[0].id;
    expect(a.store.getState().savedRuns.map((r) => r.epoch)).toEqual([30]);
    expect(a.store.getState().savedRuns[0].bytes).toBeGreaterThan(31 * 4 * 12);

    // Reset: the new run is kept at once, over none of the old one's.
    vi.advanceTimersByTime(1000);
    a.store.getState().reset();
    const second = a.resets().at(-1)!;
    a.ready(second);
    await a.answer(0);
    const list = a.store.getState().savedRuns;
    expect(list.map((r) => r.epoch)).toEqual([0, 30]);
    expect(list[1].id).toBe(firstId);

    // The reload gives the new run; the earlier one is listed and can be restored.
    const b = await opened(memory.archive);
    expect(b.resets()[0].resume?.epoch).toBe(0);
    expect(b.store.getState().savedRuns.map((r) => r.epoch)).toEqual([0, 30]);
    b.store.getState().restoreRun(firstId);
    await settle();
    const back = b.resets().at(-1)!;
    expect(back.resume?.epoch).toBe(30);
    expect(back.snapshots).toHaveLength(31);

    // New settings and more resets: the current run and three earlier ones at most.
    for (let k = 0; k < MAX_SAVED_RUNS; k++) {
      vi.advanceTimersByTime(1000);
      a.store.getState().applySettings({ seed: 200 + k });
      const next = a.resets().at(-1)!;
      expect(next.settings.seed).toBe(200 + k);
      a.ready(next);
      await a.answer(0);
    }
    const kept = a.store.getState().savedRuns;
    expect(kept).toHaveLength(MAX_SAVED_RUNS);
    expect(kept.map((r) => r.settings.seed)).toEqual([203, 202, 201, 200]);
  });

  it('says once that storage is full, with what a reload would bring back, and keeps the last kept run as it was', async () => {
    const memory = memoryArchive();
    const a = await opened(memory.archive);
    const run = a.resets()[0];
    a.ready(run);
    await a.answer(0);
    a.store.getState().play();
    vi.advanceTimersByTime(KEEP_EVERY_MS);
    a.trained(run.runId, 0, 25);
    await a.answer(25);
    expect(a.store.getState().lastSaved?.epoch).toBe(25);

    memory.failWith(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    vi.advanceTimersByTime(KEEP_EVERY_MS);
    a.trained(run.runId, 25, 50);
    await a.answer(50);
    const full = 'The run could not be saved in this browser: the browser’s storage for this page is full (The quota has been exceeded.); export the weights to keep them. It goes on as before, but a reload would bring back epoch 25, the last one kept.';
    expect(a.store.getState().keepNotice).toEqual({ tone: 'warn', text: full });
    expect(a.store.getState().lastSaved?.epoch).toBe(25);
    // Said once: the next failed keep does not bring a dismissed notice back.
    a.store.getState().dismissKeepNotice();
    vi.advanceTimersByTime(KEEP_EVERY_MS);
    a.trained(run.runId, 50, 75);
    await a.answer(75);
    expect(a.store.getState().keepNotice).toBeNull();
    // The kept run is the epoch-25 one, whole.
    memory.failWith(null);
    const record = await memory.archive.get(a.store.getState().savedRuns[0].id);
    expect([record?.run.checkpoint.epoch, record?.snapshots.length]).toEqual([25, 26]);
    // Storage back: the next keep succeeds, and a later failure is said again.
    vi.advanceTimersByTime(KEEP_EVERY_MS);
    a.trained(run.runId, 75, 100);
    await a.answer(100);
    expect(a.store.getState().lastSaved?.epoch).toBe(100);
    memory.failWith(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    a.store.getState().saveRun();
    await a.answer(101);
    expect(a.store.getState().keepNotice?.text).toBe(full.replace('epoch 25', 'epoch 100'));
  });
});
