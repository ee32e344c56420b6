// A chunk's upload as the trainer plans it, on the CPU: each step's header carries Adam's step
// number from the counter it is given (planning advances nothing itself), and the per-op path
// uploads only the step fields of a graph that is already in the workspace.
import { describe, expect, it } from 'vitest';
import { countsOf, floatBits, packGraph, STEP_FIELDS } from '../src/gpu/graphBuffer';
import { HEADER_WORDS } from '../src/gpu/layout';
import { fullGraph } from '../src/graph/build';
import { adamFactors } from '../src/model/gpuModel';
import { pack, packFused } from '../src/train/chunkPlan';

const u32 = (...a: number[]) => Uint32Array.from(a);
const graphOf = (value: number) =>
  fullGraph(2, 3, { user: u32(0, 1, 1), item: u32(0, 1, 2) }, { user: u32(0, 1), item: u32(2, 0), value: Float32Array.of(value, 0) });

/** The step fields of the header at word `at`: loss slot, Adam's step size and bias term (as bits). */
const fieldsAt = (data: Uint32Array, at: number) => [data[at + STEP_FIELDS.lossSlot], data[at + STEP_FIELDS.adamStepSize], data[at + STEP_FIELDS.adamBias2Sqrt]];
const expected = (slot: number, lr: number, t: number) => {
  const { stepSize, bias2Sqrt } = adamFactors(lr, t);
  return [slot, floatBits(stepSize), floatBits(bias2Sqrt)];
};

describe('chunk planning', () => {
  const a = graphOf(4);
  const b = graphOf(5);
  const lr = 0.01;

  it('numbers the per-op steps from the given counter, the same on every call', () => {
    const batches = [[a, b], [a]];
    const first = pack(batches, { lr, before: 7 }, null);
    const again = pack(batches, { lr, before: 7 }, null);
    expect(again.data).toEqual(first.data);
    expect(first.steps.map((s) => s.fieldsOnly)).toEqual([false, false, false]);
    first.steps.forEach((s, k) => expect(fieldsAt(first.data, s.at), `step ${k}`).toEqual(expected(k, lr, 8 + k)));
    // Each step's graph is packed whole after its header.
    const packed = packGraph(b);
    expect(first.data.subarray(first.steps[1].at + HEADER_WORDS, first.steps[1].at + packed.length)).toEqual(packed.subarray(HEADER_WORDS));
    expect(first.steps[1].counts).toEqual(countsOf(b));
  });

  it('uploads only the step fields of a graph already in the workspace', () => {
    const plan = pack([[a], [a]], { lr, before: 0 }, a);
    expect(plan.steps.map((s) => s.fieldsOnly)).toEqual([true, true]);
    expect(plan.data.length).toBe(6);
    expect([...plan.data.subarray(0, 3)]).toEqual(expected(0, lr, 1));
    expect([...plan.data.subarray(3, 6)]).toEqual(expected(1, lr, 2));
  });

  it('lays out the fused schedule: per epoch a Which record, the step count and each step offset', () => {
    const plan = packFused([[a, b], [b]], { lr, before: 3 });
    expect(plan.controls).toEqual([0, 4]);
    const schedule = [plan.data[2], plan.data[6]];
    expect(plan.data[schedule[0]]).toBe(2);
    expect(plan.data[schedule[1]]).toBe(1);
    expect([plan.data[schedule[0] + 1], plan.data[schedule[0] + 2], plan.data[schedule[1] + 1]]).toEqual(plan.steps.map((s) => s.at));
    plan.steps.forEach((s, k) => expect(fieldsAt(plan.data, s.at), `step ${k}`).toEqual(expected(k, lr, 4 + k)));
  });
});
