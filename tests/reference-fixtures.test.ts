// The float64 reference model against real PyG 2.5.3 (float64 too) on every shared fixture case.
import { describe, expect, it } from 'vitest';
import { adamState, adamStep } from '../src/reference/adam';
import { type NamedParams, referenceForward, referenceGradients } from '../src/reference/model';
import { exactTopK, recallAtK } from '../src/reference/topk';
import {
  caseNames,
  caseShape,
  caseTensors,
  gradTolerances,
  loadCase,
  maxAbs,
  maxAbsDiff,
  referenceInputOf,
  valueTolerance,
} from './helpers/fixtures';

// The README's tolerance formulas are for float32. Both sides here are float64, so the same
// formulas are applied at this scale: a float32 value slipping in anywhere would show.
const REL = 1e-10;
// Adam turns the round-off in these mathematically near-zero gradients into visible steps (README).
const ROUND_OFF_DRIVEN = /\.(att_dst|lin_dst\.weight)$/;

describe.each(caseNames())('PyG fixture %s', (name) => {
  const { input, expected } = loadCase(name);
  const shape = caseShape(input);
  const params = caseTensors(input, input.params);
  const graph = referenceInputOf(input);

  it('matches the embeddings, predictions and loss', () => {
    const out = referenceForward(shape, params, graph);
    for (const t of ['user', 'item'] as const) {
      const want = expected.embeddings[t].flat();
      expect(maxAbsDiff(out.embeddings[t], want)).toBeLessThanOrEqual(valueTolerance(want, REL));
    }
    expect(maxAbsDiff(out.predictions, expected.predictions)).toBeLessThanOrEqual(valueTolerance(expected.predictions, REL));
    expect(Math.abs(out.loss - expected.loss)).toBeLessThanOrEqual(REL * Math.abs(expected.loss));
  });

  it('matches every gradient', () => {
    const out = referenceGradients(shape, params, graph);
    const want = caseTensors(input, expected.grads);
    const tol = gradTolerances(want, REL);
    expect(Object.keys(out.grads).sort()).toEqual(Object.keys(want).sort());
    for (const key of Object.keys(want)) {
      expect(maxAbsDiff(out.grads[key], want[key]), key).toBeLessThanOrEqual(tol[key]);
    }
    expect(out.loss).toBe(referenceForward(shape, params, graph).loss);
  });

  it('gives attention that sums to 1 over the edges into each node', () => {
    const { attention } = referenceForward(shape, params, graph);
    expect(attention).toHaveLength(shape.layers);
    for (const layer of attention) {
      for (const [field, dstOf] of [
        ['rates', ([, i]: readonly [number, number]) => i],
        ['revRates', ([, u]: readonly [number, number]) => u],
      ] as const) {
        const sums = new Map<number, number>();
        graph[field].forEach((edge, e) => {
          for (let h = 0; h < shape.heads; h++) {
            const key = dstOf(edge) * shape.heads + h;
            sums.set(key, (sums.get(key) ?? 0) + layer[field][e * shape.heads + h]);
          }
        });
        for (const s of sums.values()) expect(s).toBeCloseTo(1, 12);
      }
    }
  });

  // Skipped for cases without `train` / `eval` blocks: there is nothing of that kind to compare.
  it.runIf(input.train)('follows PyG through the Adam steps', () => {
    const { steps, lr } = input.train!;
    const p: NamedParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.slice()]));
    const state = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, adamState(v.length)]));
    const history: number[] = [];
    for (let s = 0; s < steps; s++) {
      const { loss, grads } = referenceGradients(shape, p, graph);
      history.push(loss);
      for (const k of Object.keys(p)) adamStep(p[k], grads[k], state[k], { lr });
    }
    const train = expected.train!;
    expect(maxAbsDiff(history, train.loss_history)).toBeLessThanOrEqual(valueTolerance(train.loss_history, 10 * REL));
    expect(Math.abs(referenceForward(shape, p, graph).loss - train.final_loss)).toBeLessThanOrEqual(10 * REL * train.final_loss);
    const final = caseTensors(input, train.final_params);
    for (const k of Object.keys(final).filter((k) => !ROUND_OFF_DRIVEN.test(k))) {
      expect(maxAbsDiff(p[k], final[k]), k).toBeLessThanOrEqual(10 * REL * Math.max(1, maxAbs(final[k])));
    }
  });

  it.runIf(input.eval)('ranks the same top-k and recall', () => {
    const { k, exclude_edges, target_edges } = input.eval!;
    const { embeddings } = referenceForward(shape, params, graph);
    const topk = exactTopK(embeddings.user, embeddings.item, shape.hidden, k, exclude_edges);
    expect(Array.from(topk.index)).toEqual(expected.eval!.topk_index.flat());
    expect(recallAtK(topk, target_edges)).toBeCloseTo(expected.eval!.recall, 12);
  });
});
