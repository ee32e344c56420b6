// PyG-style cases for the objectives beside MSE (tests/data/pyg-loss: BCE, BPR, BPR with its
// regulariser and Adam steps). Their expected files come from real PyG 2.5.3 in float64
// (tests/helpers/pyg_loss_case.py: F.binary_cross_entropy_with_logits, torch_geometric's BPRLoss);
// the test runs PyG again to show it still gives them, holds the float64 reference to them at
// float64's scale and `gatlab case` on WebGPU at the README's float32 tolerances.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { adamState, adamStep } from '../src/reference/adam';
import { type NamedParams, referenceForward, referenceGradients } from '../src/reference/model';
import type { CaseResult } from '../src/train/caseRunner';
import {
  caseNames,
  caseShape,
  caseTensors,
  type FixtureExpected,
  gradTolerances,
  LOSS_CASE_DIR,
  loadCase,
  maxAbsDiff,
  referenceInputOf,
  valueTolerance,
} from './helpers/fixtures';
import { REPO_DIR, SHARED_DIR } from './helpers/paths';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-loss-case-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const F64 = 1e-10;
const F32 = 1e-5;
const TRAIN_F32 = 1e-4;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(command, args, { cwd: REPO_DIR, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
}

const names = caseNames(LOSS_CASE_DIR);

it('has a case for each objective beside MSE, one with the regulariser and Adam steps', () => {
  const inputs = names.map((n) => loadCase(n, LOSS_CASE_DIR).input);
  expect(new Set(inputs.map((i) => i.loss))).toEqual(new Set(['bce', 'bpr']));
  expect(inputs.some((i) => (i.bpr_reg ?? 0) > 0 && i.train)).toBe(true);
});

describe.each(names)('PyG case %s', (name) => {
  const { input, expected } = loadCase(name, LOSS_CASE_DIR);
  const inPath = fileURLToPath(new URL(`${name}.in.json`, LOSS_CASE_DIR));
  const shape = caseShape(input);
  const params = caseTensors(input, input.params);
  const graph = referenceInputOf(input);

  /** Embeddings, predictions, loss and gradients of `got` against the expected file, at `rel`. */
  function expectMatches(got: { predictions: ArrayLike<number>; loss: number; embeddings: Record<'user' | 'item', ArrayLike<number>>; grads: NamedParams }, rel: number) {
    for (const t of ['user', 'item'] as const) {
      const want = expected.embeddings[t].flat();
      expect(maxAbsDiff(got.embeddings[t], want), `embeddings.${t}`).toBeLessThanOrEqual(valueTolerance(want, rel));
    }
    expect(maxAbsDiff(got.predictions, expected.predictions)).toBeLessThanOrEqual(valueTolerance(expected.predictions, rel));
    expect(Math.abs(got.loss - expected.loss)).toBeLessThanOrEqual(rel * Math.abs(expected.loss));
    const want = caseTensors(input, expected.grads);
    const tol = gradTolerances(want, rel);
    for (const key of Object.keys(want)) expect(maxAbsDiff(got.grads[key], want[key]), key).toBeLessThanOrEqual(tol[key]);
  }

  it('is what real PyG computes now (torch 1.13, float64)', () => {
    const out = join(DIR, `${name}.pyg.json`);
    run('/usr/bin/python3', [join(REPO_DIR, 'tests/helpers/pyg_loss_case.py'), inPath, out], {
      ...process.env,
      PYTHONPATH: join(SHARED_DIR, 'vendor/pyg-2.5.3'),
      OMP_NUM_THREADS: '1',
    });
    const now = JSON.parse(readFileSync(out, 'utf8')) as FixtureExpected;
    expect(now.loss).toBeCloseTo(expected.loss, 12);
    expect(maxAbsDiff(now.predictions, expected.predictions)).toBeLessThan(1e-12);
    expect(now.train?.loss_history).toEqual(expected.train?.loss_history);
  });

  it('is matched by the float64 reference', () => {
    const out = referenceGradients(shape, params, graph);
    expectMatches(out, F64);
    // Under the seed's MSE the same weights give another loss: the case's objective is the one computed.
    expect(Math.abs(referenceForward(shape, params, { ...graph, objective: undefined }).loss - expected.loss)).toBeGreaterThan(1e-3);
    if (input.train) {
      const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
      const keys = Object.keys(p);
      const flat = (t: NamedParams) => Float64Array.from(keys.flatMap((k) => Array.from(t[k])));
      const state = adamState(flat(p).length);
      const history: number[] = [];
      for (let s = 0; s < input.train.steps; s++) {
        const r = referenceGradients(shape, p, graph);
        history.push(r.loss);
        const x = flat(p);
        adamStep(x, flat(r.grads), state, { lr: input.train.lr });
        let at = 0;
        for (const k of keys) for (let i = 0; i < p[k].length; i++) p[k][i] = x[at++];
      }
      expect(maxAbsDiff(history, expected.train!.loss_history)).toBeLessThanOrEqual(valueTolerance(expected.train!.loss_history, F64));
    }
  });

  it('is matched by `gatlab case` on WebGPU, at float32 tolerances', () => {
    const outPath = join(DIR, `${name}.out.json`);
    run(process.execPath, [join(REPO_DIR, 'bin/gatlab.mjs'), 'case', inPath, outPath]);
    const out = JSON.parse(readFileSync(outPath, 'utf8')) as CaseResult;
    expectMatches(
      {
        embeddings: { user: out.embeddings.user.flat(), item: out.embeddings.item.flat() },
        predictions: out.predictions,
        loss: out.loss,
        grads: caseTensors(input, out.grads as Record<string, number[]>),
      },
      F32,
    );
    if (input.train) {
      const want = expected.train!.loss_history;
      expect(maxAbsDiff(out.train!.loss_history, want)).toBeLessThanOrEqual(valueTolerance(want, TRAIN_F32));
      expect(Math.abs(out.train!.final_loss - expected.train!.final_loss)).toBeLessThanOrEqual(TRAIN_F32 * expected.train!.final_loss);
    }
  });
});
