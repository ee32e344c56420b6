// Evaluation every N epochs on real WebGPU: the epochs evaluated report the very Recall@K of a run
// evaluated every epoch, the others none, and training is the same bit for bit either way.
import { describe, expect, it, vi } from 'vitest';
import { toyRatings } from '../src/graph/toy';
import type { Ratings } from '../src/graph/types';
import { Trainer } from '../src/train/trainer';
import type { EpochMetrics } from '../src/train/types';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { openGpu } from './helpers/gpu';
import { randomRatings } from './helpers/randomRatings';

const { gpu, kernels } = await openGpu();

/** Two train() calls (the first longer than one chunk of 64 epochs), the snapshot of epoch 7 kept. */
async function run(ratings: Ratings, settings: RunSettings, calls: [number, number]) {
  const t = Trainer.create(gpu, kernels, ratings, settings);
  const encode = vi.spyOn(t.evaluator, 'encode');
  const kept: number[] = [];
  let seven = null as null | Int32Array;
  const keep = { keep: (e: number) => e === 7 };
  for (const epochs of calls) {
    await t.train(epochs, (_, snaps) => {
      for (const s of snaps) {
        kept.push(s.epoch);
        if (s.epoch === 7) seven = s.topk;
      }
    }, keep);
  }
  const history: EpochMetrics[] = t.history;
  const result = { history, evaluations: encode.mock.calls.length, kept, seven, params: await t.readParams() };
  t.destroy();
  return result;
}

const cases: [string, () => Ratings, Partial<RunSettings>][] = [
  ["the seed's toy run (fused, 7 steps an epoch)", toyRatings, {}],
  // 330 nodes: training and evaluation per op.
  ['a full-batch run per op', () => randomRatings(4, 200, 130, 1400), { batchSize: 'full', negRatio: 1, split: 0.8, k: 10, hidden: 6, heads: 1 }],
];

describe('settings.evalEvery', () => {
  it.each(cases)('%s: evaluated epochs match the every-epoch run bit for bit, the rest are null', async (_, ratings, overrides) => {
    const calls: [number, number] = [70, 6];
    const every = await run(ratings(), { ...SEED_SETTINGS, ...overrides, evalEvery: 1 }, calls);
    const fifth = await run(ratings(), { ...SEED_SETTINGS, ...overrides, evalEvery: 5 }, calls);

    // Multiples of 5, the kept epoch 7, and the last epoch of each call (70, 76).
    const expected = [5, 7, ...Array.from({ length: 14 }, (_, k) => 5 * (k + 2)), 76];
    const evaluated = fifth.history.filter((m) => m.recall !== null).map((m) => m.epoch);
    expect(evaluated).toEqual(expected);
    expect(fifth.evaluations).toBe(expected.length);
    expect(every.evaluations).toBe(76);
    expect(every.history.every((m) => m.recall !== null)).toBe(true);

    for (const m of fifth.history) {
      const twin = every.history[m.epoch - 1];
      expect(m.epoch).toBe(twin.epoch);
      expect(m.loss, `loss of epoch ${m.epoch}`).toBe(twin.loss);
      if (m.recall !== null) expect(m.recall, `Recall@K of epoch ${m.epoch}`).toBe(twin.recall);
      // The full graph's MSE comes with Recall@K, from the same evaluation.
      expect(m.fullMse, `full-graph MSE of epoch ${m.epoch}`).toBe(m.recall === null ? null : twin.fullMse);
      expect(twin.fullMse).toBeGreaterThan(0);
    }
    expect(Array.from(fifth.params).map(String)).toEqual(Array.from(every.params).map(String));
    expect(fifth.kept).toEqual([7]);
    expect(Array.from(fifth.seven!)).toEqual(Array.from(every.seven!));
  });
});
