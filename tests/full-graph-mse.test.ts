// One model, one graph: the seed's run on the toy (1500 epochs of one-rating steps, one sampled
// neighbour per hop), and at its end the explanation's score of every training pair against the
// full graph's predictions that the stated full-graph MSE is computed from, on WebGPU. The mini-batch
// loss is measured on sampled subgraphs and may say little about the full graph: the full-graph
// MSE is what the explanations must agree with. One run (about 25 s on SwiftShader) serves every test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, type Explanation } from '../src/explain/explain';
import { toyRatings } from '../src/graph/toy';
import { SEED_SETTINGS } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import type { EpochMetrics } from '../src/train/types';
import { openGpu } from './helpers/gpu';

let trainer: Trainer;
let last: EpochMetrics;
/** The full graph's prediction per training rating, in the order of trainer.data.train. */
let predictions: Float32Array;
let explanations: Explanation[];

beforeAll(async () => {
  const { gpu, kernels } = await openGpu();
  trainer = Trainer.create(gpu, kernels, toyRatings(), SEED_SETTINGS);
  await trainer.train(SEED_SETTINGS.epochs);
  last = trainer.history[trainer.history.length - 1];
  const snapshot = await trainer.snapshot();
  predictions = await trainer.evaluator.readPredictions();
  const { train } = trainer.data;
  explanations = [];
  for (let k = 0; k < train.user.length; k++) explanations.push(await explain(trainer, snapshot, train.user[k], train.item[k], { paths: 1, counterfactuals: 1 }));
}, 300_000);

afterAll(() => trainer?.destroy());

describe('the toy after the seed\'s 1500 epochs', () => {
  it('states the full graph\'s MSE at the last epoch, and it is the run\'s', () => {
    expect(SEED_SETTINGS.neighbors).toEqual([1]);
    expect(SEED_SETTINGS.batchSize).toBe(1);
    expect(last.epoch).toBe(1500);
    expect(trainer.data.train.user.length).toBe(7);
    expect(predictions).toHaveLength(7);
    expect(last.fullMse).not.toBeNull();
    expect(Number.isFinite(last.fullMse)).toBe(true);
  });

  it('explains every training pair with the full graph\'s prediction the MSE is computed from', () => {
    explanations.forEach((ex, k) => {
      // The explanation sums the same float32 products in float64, the GPU in float32: they agree
      // to float32 rounding of the terms' magnitude.
      const magnitude = ex.split.reduce((s, t) => s + Math.abs(t.term), 0);
      expect(ex.trainingItem).toBe(true);
      expect(ex.rating).toBe(trainer.data.train.value[k]);
      expect(Math.abs(ex.score - predictions[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, magnitude));
    });
  });

  it('states an MSE that is the mean of (prediction − rating)² over the training ratings', () => {
    const { value } = trainer.data.train;
    const fromPredictions = predictions.reduce((s, p, k) => s + (p - value[k]) ** 2, 0) / value.length;
    const fromExplanations = explanations.reduce((s, ex, k) => s + (ex.score - value[k]) ** 2, 0) / value.length;
    expect(Math.abs((last.fullMse as number) - fromPredictions)).toBeLessThanOrEqual(1e-5 * Math.max(1, fromPredictions));
    expect(Math.abs((last.fullMse as number) - fromExplanations)).toBeLessThanOrEqual(1e-4 * Math.max(1, fromExplanations));
  });
});
