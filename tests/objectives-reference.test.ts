// The float64 objectives (src/reference/objective.ts): their values against PyTorch's closed forms,
// and, through the whole reference model, their gradients against central finite differences for
// BCE and BPR (with and without its regulariser), as the MSE's are in reference-gradcheck.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCase } from '../src/formats/caseFile';
import type { Objective } from '../src/gpu/layout';
import { paramTable, type ModelShape } from '../src/model/params';
import { type NamedParams, type ReferenceInput, referenceForward } from '../src/reference/model';
import { bprPairs, objectiveLoss, sigmoid, softplus } from '../src/reference/objective';
import { Rng } from '../src/util/rng';
import { expectCentralDifferences } from './helpers/gradcheck';

describe('the objectives in float64', () => {
  it('BCE with logits is mean(softplus(p) − p·y), stable far out in both tails', () => {
    const { loss, dPred } = objectiveLoss({ kind: 'bce', bprReg: 0 }, [0, 2, -3, 800, -800], [1, 0, 1, 1, 0]);
    const want = [Math.log(2), 2 + Math.log1p(Math.exp(-2)), 3 + Math.log1p(Math.exp(-3)), 0, 0];
    expect(loss).toBeCloseTo(want.reduce((a, b) => a + b) / 5, 14);
    expect(Array.from(dPred)).toEqual([(0.5 - 1) / 5, sigmoid(2) / 5, (sigmoid(-3) - 1) / 5, 0, 0]);
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
  });

  it('BPR pairs label l with l + n/2: mean of −log σ(pos − neg), and refuses an odd count', () => {
    const { loss, dPred } = objectiveLoss({ kind: 'bpr', bprReg: 0 }, [3, 1, 1, 2], [1, 1, 0, 0]);
    const want = (-Math.log(sigmoid(3 - 1)) - Math.log(sigmoid(1 - 2))) / 2;
    expect(loss).toBeCloseTo(want, 14);
    expect(dPred[0]).toBeCloseTo(-sigmoid(-2) / 2, 15);
    expect(dPred[2]).toBeCloseTo(sigmoid(-2) / 2, 15);
    expect(dPred[1] + dPred[3]).toBe(0);
    expect(() => bprPairs(3)).toThrow(/3 labels/);
  });
});

const shape: ModelShape = { layers: 2, hidden: 4, heads: 2, userDim: 3, itemDim: 2 };

/** 5 users, 6 items; 8 labels = 4 positives then their 4 negatives, for the same users. */
function graph(rng: Rng, objective: Objective): ReferenceInput {
  const rates: [number, number][] = [];
  for (let n = 0; n < 10; n++) rates.push([rng.int(4), rng.int(5)]);
  const users = [0, 1, 2, 3];
  const pos = users.map((u) => rates.find(([v]) => v === u)?.[1] ?? 0);
  return {
    numUsers: 5,
    numItems: 6,
    xUser: Float64Array.from({ length: 5 * shape.userDim }, () => rng.normal()),
    xItem: Float64Array.from({ length: 6 * shape.itemDim }, () => rng.normal()),
    rates,
    revRates: rates.map(([u, i]) => [i, u]),
    labelUser: [...users, ...users],
    labelItem: [...pos, 5, 5, 4, 5],
    labels: [1, 1, 1, 1, 0, 0, 0, 0],
    objective,
  };
}

describe.each([
  { kind: 'bce', bprReg: 0 },
  { kind: 'bpr', bprReg: 0 },
  { kind: 'bpr', bprReg: 0.3 },
] as Objective[])('the reference model’s gradients with the $kind loss (λ $bprReg)', (objective) => {
  it.each([1, 2, 3])('match central differences (seed %i)', (seed) => {
    const rng = new Rng(seed * 31 + objective.bprReg * 100);
    const input = graph(rng, objective);
    const params: NamedParams = Object.fromEntries(
      paramTable(shape).map((e) => [e.name, Float64Array.from({ length: e.size }, () => (e.name.endsWith('bias') ? 0.5 : 0) + 0.5 * rng.normal())]),
    );
    const loss = expectCentralDifferences(shape, params, input);
    // The objective is in force: the same weights under the seed's MSE give another loss.
    expect(referenceForward(shape, params, { ...input, objective: undefined }).loss).not.toBeCloseTo(loss, 3);
  });
});

describe('a case file’s objective', () => {
  const base = JSON.parse(readFileSync(new URL('data/pyg-loss/bpr.in.json', import.meta.url), 'utf8'));
  const parse = (patch: object) => parseCase(JSON.stringify({ ...base, ...patch }), 'c.json');

  it('is read with its labels: BPR pairs label l with l + n, BCE takes targets in [0, 1]', () => {
    expect(parse({}).objective).toEqual({ kind: 'bpr', bprReg: 0 });
    expect(parse({ bpr_reg: 0.1 }).objective).toEqual({ kind: 'bpr', bprReg: 0.1 });
    expect(parse({ loss: undefined }).objective).toEqual({ kind: 'mse', bprReg: 0 });
    expect(parse({ loss: 'bce' }).objective.kind).toBe('bce');
  });

  it('is refused, with the field and the reason, when the labels do not fit it', () => {
    const edges = base.label_edges as [number, number][];
    expect(() => parse({ loss: 'hinge' })).toThrow(/c\.json: "loss" must be one of "mse", "bce", "bpr"/);
    expect(() => parse({ loss: 'bce', labels: base.labels.map(() => 4) })).toThrow(/labels\[0\]" is 4: binary cross-entropy takes targets in \[0, 1\]/);
    expect(() => parse({ label_edges: edges.slice(1), labels: base.labels.slice(1) })).toThrow(/9 label_edges/);
    const swapped = [...edges.slice(0, 5), [edges[6][0], edges[5][1]], edges[6], ...edges.slice(7)];
    expect(() => parse({ label_edges: swapped })).toThrow(/label_edges\[5\]" is the negative of label_edges\[0\] and must have its user/);
    expect(() => parse({ loss: 'bce', bpr_reg: 0.1 })).toThrow(/"bpr_reg" is BPR's/);
    expect(() => parse({ bpr_reg: -1 })).toThrow(/"bpr_reg" must be a number ≥ 0/);
  });
});
