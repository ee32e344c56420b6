// The epoch chosen on validation outlives a reload, on WebGPU: a checkpoint carries the selection
// (the chosen epoch, its recalls, its weights, where the patience ran out), a saved run keeps it
// through storage's structured clone and its checks, and a new Trainer restored from it chooses,
// recommends and stops exactly as the run that never stopped.
import { describe, expect, it } from 'vitest';
import { checkSavedRun, SAVED_RUN_VERSION, type SavedRun } from '../src/store/savedRun';
import { recommendationsFor } from '../src/train/recommend';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import type { Checkpoint } from '../src/train/types';
import { openGpu } from './helpers/gpu';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();
const ratings = randomRatings(11, 24, 40, 420);
const BASE: RunSettings = { ...SEED_SETTINGS, batchSize: 'full', k: 5, hidden: 8, negRatio: 1, lr: 0.05, split: 0.8, val: 0.25 };

/** The checkpoint as the page keeps it: a saved run, through IndexedDB's structured clone and checkSavedRun. */
function throughStorage(checkpoint: Checkpoint, settings: RunSettings): Checkpoint {
  const record: SavedRun = { version: SAVED_RUN_VERSION, id: 'run-1', savedAt: 1, label: 'random', settings, dataset: { kind: 'toy' }, recall0: null, checkpoint };
  return checkSavedRun(structuredClone(record)).checkpoint;
}

describe('the epoch chosen on validation, across a reload', () => {
  it('comes back with its recalls and weights: the restored run recommends with the same scores', async () => {
    const a = Trainer.create(gpu, kernels, ratings, BASE);
    await a.train(30);
    const checkpoint = throughStorage(await a.checkpoint(), BASE);
    const chosen = checkpoint.selection!;
    expect(chosen.best).toEqual(a.selection!.best);
    // The chosen epoch is not the last, so its weights are not the checkpoint's own.
    expect(chosen.best.epoch).toBeLessThan(30);
    expect(Array.from(chosen.kept)).not.toEqual(Array.from(checkpoint.params));

    const b = Trainer.create(gpu, kernels, ratings, BASE);
    b.restore(checkpoint);
    const [selectedA, selectedB] = [await a.restoreSelected(), await b.restoreSelected()];
    expect(selectedB).toEqual(selectedA);
    expect(selectedB!.epoch).toBe(chosen.best.epoch);
    expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
    expect(Array.from(await b.readParams())).toEqual(Array.from(chosen.kept));
    const [snapA, snapB] = [await a.snapshot(), await b.snapshot()];
    expect(Array.from(snapB.topk)).toEqual(Array.from(snapA.topk));
    const user = b.data.test.user[0];
    const listed = recommendationsFor(snapB, b.data.ratings, user);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(recommendationsFor(snapA, a.data.ratings, user));
    a.destroy();
    b.destroy();
  });

  it('keeps the patience running: the restored run stops at the epoch the run that never stopped did', async () => {
    const settings = { ...BASE, patience: 4 };
    const straight = Trainer.create(gpu, kernels, ratings, settings);
    await straight.train(150);
    const { stopped, best } = straight.selection!;
    expect(stopped).not.toBeNull();
    const kept = await straight.restoreSelected();
    const keptParams = await straight.readParams();
    straight.destroy();

    // Saved one epoch after the best: three more epochs without a better one, then the stop.
    const a = Trainer.create(gpu, kernels, ratings, settings);
    await a.train(best!.epoch + 1);
    const checkpoint = throughStorage(await a.checkpoint(), settings);
    a.destroy();
    const b = Trainer.create(gpu, kernels, ratings, settings);
    b.restore(checkpoint);
    await b.train(150);
    expect(b.epoch).toBe(stopped);
    expect(b.selection!.stopped).toBe(stopped);
    expect(await b.restoreSelected()).toEqual(kept);
    expect(Array.from(await b.readParams())).toEqual(Array.from(keptParams));
    b.destroy();
  });

  it('refuses a saved selection that does not fit, saying what is wrong', async () => {
    const t = Trainer.create(gpu, kernels, ratings, BASE);
    await t.train(2);
    const checkpoint = await t.checkpoint();
    const s = checkpoint.selection!;
    const saved = (selection: unknown) => () => throughStorage({ ...checkpoint, selection } as Checkpoint, BASE);
    expect(saved({ ...s, kept: s.kept.subarray(1) })).toThrow(`its epoch chosen on validation: its weights are not ${s.kept.length} numbers`);
    expect(saved({ ...s, best: { ...s.best, epoch: 3 } })).toThrow('its epoch chosen on validation: its epoch 3 is not one of 1 to 2');
    expect(() => t.restore({ ...checkpoint, selection: { ...s, kept: s.kept.subarray(1) } })).toThrow(
      `restore: the checkpoint keeps ${s.kept.length - 1} weights of the epoch chosen on validation, this run's model`,
    );
    t.destroy();
  });
});
