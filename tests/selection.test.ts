// Model selection on a validation split, on WebGPU: the validation and test rankings from one
// forward, the best validation epoch's weights kept on the GPU (bit for bit those of a rerun
// stopped there), and early stopping at the epoch the patience runs out.
import { describe, expect, it } from 'vitest';
import type { Pairs } from '../src/graph/pairs';
import { exactTopK, recallAtK } from '../src/reference/topk';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import type { EpochMetrics } from '../src/train/types';
import { openGpu } from './helpers/gpu';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();
const ratings = randomRatings(11, 24, 40, 420);
const BASE: RunSettings = { ...SEED_SETTINGS, batchSize: 'full', k: 5, hidden: 8, negRatio: 1, lr: 0.05, split: 0.8, val: 0.25 };
const tuples = (p: Pairs) => Array.from(p.user, (u, k) => [u, p.item[k]] as const);

async function trained(settings: RunSettings, epochs: number) {
  const t = Trainer.create(gpu, kernels, ratings, settings);
  const metrics = await t.train(epochs);
  return { t, metrics };
}

/** keep.wgsl's rule, on the host: strictly better keeps, `patience` epochs past the best without it stops. */
function expectedSelection(metrics: EpochMetrics[], patience: number) {
  let best = { epoch: 0, val: -1 };
  for (const m of metrics) {
    if (m.valRecall == null) continue;
    if (m.valRecall > best.val) best = { epoch: m.epoch, val: m.valRecall };
    else if (patience > 0 && m.epoch - best.epoch >= patience) return { best, stop: m.epoch };
  }
  return { best, stop: null };
}

describe('model selection on a validation split (WebGPU)', () => {
  it('keeps the best validation epoch’s weights, bit for bit those of a rerun stopped there; the test recall is reported at it', async () => {
    const { t, metrics } = await trained(BASE, 40);
    expect(metrics.every((m) => typeof m.valRecall === 'number' && typeof m.recall === 'number')).toBe(true);
    const { best } = expectedSelection(metrics, 0);
    // The curve peaks before the end, so the kept weights are not simply the last ones.
    expect(best.epoch).toBeLessThan(40);
    const selected = await t.restoreSelected();
    expect(selected).toEqual({ epoch: best.epoch, valRecall: best.val, testRecall: metrics[best.epoch - 1].recall });
    const kept = await t.readParams();

    // The rankings of the kept weights: validation excludes the training items and looks for the
    // validation ones; test excludes training and validation items.
    const snap = await t.snapshot();
    const { train, val, test } = t.data;
    const valTop = exactTopK(snap.user, snap.item, snap.channels, snap.k, tuples(train));
    expect(recallAtK(valTop, tuples(val))).toBeCloseTo(best.val, 6);
    const rated = [...tuples(train), ...tuples(val)];
    const testTop = exactTopK(snap.user, snap.item, snap.channels, snap.k, rated);
    expect(recallAtK(testTop, tuples(test))).toBeCloseTo(selected!.testRecall, 6);
    for (const [u, i] of rated) expect(Array.from(snap.topk.subarray(u * snap.k, (u + 1) * snap.k))).not.toContain(i);
    expect(await t.evaluate()).toBe(selected!.testRecall);
    t.destroy();

    const rerun = await trained(BASE, best.epoch);
    expect(Array.from(await rerun.t.readParams())).toEqual(Array.from(kept));
    expect(rerun.metrics).toEqual(metrics.slice(0, best.epoch).map((m) => ({ ...m, ms: rerun.metrics[m.epoch - 1].ms })));
    rerun.t.destroy();
  });

  it('chooses among the evaluated epochs only, with Recall@K every few epochs', async () => {
    const { t, metrics } = await trained({ ...BASE, evalEvery: 3 }, 40);
    const evaluated = metrics.filter((m) => m.valRecall !== null).map((m) => m.epoch);
    expect(evaluated).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 40]);
    const selected = await t.restoreSelected();
    expect(selected!.epoch).toBe(expectedSelection(metrics, 0).best.epoch);
    const kept = await t.readParams();
    t.destroy();
    const rerun = await trained(BASE, selected!.epoch);
    expect(Array.from(await rerun.t.readParams())).toEqual(Array.from(kept));
    rerun.t.destroy();
  });

  it('stops when the patience runs out, in the middle of a chunk, in the state of a run that trained until then', async () => {
    const patience = 4;
    const free = await trained(BASE, 150);
    const { best, stop } = expectedSelection(free.metrics, patience);
    free.t.destroy();
    expect(stop).not.toBeNull();
    // Inside the first chunk of 64 epochs, with the next one already launched when it is seen.
    expect(stop! % 64).not.toBe(0);

    const { t, metrics } = await trained({ ...BASE, patience }, 150);
    expect(metrics.map((m) => m.epoch)).toEqual(free.metrics.slice(0, stop!).map((m) => m.epoch));
    expect(metrics.map((m) => [m.loss, m.recall, m.valRecall])).toEqual(free.metrics.slice(0, stop!).map((m) => [m.loss, m.recall, m.valRecall]));
    expect(t.epoch).toBe(stop);
    expect(t.history.length).toBe(stop);
    expect(t.selection!.stopped).toBe(stop);
    expect(t.selection!.best!.epoch).toBe(best.epoch);
    expect(stop! - best.epoch).toBe(patience);
    const atStop = await t.readParams();
    expect(await t.train(10)).toEqual([]);

    const until = await trained(BASE, stop!);
    expect(Array.from(atStop)).toEqual(Array.from(await until.t.readParams()));
    until.t.destroy();
    await t.restoreSelected();
    const kept = await t.readParams();
    t.destroy();
    const toBest = await trained(BASE, best.epoch);
    expect(Array.from(kept)).toEqual(Array.from(await toBest.t.readParams()));
    toBest.t.destroy();
  });

  it('leaves a run without a validation split without validation metrics or a selection', async () => {
    const { t, metrics } = await trained({ ...BASE, val: 0 }, 3);
    expect(metrics.every((m) => !('valRecall' in m))).toBe(true);
    expect(t.selection).toBeNull();
    expect(await t.restoreSelected()).toBeNull();
    t.destroy();
  });
});
