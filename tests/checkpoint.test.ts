// Checkpoints on real WebGPU: a run stopped, saved and restored in a new Trainer (on the same
// device or on a new one, as after a lost device) goes on bit for bit as the run that never stopped.
import { describe, expect, it } from 'vitest';
import { toyRatings } from '../src/graph/toy';
import type { Ratings } from '../src/graph/types';
import { Trainer } from '../src/train/trainer';
import type { Checkpoint, EpochMetrics } from '../src/train/types';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { openGpu } from './helpers/gpu';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();

interface Continued {
  /** The metrics of the epochs after the checkpoint. */
  metrics: EpochMetrics[];
  history: EpochMetrics[];
  params: Float32Array;
}

async function finish(t: Trainer, epochs: number): Promise<Continued> {
  const metrics = await t.train(epochs);
  return { metrics, history: t.history.map((m) => ({ ...m, ms: 0 })), params: await t.readParams() };
}

/** The same numbers, bit for bit (wall times aside). */
function expectSameRun(a: Continued, b: Continued): void {
  expect(b.metrics.map((m) => m.epoch)).toEqual(a.metrics.map((m) => m.epoch));
  expect(b.metrics.map((m) => m.loss)).toEqual(a.metrics.map((m) => m.loss));
  expect(b.metrics.map((m) => m.recall)).toEqual(a.metrics.map((m) => m.recall));
  expect(b.history).toEqual(a.history);
  expect(Array.from(b.params).map(String)).toEqual(Array.from(a.params).map(String));
}

const miniBatch: [string, () => Ratings, Partial<RunSettings>] = [
  'a mini-batch run on a random graph (sampled neighbours, negatives)',
  () => randomRatings(3, 40, 30, 320),
  { batchSize: 24, neighbors: [4, 2], negRatio: 1, split: 0.8, k: 5, hidden: 6 },
];
const cases: [string, () => Ratings, Partial<RunSettings>][] = [
  ["the seed's toy run", toyRatings, {}],
  miniBatch,
  // 330 nodes, every step and evaluation per op (forced: the measured decision might fuse them).
  ['a full-batch run per op', () => randomRatings(4, 200, 130, 1400), { batchSize: 'full', negRatio: 1, split: 0.8, k: 10, hidden: 6, heads: 1 }],
];

describe('Trainer.checkpoint and restore', () => {
  it.each(cases)('%s goes on bit for bit in a new Trainer', async (_, ratings, overrides) => {
    const settings = { ...SEED_SETTINGS, ...overrides };
    const perOp = (t: Trainer) => {
      if (settings.batchSize === 'full') t.fuse = 'never';
      return t;
    };
    const a = perOp(Trainer.create(gpu, kernels, ratings(), settings));
    await a.train(7);
    const atCheckpoint = await a.snapshot();
    const checkpoint = await a.checkpoint();
    expect(checkpoint.epoch).toBe(7);
    expect(checkpoint.step).toBe(7 * a.stepsPerEpoch);
    expect(checkpoint.params.length).toBe(a.model.size);
    expect(checkpoint.moments.length).toBe(2 * a.model.size);
    expect(checkpoint.moments.some((x) => x !== 0)).toBe(true);
    const straight = await finish(a, 6);
    a.destroy();

    const b = perOp(Trainer.create(gpu, kernels, ratings(), settings));
    // A checkpoint is plain data: one that went through a structured clone (as to and from a worker) restores.
    b.restore(structuredClone(checkpoint));
    expect(b.epoch).toBe(7);
    const restored = await b.snapshot();
    expect(Array.from(restored.user)).toEqual(Array.from(atCheckpoint.user));
    expect(Array.from(restored.topk)).toEqual(Array.from(atCheckpoint.topk));
    expect(await b.evaluate()).toBe(checkpoint.history[6].recall);
    const resumed = await finish(b, 6);
    b.destroy();

    expect(straight.metrics.map((m) => m.epoch)).toEqual([8, 9, 10, 11, 12, 13]);
    expectSameRun(straight, resumed);
  });

  it('restores into the trainer that took it, from JSON: training goes back to that point', async () => {
    const [, ratings, overrides] = miniBatch;
    const t = Trainer.create(gpu, kernels, ratings(), { ...SEED_SETTINGS, ...overrides });
    await t.train(3);
    const checkpoint = await t.checkpoint();
    const first = await finish(t, 4);
    // Through JSON, the arrays as lists: float32 values survive as doubles exactly.
    const json = JSON.parse(JSON.stringify({ ...checkpoint, params: Array.from(checkpoint.params), moments: Array.from(checkpoint.moments) }));
    t.restore({ ...json, params: Float32Array.from(json.params), moments: Float32Array.from(json.moments) });
    expect(t.history.length).toBe(3);
    const again = await finish(t, 4);
    t.destroy();
    expectSameRun(first, again);
  });

  it('refuses a checkpoint from another model shape, batch size or a broken one, saying what does not fit', async () => {
    const t = Trainer.create(gpu, kernels, toyRatings(), SEED_SETTINGS);
    await t.train(2);
    const checkpoint = await t.checkpoint();
    t.destroy();

    const narrow = Trainer.create(gpu, kernels, toyRatings(), { ...SEED_SETTINGS, hidden: 8 });
    expect(() => narrow.restore(checkpoint)).toThrow(new RegExp(`restore: the checkpoint holds ${checkpoint.params.length} parameters, this run's model \\(3 layers, hidden 8, 2 heads, ${narrow.model.size} parameters\\)`));
    // Nothing was half restored.
    expect(narrow.epoch).toBe(0);
    narrow.destroy();

    const full = Trainer.create(gpu, kernels, toyRatings(), { ...SEED_SETTINGS, batchSize: 'full' });
    expect(() => full.restore(checkpoint)).toThrow(/restore: the checkpoint is at step 14 after epoch 2, but this run takes 1 steps per epoch/);
    const broken: Checkpoint = { ...checkpoint, step: 2, rng: { s: [1, 2, 3], spareNormal: null } };
    expect(() => full.restore(broken)).toThrow(/Rng.fromState: the state must hold four 32-bit unsigned words, got \[1,2,3\]/);
    const shortMoments: Checkpoint = { ...checkpoint, moments: checkpoint.moments.subarray(1) };
    expect(() => full.restore(shortMoments)).toThrow(/the checkpoint holds \d+ Adam moments, this run's model .* needs \d+ \(m then v\)/);
    expect(full.epoch).toBe(0);
    full.destroy();
  });

  it('restores on a new GPU device after the first one is lost, and goes on bit for bit', async () => {
    const [, ratings, overrides] = miniBatch;
    const settings = { ...SEED_SETTINGS, ...overrides };
    const first = await openGpu();
    const a = Trainer.create(first.gpu, first.kernels, ratings(), settings);
    await a.train(5);
    const checkpoint = await a.checkpoint();
    const straight = await finish(a, 5);
    first.gpu.device.destroy();
    expect((await first.gpu.device.lost).reason).toBe('destroyed');

    const second = await openGpu();
    const b = Trainer.create(second.gpu, second.kernels, ratings(), settings);
    b.restore(checkpoint);
    const resumed = await finish(b, 5);
    b.destroy();
    second.gpu.device.destroy();
    expectSameRun(straight, resumed);
  });
});
