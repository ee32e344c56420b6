// The reference model's analytic gradients against central differences of its loss, per tensor.
import { expect } from 'vitest';
import type { ModelShape } from '../../src/model/params';
import { type NamedParams, type ReferenceInput, referenceForward, referenceGradients } from '../../src/reference/model';
import { maxAbs } from './fixtures';

const STEP = 1e-6;

/** Checks every parameter's gradient by central differences; returns the analytic loss. */
export function expectCentralDifferences(shape: ModelShape, params: NamedParams, input: ReferenceInput): number {
  const { loss, grads } = referenceGradients(shape, params, input);
  expect(loss).toBe(referenceForward(shape, params, input).loss);
  const overall = Math.max(...Object.values(grads).map(maxAbs));
  expect(overall).toBeGreaterThan(0);
  for (const [name, p] of Object.entries(params)) {
    let worst = 0;
    for (let k = 0; k < p.length; k++) {
      const keep = p[k];
      p[k] = keep + STEP;
      const up = referenceForward(shape, params, input).loss;
      p[k] = keep - STEP;
      const down = referenceForward(shape, params, input).loss;
      p[k] = keep;
      worst = Math.max(worst, Math.abs((up - down) / (2 * STEP) - grads[name][k]));
    }
    // Relative to the tensor's own scale, or to 1e-3 of the largest gradient for tensors whose
    // gradient is (nearly) zero, such as those of nodes no label reaches.
    const scale = Math.max(maxAbs(grads[name]), 1e-3 * overall);
    expect(worst / scale, name).toBeLessThan(1e-5);
  }
  return loss;
}
